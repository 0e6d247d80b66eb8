import { describe, expect, it } from 'vitest';
import type { ExportDocument } from '@/lib/transcript/export-document';
import { formatCueTime, transcriptToSrt } from '@/lib/transcript/export-srt';
import { parseSrtStrict } from './export-srt-parser';
import { LONG_MONOLOGUE, spoken } from './export-test-data';

const doc = (utterances: ExportDocument['utterances'], names: ExportDocument['names'] = {}): ExportDocument => ({
  title: 'Weekly sync',
  startedAt: Date.UTC(2026, 10, 25, 14, 0),
  utterances,
  names,
});

describe('formatCueTime', () => {
  it.each([
    [0, ',', '00:00:00,000'],
    [1, ',', '00:00:00,001'],
    [61_500, ',', '00:01:01,500'],
    [3_723_456, '.', '01:02:03.456'],
    [100 * 3_600_000, ',', '100:00:00,000'],
    [-5, ',', '00:00:00,000'],
    [Number.NaN, '.', '00:00:00.000'],
  ] as const)('formats %s ms as %s', (ms, separator, expected) => {
    expect(formatCueTime(ms, separator)).toBe(expected);
  });
});

describe('transcriptToSrt', () => {
  const utterances = [
    spoken('Good morning everyone, shall we begin?', 1.2, 0),
    spoken('Yes. The budget is ready for review.', 5, 1),
    spoken(LONG_MONOLOGUE, 9, 0, 0.3),
    spoken('Thanks & see you <soon>.', 3700, 1),
  ];

  it('writes a file a strict SRT parser reads: numbered cues, monotonic, non-overlapping, every word in order', () => {
    const srt = transcriptToSrt(doc(utterances, { 0: 'Dana' }));
    const cues = parseSrtStrict(srt);
    expect(cues.length).toBeGreaterThan(utterances.length);
    for (let i = 0; i < cues.length; i++) {
      const cue = cues[i]!;
      expect(cue.end).toBeGreaterThan(cue.start);
      expect(cue.end - cue.start).toBeLessThanOrEqual(7000);
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
      if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(cues[i - 1]!.end);
    }
    const text = cues
      .flatMap((c) => c.lines)
      .join(' ')
      .replace(/(Dana|Speaker 2): /g, '');
    expect(text).toBe(utterances.map((u) => u.text).join(' '));
  });

  it('starts each utterance with its speaker, using the name the user gave', () => {
    const cues = parseSrtStrict(transcriptToSrt(doc(utterances, { 0: 'Dana' })));
    expect(cues[0]?.lines.join(' ')).toBe('Dana: Good morning everyone, shall we begin?');
    expect(cues[1]?.lines.join(' ')).toBe('Speaker 2: Yes. The budget is ready for review.');
    expect(cues[0]).toMatchObject({ start: 1200 });
  });

  it('writes times past an hour as HH:MM:SS,mmm of meeting time', () => {
    const srt = transcriptToSrt(doc(utterances));
    expect(srt).toMatch(/\n01:01:40,000 --> 01:01:4\d,\d{3}\nSpeaker 2: Thanks & see you <soon>\.\n$/);
  });

  it('writes nothing for an empty transcript, and no speaker label without diarization', () => {
    expect(transcriptToSrt(doc([]))).toBe('');
    const cues = parseSrtStrict(transcriptToSrt(doc([spoken('plain words', 0, null)])));
    expect(cues[0]?.lines).toEqual(['plain words']);
  });

  it('never writes a blank line inside a cue, even when the text had line breaks', () => {
    const odd = { ...spoken('one two', 0, 0), words: [], text: 'one\n\n two\r\n' };
    const cues = parseSrtStrict(transcriptToSrt(doc([odd])));
    expect(cues).toHaveLength(1);
    expect(cues[0]?.lines).toEqual(['Speaker 1: one two']);
  });
});
