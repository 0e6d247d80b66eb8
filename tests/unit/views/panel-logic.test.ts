import { describe, expect, it } from 'vitest';
import { isAtBottom } from '@/lib/views/auto-scroll';
import { selectionToPlainText } from '@/lib/views/selection-text';
import { formatDuration, summarizeUtterances } from '@/lib/views/session-history';
import type { Utterance } from '@/lib/transcript/types';

describe('auto-scroll', () => {
  it('counts the bottom within a small slack as "at the bottom"', () => {
    expect(isAtBottom({ scrollTop: 600, scrollHeight: 1000, clientHeight: 400 })).toBe(true);
    expect(isAtBottom({ scrollTop: 580, scrollHeight: 1000, clientHeight: 400 })).toBe(true);
    expect(isAtBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 400 })).toBe(false);
    expect(isAtBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 })).toBe(true);
  });
});

describe('copying the selection', () => {
  it('writes one line per utterance touched, with its speaker name and time', () => {
    expect(
      selectionToPlainText(
        [
          { start: 62, speaker: 0, text: 'budget is\n ready' },
          { start: 65, speaker: 1, text: 'Yes' },
          { start: 70, speaker: null, text: '   ' },
        ],
        { 0: 'Dana' },
      ),
    ).toBe('[00:01:02] Dana: budget is ready\n[00:01:05] Speaker 2: Yes');
  });
});

describe('session summaries', () => {
  const u = (start: number, end: number, text: string, words = 0): Utterance => ({
    id: String(start),
    start,
    end,
    text,
    speaker: 0,
    channel: 0,
    closed: true,
    words: Array.from({ length: words }, (_, i) => ({ text: 'w', start: start + i, end: start + i + 1, confidence: 1, speaker: 0 })),
  });

  it('measures length in meeting time and counts words', () => {
    expect(summarizeUtterances([u(1, 3, 'a b c', 3), u(10, 3725, 'text only here')])).toEqual({ durationSeconds: 3725, wordCount: 6 });
    expect(summarizeUtterances([])).toEqual({ durationSeconds: 0, wordCount: 0 });
  });

  it('formats lengths as a clock', () => {
    expect(formatDuration(45)).toBe('0:45');
    expect(formatDuration(750)).toBe('12:30');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('0:00');
  });
});
