import { describe, expect, it } from 'vitest';
import { applyCorrection } from '@/lib/transcript/corrections';
import { renderExport, type ExportFormatId } from '@/lib/transcript/export-formats';
import type { Utterance } from '@/lib/transcript/types';

function spoken(id: string, start: number, speaker: number, words: string[]): Utterance {
  return {
    id,
    start,
    end: start + words.length * 0.5,
    text: words.join(' '),
    speaker,
    channel: 0,
    closed: true,
    words: words.map((text, i) => ({ text, start: start + i * 0.5, end: start + i * 0.5 + 0.4, confidence: 0.8, speaker })),
  };
}

const FORMATS: ExportFormatId[] = ['txt', 'md', 'srt', 'vtt', 'json'];

describe('a corrected line', () => {
  it('keeps speaker, channel and times; the same number of words keeps each word time', () => {
    const line = spoken('u1', 10, 2, ['the', 'budge', 'is', 'fine']);
    const corrected = applyCorrection(line, 'the budget is fine');
    expect(corrected).toMatchObject({ id: 'u1', speaker: 2, channel: 0, start: 10, end: 12, text: 'the budget is fine', closed: true });
    expect(corrected.words.map((w) => [w.text, w.start, w.end, w.speaker])).toEqual([
      ['the', 10, 10.4, 2],
      ['budget', 10.5, 10.9, 2],
      ['is', 11, 11.4, 2],
      ['fine', 11.5, 11.9, 2],
    ]);
  });

  it('a different number of words is spread over the line, inside its times', () => {
    const corrected = applyCorrection(spoken('u1', 4, 0, ['gonna', 'go']), 'we are going to go now');
    expect(corrected.words.map((w) => w.text)).toEqual(['we', 'are', 'going', 'to', 'go', 'now']);
    expect(corrected.words[0]?.start).toBe(4);
    expect(corrected.words[5]?.end).toBeCloseTo(5);
    for (const w of corrected.words) expect(w.speaker).toBe(0);
  });

  it('every export says the corrected text, never the recognized one', () => {
    const first = spoken('u1', 0, 0, ['good', 'morning']);
    const second = spoken('u2', 2, 1, ['the', 'budgie', 'looks', 'fine']);
    const utterances = [first, applyCorrection(second, 'the budget looks very fine')];
    for (const format of FORMATS) {
      const { content } = renderExport({ title: 'Sync', startedAt: 0, utterances, names: {} }, format);
      expect(content, format).toContain(format === 'srt' || format === 'vtt' ? 'budget' : 'the budget looks very fine');
      expect(content, format).not.toContain('budgie');
    }
    const json = JSON.parse(renderExport({ title: 'Sync', startedAt: 0, utterances, names: {} }, 'json').content) as {
      utterances: { text: string; speaker: number; start: number; words: { text: string }[] }[];
    };
    expect(json.utterances[1]).toMatchObject({ text: 'the budget looks very fine', speaker: 1, start: 2 });
    expect(json.utterances[1]?.words.map((w) => w.text).join(' ')).toBe('the budget looks very fine');
  });
});
