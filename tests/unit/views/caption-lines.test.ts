import { describe, expect, it } from 'vitest';
import { captionLines } from '@/lib/overlay/caption-lines';
import type { Utterance } from '@/lib/transcript/types';

function utterance(id: string, speaker: number | null, text: string, start: number): Utterance {
  return { id, speaker, text, start, end: start + 1, words: [], closed: true };
}

describe('captionLines', () => {
  it('shows the last finals and the interim tail, interim last and marked not final', () => {
    const lines = captionLines(
      {
        utterances: [utterance('a', 0, 'one', 0), utterance('b', 0, 'two', 1), utterance('c', 1, 'three', 2)],
        interim: { text: 'four', words: [], start: 3, end: 4, speaker: 1 },
      },
      3,
    );
    expect(lines.map((l) => [l.text, l.final])).toEqual([
      ['two', true],
      ['three', true],
      ['four', false],
    ]);
  });

  it('names the speaker only when the speaker changes, judged against the line scrolled away', () => {
    const lines = captionLines(
      { utterances: [utterance('a', 0, 'one', 0), utterance('b', 0, 'two', 1), utterance('c', 1, 'three', 2)], interim: null },
      2,
    );
    expect(lines.map((l) => l.speakerChanged)).toEqual([false, true]);
  });

  it('never names speakers without diarization', () => {
    const lines = captionLines({ utterances: [utterance('a', null, 'one', 0)], interim: null }, 3);
    expect(lines[0]?.speakerChanged).toBe(false);
  });

  it('skips empty text', () => {
    expect(captionLines({ utterances: [utterance('a', 0, '  ', 0)], interim: null }, 3)).toEqual([]);
  });
});
