/**
 * The mark that stands where text was cut to a bound (lib/transcript/transcript-store.ts,
 * lib/overlay/caption-lines.ts): always a word of its own, so it never splits a word and every view
 * and export shows it. Its own module so the overlay's bundle does not take in the store.
 */
export const TRUNCATION_MARK = '…';

/**
 * `text` in at most `max` characters: its first words, then the mark. Cut at the last space that
 * leaves room for the mark; text without one (a single enormous token) is cut where it must be,
 * and still marked.
 */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - TRUNCATION_MARK.length - 1;
  const space = text.lastIndexOf(' ', room);
  const head = (space > 0 ? text.slice(0, space) : text.slice(0, room)).trimEnd();
  return head === '' ? TRUNCATION_MARK : `${head} ${TRUNCATION_MARK}`;
}

/** One word in at most `max` characters: a longer one keeps its start and ends with the mark. */
export function truncateWord(word: string, max: number): string {
  return word.length <= max ? word : `${word.slice(0, max - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`;
}
