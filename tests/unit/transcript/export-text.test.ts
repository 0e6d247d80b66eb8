import { describe, expect, it } from 'vitest';
import { formatClock, transcriptToPlainText } from '@/lib/transcript/export-text';
import type { Segment, TranscriptSnapshot, Utterance } from '@/lib/transcript/types';

function utterance(id: string, start: number, speaker: number | null, text: string): Utterance {
  return { id, start, end: start + 1, speaker, text, words: [], channel: 0, closed: true };
}

describe('formatClock', () => {
  it.each([
    [0, '00:00:00'],
    [62.9, '00:01:02'],
    [3599.99, '00:59:59'],
    [3600, '01:00:00'],
    [100 * 3600 + 61, '100:01:01'],
    [-5, '00:00:00'],
    [Number.NaN, '00:00:00'],
    [Number.POSITIVE_INFINITY, '00:00:00'],
  ])('formats %s s as %s', (seconds, expected) => {
    expect(formatClock(seconds)).toBe(expected);
  });
});

describe('transcriptToPlainText', () => {
  const interim: Segment = { words: [], text: 'still going', start: 70, end: 71, speaker: 0, channel: 0 };
  const snapshot: TranscriptSnapshot = {
    utterances: [utterance('u1', 62, 0, 'Hello there.'), utterance('u2', 65.5, 1, 'Hi!'), utterance('u3', 68, null, 'No diarization.')],
    interims: [interim],
  };

  it('writes one "[hh:mm:ss] Speaker N: text" line per utterance, without the interim by default', () => {
    expect(transcriptToPlainText(snapshot)).toBe(
      ['[00:01:02] Speaker 1: Hello there.', '[00:01:05] Speaker 2: Hi!', '[00:01:08] No diarization.'].join('\n'),
    );
  });

  it('adds the interim as a last line only when asked', () => {
    expect(transcriptToPlainText(snapshot, undefined, { includeInterim: true }).split('\n').at(-1)).toBe('[00:01:10] Speaker 1: still going');
  });

  it('uses speaker names', () => {
    expect(transcriptToPlainText(snapshot, { 1: 'Bo' }).split('\n')[1]).toBe('[00:01:05] Bo: Hi!');
  });

  it('keeps one line per utterance whatever whitespace the text holds, skips empty ones, and keeps markup as text', () => {
    const odd: TranscriptSnapshot = {
      utterances: [utterance('a', 0, 0, 'two\nlines\tand  <b>tags</b>'), utterance('b', 1, 0, '   ')],
      interims: [],
    };
    expect(transcriptToPlainText(odd)).toBe('[00:00:00] Speaker 1: two lines and <b>tags</b>');
  });

  it('is empty for an empty transcript', () => {
    expect(transcriptToPlainText({ utterances: [], interims: [] }, undefined, { includeInterim: true })).toBe('');
  });
});
