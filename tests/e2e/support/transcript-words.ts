/**
 * Comparing recognised text with the LibriVox reference: the local engine makes mistakes, so the
 * tests ask for a number of the reference's content words, not the exact sentence.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by for from had has have he her him his i if in is it its me ' +
    'more my no not of on or she so than that the their them then there they this to too was we ' +
    'were what when which who will with would you your'
  ).split(' '),
);

/** Lower-case words without punctuation ("Man," -> "man"; "don't" stays "don't"). */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w !== '');
}

export function contentWords(words: readonly string[]): Set<string> {
  return new Set(words.filter((w) => !STOPWORDS.has(w) && w.length > 2));
}

/** The reference's content words that occur in `text`, in reference order. */
export function matchedContentWords(referenceWords: readonly string[], text: string): string[] {
  const seen = new Set(wordsOf(text));
  return [...contentWords(referenceWords)].filter((w) => seen.has(w));
}
