import { describe, expect, it } from 'vitest';
import { formatWer, normalizeWords, textErrorRate, wordErrorRate } from '@/lib/wer';

const words = (text: string) => text.split(' ').filter((w) => w !== '');

describe('normalizeWords', () => {
  it('lower-cases, drops punctuation and keeps apostrophes inside words', () => {
    expect(normalizeWords("Mr. Dashwood's   HOUSE, 'tis well-kept!")).toEqual(['mr', "dashwood's", 'house', 'tis', 'well', 'kept']);
  });

  it('reads curly apostrophes as straight ones', () => {
    expect(normalizeWords('don\u2019t')).toEqual(["don't"]);
  });

  it('gives no words for blank or punctuation-only text', () => {
    expect(normalizeWords('  ... -- ')).toEqual([]);
  });
});

describe('wordErrorRate', () => {
  it('is zero for identical word sequences', () => {
    const result = wordErrorRate(words('he was not an ill disposed young man'), words('he was not an ill disposed young man'));
    expect(result).toMatchObject({ errors: 0, rate: 0, referenceWords: 8, hypothesisWords: 8 });
  });

  it('counts one substitution, one deletion and one insertion apart', () => {
    // ref: a b c d e f ; hyp: a x c e f g  -> b->x (S), d deleted (D), g inserted (I)
    const result = wordErrorRate(words('a b c d e f'), words('a x c e f g'));
    expect(result).toMatchObject({ substitutions: 1, deletions: 1, insertions: 1, errors: 3 });
    expect(result.rate).toBeCloseTo(3 / 6, 12);
  });

  it('uses the fewest edits, not a position-by-position comparison', () => {
    // One word missing at the start shifts every position but is one deletion.
    const result = wordErrorRate(words('the cat sat on the mat'), words('cat sat on the mat'));
    expect(result).toMatchObject({ deletions: 1, substitutions: 0, insertions: 0, errors: 1 });
  });

  it('can exceed 100 % when the hypothesis has many extra words', () => {
    const result = wordErrorRate(words('yes'), words('no no no'));
    expect(result.errors).toBe(3);
    expect(result.rate).toBe(3);
  });

  it('counts every reference word as deleted for an empty hypothesis', () => {
    expect(wordErrorRate(words('one two three'), [])).toMatchObject({ deletions: 3, rate: 1 });
  });

  it('is 0 for two empty texts and infinite for words against an empty reference', () => {
    expect(wordErrorRate([], []).rate).toBe(0);
    expect(wordErrorRate([], ['x']).rate).toBe(Infinity);
  });

  it('agrees with a brute-force edit distance on random sequences', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const vocabulary = ['a', 'b', 'c', 'd'];
    const draw = (length: number) => Array.from({ length }, () => vocabulary[Math.floor(random() * vocabulary.length)] ?? 'a');
    const distance = (r: string[], h: string[]): number => {
      // Plain recursive-with-table Levenshtein, written independently of the module.
      const table: number[][] = Array.from({ length: r.length + 1 }, (_, i) => Array.from({ length: h.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= r.length; i++) {
        for (let j = 1; j <= h.length; j++) {
          const row = table[i]!;
          const up = table[i - 1]!;
          row[j] = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (r[i - 1] === h[j - 1] ? 0 : 1));
        }
      }
      return table[r.length]![h.length]!;
    };
    for (let trial = 0; trial < 200; trial++) {
      const reference = draw(Math.floor(random() * 12));
      const hypothesis = draw(Math.floor(random() * 12));
      const result = wordErrorRate(reference, hypothesis);
      expect(result.errors).toBe(distance(reference, hypothesis));
      expect(result.referenceWords - result.deletions - result.substitutions).toBe(result.hypothesisWords - result.insertions - result.substitutions);
    }
  });
});

describe('textErrorRate and formatWer', () => {
  it('ignores case and punctuation differences', () => {
    const result = textErrorRate('He was not an ill-disposed young man.', 'he was not an ill disposed young man');
    expect(result.errors).toBe(0);
  });

  it('formats the rate with its error counts', () => {
    expect(formatWer(wordErrorRate(words('a b c d'), words('a c d e')))).toBe('50.0 % (0 S, 1 D, 1 I of 4 words)');
  });
});
