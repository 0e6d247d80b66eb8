import { describe, expect, it } from 'vitest';
import { isCorrectable, LiveCorrections } from '@/lib/transcript/live-corrections';
import { utterance } from '../persistence/persistence-kit';

describe('LiveCorrections', () => {
  it("lays the user's text over a line, keeping its id, times and other lines as they are", () => {
    const corrections = new LiveCorrections();
    const misheard = utterance('s1-u1', 0, ['the', 'budgie', 'is', 'ready']);
    const other = utterance('s1-u2', 2, ['thanks']);
    corrections.set('s1-u1', 'the budget is ready');
    const shown = corrections.apply(misheard);
    expect(shown).toMatchObject({ id: 's1-u1', text: 'the budget is ready', start: misheard.start, end: misheard.end });
    expect(shown.words.map((w) => w.text)).toEqual(['the', 'budget', 'is', 'ready']);
    // Same number of words: each keeps its own times.
    expect(shown.words.map((w) => w.start)).toEqual(misheard.words.map((w) => w.start));
    expect(corrections.apply(other)).toBe(other);
  });

  it('a later result for a corrected line still shows the correction; other updates pass unchanged', () => {
    const corrections = new LiveCorrections();
    corrections.set('s1-u1', 'Dana said so');
    const untouched = { changed: [utterance('s1-u2', 2, ['hi'])], interims: [] };
    expect(corrections.applyToUpdate(untouched)).toBe(untouched);
    const late = { changed: [utterance('s1-u1', 0, ['donna', 'said', 'so', 'late']), utterance('s1-u3', 5, ['ok'])], interims: [] };
    const shown = corrections.applyToUpdate(late);
    expect(shown.changed.map((u) => u.text)).toEqual(['Dana said so', 'ok']);
    // The recognized line is not changed in place: it is what gets saved.
    expect(late.changed[0]?.text).toBe('donna said so late');
  });

  it('applies to snapshots, and forgets a line set back to what was recognized', () => {
    const corrections = new LiveCorrections();
    const snapshot = { utterances: [utterance('s1-u1', 0, ['a', 'b'])], interims: [] };
    expect(corrections.applyToSnapshot(snapshot)).toBe(snapshot);
    corrections.set('s1-u1', 'A B');
    expect(corrections.applyToSnapshot(snapshot).utterances[0]?.text).toBe('A B');
    corrections.set('s1-u1', null);
    expect(corrections.size).toBe(0);
    expect(corrections.applyToSnapshot(snapshot)).toBe(snapshot);
  });

  it('only a finished (closed) line may be corrected: an open one still grows', () => {
    expect(isCorrectable(utterance('s1-u1', 0, ['done']))).toBe(true);
    expect(isCorrectable(utterance('s1-u2', 1, ['still', 'talking'], false))).toBe(false);
  });
});
