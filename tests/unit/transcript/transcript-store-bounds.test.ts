/**
 * What one live session may hold against an upstream that sends far more text than anyone speaks:
 * one utterance's length, the interim tail, and the whole transcript are bounded; a cut is marked
 * with TRUNCATION_MARK at a word boundary, and what was captured within the bounds is kept whole.
 */
import { describe, expect, it } from 'vitest';
import type { ResultsEvent } from '@/lib/listen/protocol';
import { MAX_STORE_CHARS, MAX_STORE_WORDS, MAX_UTTERANCE_CHARS, TranscriptStore, TRUNCATION_MARK } from '@/lib/transcript/transcript-store';
import type { Word } from '@/lib/transcript/types';

/** `count` words of `chars` characters each (distinct, so every one can be found again), one per 0.1 s from `from`. */
function longWords(count: number, chars: number, from = 0, tag = 'w'): Word[] {
  return Array.from({ length: count }, (_, i) => {
    const stem = `${tag}${from + i}-`;
    return { text: stem.repeat(Math.ceil(chars / stem.length)).slice(0, chars), start: (from + i) * 0.1, end: (from + i) * 0.1 + 0.09, confidence: 0.9, speaker: null };
  });
}

function results(words: Word[], isFinal: boolean): ResultsEvent {
  const start = words[0]?.start ?? 0;
  const end = words[words.length - 1]?.end ?? start;
  return { kind: 'results', isFinal, speechFinal: isFinal, fromFinalize: false, start, duration: end - start, transcript: '', words, timed: true, channel: 0 };
}

const allWords = (store: TranscriptStore) => store.snapshot().utterances.flatMap((u) => u.words.map((w) => w.text));

describe('TranscriptStore bounds', () => {
  it('ends an utterance at MAX_UTTERANCE_CHARS and goes on in a new one, losing no word', () => {
    const store = new TranscriptStore();
    // The most one message may carry (lib/listen/protocol.ts): 2,000 words of 100 characters.
    const sent = longWords(2000, 100);
    store.apply(results(sent, true));
    const utterances = store.snapshot().utterances;
    expect(Math.max(...utterances.map((u) => u.text.length))).toBeLessThanOrEqual(MAX_UTTERANCE_CHARS);
    expect(allWords(store)).toEqual(sent.map((w) => w.text));
    for (const u of utterances) expect(u.text).toBe(u.words.map((w) => w.text).join(' '));
  });

  it('splits at a lower limit too, between words', () => {
    const store = new TranscriptStore({ maxUtteranceChars: 20 });
    store.apply(results(longWords(7, 6), true)); // "w0-w0-" ... 6 characters each: three fit in 20
    expect(store.snapshot().utterances.map((u) => u.words.length)).toEqual([3, 3, 1]);
  });

  it('shows an interim tail past the utterance limit as its first whole words and the mark', () => {
    const store = new TranscriptStore();
    const sent = longWords(2000, 100);
    const update = store.apply(results(sent, false));
    const interim = update?.interims[0];
    expect(interim?.text.length).toBeLessThanOrEqual(MAX_UTTERANCE_CHARS);
    const words = interim?.words.map((w) => w.text) ?? [];
    expect(words.at(-1)).toBe(TRUNCATION_MARK);
    expect(words.slice(0, -1)).toEqual(sent.slice(0, words.length - 1).map((w) => w.text));
    expect(interim?.text.endsWith(` ${TRUNCATION_MARK}`)).toBe(true);
  });

  it('stops the transcript at MAX_STORE_CHARS with the mark as its last word, keeping everything before it', () => {
    const store = new TranscriptStore();
    const sent: Word[] = [];
    // 200,000 characters a message: the bound is reached within a few messages of a hostile upstream.
    for (let i = 0; i < 8; i++) {
      const words = longWords(2000, 100, i * 2000);
      sent.push(...words);
      store.apply(results(words, true));
    }
    const kept = allWords(store);
    const chars = store.snapshot().utterances.reduce((sum, u) => sum + u.text.length + 1, 0);
    expect(chars).toBeLessThanOrEqual(MAX_STORE_CHARS);
    expect(kept.at(-1)).toBe(TRUNCATION_MARK);
    expect(kept.slice(0, -1)).toEqual(sent.slice(0, kept.length - 1).map((w) => w.text));
    expect(kept.length - 1).toBeGreaterThan(MAX_STORE_CHARS / 101 - 10); // nothing within the bound was dropped
    expect(store.truncated).toBe(true);
  });

  it('after the mark keeps nothing more, finals nor interims, and closes the last utterance', () => {
    const store = new TranscriptStore({ maxStoreChars: 60 });
    store.apply(results(longWords(3, 9), true)); // 30 characters with spaces
    const cut = store.apply(results(longWords(5, 9, 3), true));
    expect(cut?.changed.at(-1)?.words.at(-1)?.text).toBe(TRUNCATION_MARK);
    expect(cut?.changed.at(-1)?.closed).toBe(true);
    const before = store.snapshot();
    expect(store.apply(results(longWords(2, 9, 20), false))).toBeNull();
    expect(store.apply(results(longWords(2, 9, 30), true))).toBeNull();
    expect(store.snapshot()).toEqual(before);
    expect(before.interims).toEqual([]);
    expect(allWords(store).filter((w) => w === TRUNCATION_MARK)).toHaveLength(1);
  });

  it('bounds the number of words too, for short words', () => {
    const store = new TranscriptStore();
    for (let i = 0; i < 110; i++) store.apply(results(longWords(2000, 1, i * 2000), true));
    const kept = allWords(store);
    expect(kept.length).toBeLessThanOrEqual(MAX_STORE_WORDS);
    expect(kept.at(-1)).toBe(TRUNCATION_MARK);
  });

  it('puts a late word whose utterance is full in an utterance of its own, in time order', () => {
    const store = new TranscriptStore({ maxUtteranceChars: 20 });
    store.apply(results(longWords(3, 6, 0), true)); // fills the first utterance (20 characters), covers 0-0.29 s
    store.apply(results(longWords(1, 6, 50, 'x'), true)); // at 5 s
    // At 1 s: in no final's span, so not a duplicate, and before the latest word: late.
    const late = { ...longWords(1, 6, 10, 'y')[0]!, start: 1, end: 1.09 };
    store.apply({ ...results([late], true), duration: 0, timed: true });
    const utterances = store.snapshot().utterances;
    expect(utterances.map((u) => u.words.map((w) => w.text[0]).join(''))).toEqual(['www', 'y', 'x']);
    expect(utterances.every((u) => u.text.length <= 20)).toBe(true);
  });
});
