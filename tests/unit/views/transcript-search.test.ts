import { describe, expect, it } from 'vitest';
import type { Segment } from '@/lib/transcript/types';
import {
  foldForSearch,
  highlightParts,
  matchesByIndex,
  MAX_MATCHES,
  rebaseCurrent,
  searchTranscript,
  stepMatch,
} from '@/lib/views/transcript-search';

const seg = (text: string): Segment => ({ text, words: [], start: 0, end: 1, speaker: null, channel: 0 });

describe('searchTranscript', () => {
  const segments = [seg('The budget is ready.'), seg('No budget, no BUDGET talk'), seg('Nothing here')];

  it('finds every match, ignoring case, as offsets into the shown text', () => {
    const matches = searchTranscript(segments, 'budget');
    expect(matches).toEqual([
      { index: 0, start: 4, end: 10 },
      { index: 1, start: 3, end: 9 },
      { index: 1, start: 14, end: 20 },
    ]);
    for (const m of matches) expect(segments[m.index]!.text.slice(m.start, m.end).toLowerCase()).toBe('budget');
  });

  it('ignores accents both ways and maps offsets back past characters that fold to a different length', () => {
    // The second text spells é with a combining accent (two code units that fold to one).
    const texts = [seg('Un café à Zürich'), seg('Cafe\u0301 İstanbul cafe')];
    const cafe = searchTranscript(texts, 'CAFE');
    expect(cafe.map((m) => texts[m.index]!.text.slice(m.start, m.end))).toEqual(['café', 'Cafe\u0301', 'cafe']);
    const zurich = searchTranscript(texts, 'zürich');
    expect(zurich.map((m) => texts[m.index]!.text.slice(m.start, m.end))).toEqual(['Zürich']);
    const istanbul = searchTranscript(texts, 'istanbul');
    expect(istanbul.map((m) => texts[m.index]!.text.slice(m.start, m.end))).toEqual(['İstanbul']);
  });

  it('collapses whitespace in the query and finds nothing for an empty one', () => {
    expect(searchTranscript(segments, '  budget   is ')).toHaveLength(1);
    expect(searchTranscript(segments, '   ')).toEqual([]);
  });

  it('does not overlap matches and stops at MAX_MATCHES', () => {
    expect(searchTranscript([seg('aaaa')], 'aa')).toEqual([
      { index: 0, start: 0, end: 2 },
      { index: 0, start: 2, end: 4 },
    ]);
    const huge = [seg('a '.repeat(MAX_MATCHES + 50))];
    expect(searchTranscript(huge, 'a')).toHaveLength(MAX_MATCHES);
  });

  it('searches 30,000 words in well under 100 ms', () => {
    const words = ['budget', 'review', 'meeting', 'the', 'caption', 'panel', 'search', 'Zürich'];
    const many = Array.from({ length: 2000 }, (_, i) => seg(Array.from({ length: 15 }, (_, k) => words[(i * 7 + k) % words.length]).join(' ')));
    searchTranscript(many, 'warm');
    const t0 = performance.now();
    const matches = searchTranscript(many, 'review');
    const elapsed = performance.now() - t0;
    expect(matches.length).toBeGreaterThan(3000);
    expect(elapsed).toBeLessThan(100);
  });

  it('keeps no offset map unless folding moved offsets', () => {
    expect(foldForSearch('Hello World').map).toBeNull();
    expect(foldForSearch('é').text).toBe('e');
    expect(foldForSearch('cafe\u0301 x').map).not.toBeNull();
  });
});

describe('match navigation', () => {
  it('steps forward and back, wrapping around', () => {
    expect(stepMatch(3, 0, 1)).toBe(1);
    expect(stepMatch(3, 2, 1)).toBe(0);
    expect(stepMatch(3, 0, -1)).toBe(2);
    expect(stepMatch(3, -1, 1)).toBe(0);
    expect(stepMatch(3, -1, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });

  it('keeps the current match when new matches arrive', () => {
    const before = { index: 5, start: 3, end: 6 };
    const matches = [
      { index: 1, start: 0, end: 3 },
      { index: 5, start: 3, end: 6 },
      { index: 9, start: 0, end: 3 },
    ];
    expect(rebaseCurrent(before, matches)).toBe(1);
    expect(rebaseCurrent({ index: 20, start: 0, end: 1 }, matches)).toBe(2);
    expect(rebaseCurrent(null, matches)).toBe(0);
    expect(rebaseCurrent(before, [])).toBe(-1);
  });

  it('groups matches by utterance', () => {
    const grouped = matchesByIndex([
      { index: 1, start: 0, end: 1 },
      { index: 1, start: 3, end: 4 },
      { index: 4, start: 0, end: 1 },
    ]);
    expect([...grouped.keys()]).toEqual([1, 4]);
    expect(grouped.get(1)).toHaveLength(2);
  });
});

describe('highlightParts', () => {
  it('splits text into plain and matched parts that join back to the text', () => {
    const parts = highlightParts('no budget, no BUDGET', [
      { start: 3, end: 9 },
      { start: 14, end: 20 },
    ], 7);
    expect(parts).toEqual([
      { text: 'no ', match: -1 },
      { text: 'budget', match: 7 },
      { text: ', no ', match: -1 },
      { text: 'BUDGET', match: 8 },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe('no budget, no BUDGET');
  });

  it('clamps ranges that run past the text (the text changed under a stale search)', () => {
    expect(highlightParts('short', [{ start: 3, end: 50 }], 0)).toEqual([
      { text: 'sho', match: -1 },
      { text: 'rt', match: 0 },
    ]);
    expect(highlightParts('', [], 0)).toEqual([{ text: '', match: -1 }]);
  });
});
