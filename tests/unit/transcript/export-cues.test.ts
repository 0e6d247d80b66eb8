import { describe, expect, it } from 'vitest';
import { buildCues, layoutLines, normalizeCueTimings, type DraftCue } from '@/lib/transcript/export-cues';
import { fromWords, LONG_MONOLOGUE, spoken } from './export-test-data';

const words = (text: string) => text.split(' ');

describe('layoutLines', () => {
  it('keeps text that fits on one line on one line', () => {
    expect(layoutLines(words('good morning everyone'), 42, 2)).toEqual(['good morning everyone']);
  });

  it('balances two lines, the top one not longer than the bottom', () => {
    const lines = layoutLines(words('the budget is ready for review and we can start with the first item today'), 42, 2);
    expect(lines).toHaveLength(2);
    const [top, bottom] = lines as [string, string];
    expect(top.length).toBeLessThanOrEqual(42);
    expect(bottom.length).toBeLessThanOrEqual(42);
    expect(Math.abs(top.length - bottom.length)).toBeLessThanOrEqual(8);
    expect(`${top} ${bottom}`).toBe('the budget is ready for review and we can start with the first item today');
  });

  it('answers null when the words need more than two lines', () => {
    expect(layoutLines(words(LONG_MONOLOGUE), 42, 2)).toBeNull();
  });
});

describe('buildCues', () => {
  it('splits a long monologue into cues of at most 7 s and two lines of 42 characters, keeping every word in order', () => {
    const utterance = spoken(LONG_MONOLOGUE, 10, 0, 0.35);
    const cues = buildCues([utterance]);
    expect(cues.length).toBeGreaterThan(3);
    for (const cue of cues) {
      expect(cue.end - cue.start).toBeLessThanOrEqual(7000);
      expect(cue.lines.length).toBeGreaterThanOrEqual(1);
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
    }
    expect(cues.flatMap((c) => c.lines).join(' ')).toBe(LONG_MONOLOGUE);
    expect(cues[0]?.start).toBe(10_000);
    expect(cues.map((c) => c.firstOfUtterance)).toEqual(cues.map((_, i) => i === 0));
  });

  it('splits by time when words are slow, even if the text would fit', () => {
    const cues = buildCues([spoken('one two three four five six seven eight', 0, 0, 2)]);
    for (const cue of cues) expect(cue.end - cue.start).toBeLessThanOrEqual(7000);
    expect(cues.length).toBeGreaterThanOrEqual(3);
  });

  it('starts a new cue after a pause inside an utterance, so text does not stay up through silence', () => {
    const cues = buildCues([fromWords([['before', 0, 0.4], ['pause', 0.5, 0.9], ['after', 4, 4.4], ['it', 4.5, 4.8]], 0)]);
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['before pause', 'after it']);
    expect(cues[0]?.end).toBeLessThanOrEqual(4000);
  });

  it('ends a cue at the end of a sentence once it is half full', () => {
    const text = 'This sentence is long enough to fill half a cue. And this one starts the next.';
    const cues = buildCues([spoken(text, 0, 0, 0.3)]);
    expect(cues[0]?.lines.join(' ')).toBe('This sentence is long enough to fill half a cue.');
  });

  it('puts a label before the first cue of each utterance and counts it in the line length', () => {
    const cues = buildCues([spoken(LONG_MONOLOGUE, 0, 1, 0.3)], { labelFor: () => 'Dana: ' });
    expect(cues[0]?.lines[0]).toMatch(/^Dana: so the plan/);
    expect(cues.slice(1).every((c) => !c.lines[0]?.startsWith('Dana: '))).toBe(true);
    for (const cue of cues) for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
  });

  it('never overlaps and keeps starts strictly increasing when two speakers talk at once', () => {
    const a = spoken('I think we should wait for the numbers', 5, 0, 0.4);
    const b = spoken('no we ship it now', 6, 1, 0.4);
    const c = spoken('same time', 6, 0, 0.3);
    const cues = buildCues([a, b, c]);
    for (let i = 1; i < cues.length; i++) {
      expect(cues[i]!.start).toBeGreaterThan(cues[i - 1]!.start);
      expect(cues[i - 1]!.end).toBeLessThanOrEqual(cues[i]!.start);
    }
    for (const cue of cues) expect(cue.end).toBeGreaterThan(cue.start);
  });

  it('spreads the text of an utterance without word times over its span', () => {
    const cues = buildCues([{ id: 'x', words: [], text: 'hello there friend', start: 2, end: 5, speaker: null, channel: 0, closed: true }]);
    expect(cues).toHaveLength(1);
    expect(cues[0]).toMatchObject({ start: 2000, end: 5000, lines: ['hello there friend'] });
  });

  it('cuts a single word longer than a line instead of dropping it', () => {
    const long = 'x'.repeat(100);
    const cues = buildCues([fromWords([[long, 0, 1]], null)]);
    expect(cues.flatMap((c) => c.lines).join('')).toBe(long);
    for (const cue of cues) for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
  });

  it('skips utterances without text and sorts the rest by time', () => {
    const late = spoken('later words', 20, 0);
    const empty = { ...spoken('x', 1, 0), text: '  ', words: [] };
    const early = spoken('early words', 3, 1);
    expect(buildCues([late, empty, early]).map((c) => c.lines.join(' '))).toEqual(['early words', 'later words']);
  });
});

describe('normalizeCueTimings', () => {
  const draft = (startSeconds: number, endSeconds: number): DraftCue => ({
    startSeconds,
    endSeconds,
    speaker: null,
    lines: ['x'],
    firstOfUtterance: true,
  });

  it('holds a short cue for the minimum time when the next cue leaves room, and no longer than that', () => {
    const [a, b] = normalizeCueTimings([draft(0, 0.2), draft(0.6, 0.8)], 1);
    expect(a).toMatchObject({ start: 0, end: 600 });
    expect(b).toMatchObject({ start: 600, end: 1600 });
  });

  it('rounds to whole milliseconds and never lets a cue end before it starts', () => {
    const [a] = normalizeCueTimings([draft(1.23456, 1.0)], 0);
    expect(a?.start).toBe(1235);
    expect(a!.end).toBeGreaterThan(a!.start);
  });

  it('maps NaN and negative times to 0 rather than writing them', () => {
    const cues = normalizeCueTimings([draft(Number.NaN, -3), draft(-1, 2)], 0);
    expect(cues.map((c) => c.start)).toEqual([0, 1]);
    for (const cue of cues) expect(cue.end).toBeGreaterThan(cue.start);
  });
});
