import { describe, expect, it } from 'vitest';
import {
  ECHO_JITTER_SECONDS,
  ECHO_MAX_DELAY_SECONDS,
  ECHO_MAX_HOLD_SECONDS,
  EchoGuard,
  isEcho,
  normalizeWord,
  withoutEchoes,
} from '@/lib/transcript/echo-guard';
import type { Word } from '@/lib/transcript/types';

const word = (text: string, start: number, end = start + 0.3): Word => ({ text, start, end, confidence: 0.9, speaker: null });
const texts = (list: readonly Word[]) => list.map((w) => w.text);

describe('normalizeWord', () => {
  it('compares words by their letters and digits, in lower case', () => {
    expect(normalizeWord('Approved.')).toBe('approved');
    expect(normalizeWord('“Don’t,”')).toBe('dont');
    expect(normalizeWord('Ｈｅｌｌｏ')).toBe('hello');
    expect(normalizeWord('Köln!')).toBe('köln');
    expect(normalizeWord('…')).toBe('');
  });
});

describe('isEcho', () => {
  const tab = [word('budget', 2, 2.4)];

  it('matches the same word heard up to the maximum delay later', () => {
    for (const delay of [0, 0.05, 0.2, ECHO_MAX_DELAY_SECONDS]) {
      expect(isEcho(word('Budget,', 2 + delay, 2.4 + delay), tab), `delay ${delay}`).toBe(true);
    }
  });

  it('does not match the same word once it is clear of the tab word and the delay', () => {
    const after = 2.4 + ECHO_MAX_DELAY_SECONDS + ECHO_JITTER_SECONDS;
    expect(isEcho(word('budget', after, after + 0.4), tab)).toBe(false);
    expect(isEcho(word('budget', 1.2, 2 - ECHO_JITTER_SECONDS), tab)).toBe(false);
    expect(isEcho(word('budget', 9, 9.4), tab)).toBe(false);
  });

  it('does not match a different word at the same time, nor a word of punctuation only', () => {
    expect(isEcho(word('budgets', 2, 2.4), tab)).toBe(false);
    expect(isEcho(word('—', 2, 2.4), [word('—', 2, 2.4)])).toBe(false);
  });

  it('filters a list, keeping the order of what is left', () => {
    const mic = [word('yes', 1.5, 1.8), word('budget', 2.05, 2.45), word('indeed', 2.6, 2.9)];
    expect(texts(withoutEchoes(mic, tab))).toEqual(['yes', 'indeed']);
  });
});

describe('EchoGuard', () => {
  it('holds microphone words until the tab is settled past them, then drops the echoes', () => {
    const guard = new EchoGuard();
    guard.hold([word('hello', 1.05, 1.35), word('mine', 1.5, 1.8)], true);
    expect(guard.release()).toEqual([]);
    expect(texts(guard.heldWords())).toEqual(['hello', 'mine']);
    // The tab settles up to 1.5: 'hello' can be judged, 'mine' (ending at 1.8) not yet.
    guard.addTabFinal([word('Hello', 1, 1.3)], 1.5);
    expect(guard.release()).toEqual([]);
    expect(texts(guard.heldWords())).toEqual(['mine']);
    guard.addTabFinal([], 2);
    expect(guard.release()).toEqual([{ words: [word('mine', 1.5, 1.8)], closes: true }]);
    expect(guard.holding).toBe(false);
    expect(guard.dropped).toBe(1);
  });

  it('releases words as soon as they are decided when the tab is already ahead', () => {
    const guard = new EchoGuard();
    guard.addTabFinal([word('so', 1, 1.2)], 3);
    guard.hold([word('so', 1.1, 1.3), word('right', 1.4, 1.7)], false);
    expect(guard.release()).toEqual([{ words: [word('right', 1.4, 1.7)], closes: false }]);
  });

  it('gives up waiting once the stream is the hold limit past a word, and judges it by what it knows', () => {
    const guard = new EchoGuard();
    guard.addTabFinal([word('ok', 1, 1.2)], 1.2);
    guard.hold([word('ok', 1.1, 1.3), word('fine', 1.4, 1.6)], false);
    guard.observe(1.6 + ECHO_MAX_HOLD_SECONDS - 0.01);
    expect(guard.release()).toEqual([]);
    guard.observe(1.6 + ECHO_MAX_HOLD_SECONDS);
    expect(guard.release()).toEqual([{ words: [word('fine', 1.4, 1.6)], closes: false }]);
  });

  it('keeps the order of batches, and an empty batch that closes keeps its place', () => {
    const guard = new EchoGuard();
    guard.hold([word('a', 1, 1.2)], false);
    guard.hold([], true);
    guard.hold([word('b', 5, 5.2)], false);
    guard.addTabFinal([], 2);
    expect(guard.release()).toEqual([
      { words: [word('a', 1, 1.2)], closes: false },
      { words: [], closes: true },
    ]);
    expect(texts(guard.heldWords())).toEqual(['b']);
    expect(guard.flush()).toEqual([{ words: [word('b', 5, 5.2)], closes: false }]);
  });

  it('filters an interim tail against the tab finals and the tab tail, without holding it', () => {
    const guard = new EchoGuard();
    guard.addTabFinal([word('first', 1, 1.3)], 1.3);
    const tail = [word('first', 1.1, 1.4), word('second', 1.5, 1.8), word('mine', 1.9, 2.1)];
    expect(texts(guard.withoutEchoes(tail, [word('second', 1.45, 1.75)]))).toEqual(['mine']);
    expect(guard.holding).toBe(false);
  });

  it('forgets tab words that are long past, so the reference stays small', () => {
    const guard = new EchoGuard();
    guard.addTabFinal([word('early', 1, 1.3)], 1.3);
    guard.observe(100);
    guard.hold([word('early', 1.1, 1.4)], false);
    expect(texts(guard.flush().flatMap((b) => b.words))).toEqual(['early']);
  });

  it('is cheap: two hours of echoed speech (20,000 tab words) are judged in a fraction of a second', () => {
    const guard = new EchoGuard();
    const started = performance.now();
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = i * 0.4;
      guard.addTabFinal([word(`w${i % 50}`, t, t + 0.3)], t + 0.4);
      guard.hold([word(`w${i % 50}`, t + 0.05, t + 0.35), word(`mine${i % 7}`, t + 0.1, t + 0.2)], false);
      kept += guard.release().reduce((sum, batch) => sum + batch.words.length, 0);
    }
    kept += guard.flush().reduce((sum, batch) => sum + batch.words.length, 0);
    // Some 0.3 s here; the bound leaves room for a busy machine.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(kept).toBe(20_000);
    expect(guard.dropped).toBe(20_000);
  });
});
