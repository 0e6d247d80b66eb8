/** One caption line's text is bounded: the newest whole words after the mark, whatever the upstream sent. */
import { describe, expect, it } from 'vitest';
import { captionLines, MAX_CAPTION_LINE_CHARS } from '@/lib/overlay/caption-lines';
import { TRUNCATION_MARK } from '@/lib/transcript/truncation-mark';
import type { Segment, Utterance } from '@/lib/transcript/types';

/** `count` distinct words of 9 characters ("word00001"...), from `first`. */
const wordsText = (count: number, first = 0) => Array.from({ length: count }, (_, i) => `word${String(first + i).padStart(5, '0')}`).join(' ');

function utterance(text: string, closed = true): Utterance {
  return { id: 'u1', speaker: null, text, start: 0, end: 1, words: [], channel: 0, closed };
}

function interim(text: string): Segment {
  return { text, words: [], start: 1, end: 2, speaker: null, channel: 0 };
}

/** The line is the mark, then a suffix of `original` that starts at a whole word. */
function expectNewestWords(shown: string, original: string): void {
  expect(shown.startsWith(`${TRUNCATION_MARK} `)).toBe(true);
  const rest = shown.slice(TRUNCATION_MARK.length + 1);
  expect(original.endsWith(rest)).toBe(true);
  expect(original.split(' ')).toEqual(expect.arrayContaining(rest.split(' ')));
  expect(original.charAt(original.length - rest.length - 1)).toBe(' ');
}

describe('caption line bound', () => {
  it('shows a final line past MAX_CAPTION_LINE_CHARS as its newest whole words after the mark', () => {
    const text = wordsText(1000); // 9,999 characters
    const [line] = captionLines({ utterances: [utterance(text)], interims: [] }, 3);
    expect(line!.finalText.length).toBeLessThanOrEqual(MAX_CAPTION_LINE_CHARS);
    expect(line!.finalText.length).toBeGreaterThan(MAX_CAPTION_LINE_CHARS - 12); // only what did not fit went
    expectNewestWords(line!.finalText, text);
  });

  it('keeps the interim tail whole and cuts the final text before it', () => {
    const finals = wordsText(300);
    const tail = wordsText(20, 300);
    const [line] = captionLines({ utterances: [utterance(finals, false)], interims: [interim(tail)] }, 3);
    expect(line!.interimText).toBe(tail);
    expect(line!.finalText.length + 1 + line!.interimText.length).toBeLessThanOrEqual(MAX_CAPTION_LINE_CHARS);
    expectNewestWords(line!.finalText, finals);
  });

  it('cuts an interim tail that alone is past the bound', () => {
    const tail = wordsText(500);
    const lines = captionLines({ utterances: [], interims: [interim(tail)] }, 3);
    expect(lines[0]!.interimText.length).toBeLessThanOrEqual(MAX_CAPTION_LINE_CHARS);
    expectNewestWords(lines[0]!.interimText, tail);
  });

  it('leaves a line within the bound exactly as it was', () => {
    const text = wordsText(150); // 1,499 characters
    expect(captionLines({ utterances: [utterance(text)], interims: [] }, 3)[0]!.finalText).toBe(text);
  });
});
