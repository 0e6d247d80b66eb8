/**
 * Word error rate: the fewest word substitutions, deletions and insertions that turn the
 * hypothesis into the reference (Levenshtein distance over words), divided by the reference's
 * length. Words are compared after normalizeWords(), so case and punctuation never count.
 */

export interface WerResult {
  /** Words in the reference (the denominator). */
  referenceWords: number;
  hypothesisWords: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** substitutions + deletions + insertions */
  errors: number;
  /** errors / referenceWords (0 for two empty texts, Infinity for words against an empty reference). */
  rate: number;
}

/**
 * Lower-case words without punctuation: "Mr. Dashwood's," -> ["mr", "dashwood's"]. Hyphens and
 * other separators split words; apostrophes inside a word are kept.
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .split(' ')
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word !== '');
}

// Moves of the alignment, kept per cell to count the kinds of error on the way back.
const MATCH = 0;
const SUBSTITUTE = 1;
const DELETE = 2;
const INSERT = 3;

/**
 * Aligns two word sequences. Memory is O(n*m) bytes for the back-pointers (a 1000 x 1000 word
 * alignment needs 1 MB), which is fine for test transcripts.
 */
export function wordErrorRate(reference: readonly string[], hypothesis: readonly string[]): WerResult {
  const n = reference.length;
  const m = hypothesis.length;
  const width = m + 1;
  const moves = new Uint8Array((n + 1) * width);
  let previous = new Uint32Array(width);
  let current = new Uint32Array(width);
  for (let j = 0; j <= m; j++) {
    previous[j] = j;
    moves[j] = INSERT;
  }
  for (let i = 1; i <= n; i++) {
    current[0] = i;
    moves[i * width] = DELETE;
    const word = reference[i - 1];
    for (let j = 1; j <= m; j++) {
      const same = word === hypothesis[j - 1];
      const diagonal = (previous[j - 1] ?? 0) + (same ? 0 : 1);
      const deletion = (previous[j] ?? 0) + 1;
      const insertion = (current[j - 1] ?? 0) + 1;
      // Ties prefer the diagonal, so an equal-cost alignment reads as substitutions.
      let best = diagonal;
      let move = same ? MATCH : SUBSTITUTE;
      if (deletion < best) {
        best = deletion;
        move = DELETE;
      }
      if (insertion < best) {
        best = insertion;
        move = INSERT;
      }
      current[j] = best;
      moves[i * width + j] = move;
    }
    [previous, current] = [current, previous];
  }

  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const move = i === 0 ? INSERT : j === 0 ? DELETE : moves[i * width + j];
    if (move === MATCH || move === SUBSTITUTE) {
      if (move === SUBSTITUTE) substitutions++;
      i--;
      j--;
    } else if (move === DELETE) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  return {
    referenceWords: n,
    hypothesisWords: m,
    substitutions,
    deletions,
    insertions,
    errors,
    rate: n === 0 ? (errors === 0 ? 0 : Infinity) : errors / n,
  };
}

/** WER of two texts, each normalized with normalizeWords(). */
export function textErrorRate(reference: string, hypothesis: string): WerResult {
  return wordErrorRate(normalizeWords(reference), normalizeWords(hypothesis));
}

/** "12.5 % (3 S, 1 D, 0 I of 32 words)" */
export function formatWer(result: WerResult): string {
  const percent = Number.isFinite(result.rate) ? `${(result.rate * 100).toFixed(1)} %` : 'inf';
  return `${percent} (${result.substitutions} S, ${result.deletions} D, ${result.insertions} I of ${result.referenceWords} words)`;
}
