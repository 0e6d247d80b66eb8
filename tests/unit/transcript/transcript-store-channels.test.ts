import { describe, expect, it } from 'vitest';
import { inputsOf } from '@/lib/contract/messages';
import type { ResultsEvent } from '@/lib/listen/protocol';
import { ECHO_MAX_HOLD_SECONDS } from '@/lib/transcript/echo-guard';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import { MEETING_MIC_CHANNEL, TranscriptStore, transcriptStoreOptionsFor } from '@/lib/transcript/transcript-store';
import type { Word } from '@/lib/transcript/types';

type W = [text: string, start: number, end: number, speaker?: number | null];

function words(list: W[]): Word[] {
  return list.map(([text, start, end, speaker = null]) => ({ text, start, end, confidence: 0.9, speaker }));
}

/** A result of `channel` covering its words (or flags.start/duration when given). */
function results(channel: number, list: W[], flags: Partial<ResultsEvent> = {}): ResultsEvent {
  const ws = words(list);
  const start = flags.start ?? ws[0]?.start ?? 0;
  const end = ws[ws.length - 1]?.end ?? start;
  return {
    kind: 'results',
    isFinal: false,
    speechFinal: false,
    fromFinalize: false,
    start,
    duration: flags.duration ?? end - start,
    transcript: ws.map((w) => w.text).join(' '),
    words: ws,
    timed: true,
    channel,
    ...flags,
  };
}

const TAB = 0;
const MIC = MEETING_MIC_CHANNEL;
const final = (channel: number, list: W[], flags: Partial<ResultsEvent> = {}) => results(channel, list, { ...flags, isFinal: true });
const interim = (channel: number, list: W[], flags: Partial<ResultsEvent> = {}) => results(channel, list, { ...flags, isFinal: false });

const rows = (store: TranscriptStore) => store.snapshot().utterances.map((u) => [u.channel, u.speaker, u.text]);
const tails = (store: TranscriptStore) => store.snapshot().interims.map((s) => [s.channel, s.speaker, s.text]);

function meeting(echoGuard: boolean): TranscriptStore {
  return new TranscriptStore({ youChannel: MIC, echoGuard });
}

describe('TranscriptStore: channels are independent', () => {
  it('keeps one utterance per channel when their finals arrive interleaved', () => {
    const store = new TranscriptStore();
    store.apply(final(TAB, [['So', 0, 0.3], ['the', 0.4, 0.5]]));
    store.apply(final(MIC, [['Right,', 0.2, 0.5]]));
    store.apply(final(TAB, [['plan', 0.6, 0.9], ['is', 1, 1.1]]));
    store.apply(final(MIC, [['I', 0.6, 0.7], ['see.', 0.8, 1]], { speechFinal: true }));
    store.apply(final(TAB, [['ready.', 1.2, 1.5]], { speechFinal: true }));
    expect(rows(store)).toEqual([
      [TAB, null, 'So the plan is ready.'],
      [MIC, null, 'Right, I see.'],
    ]);
    expect(store.snapshot().utterances.every((u) => u.closed)).toBe(true);
  });

  it('orders utterances by start time whatever channel and arrival order', () => {
    const store = new TranscriptStore();
    store.apply(final(TAB, [['later', 5, 5.5]], { speechFinal: true }));
    store.apply(final(MIC, [['earlier', 2, 2.5]], { speechFinal: true }));
    store.apply(final(TAB, [['last', 8, 8.5]], { speechFinal: true }));
    store.apply(final(MIC, [['between', 6, 6.5]], { speechFinal: true }));
    expect(store.snapshot().utterances.map((u) => u.text)).toEqual(['earlier', 'later', 'between', 'last']);
  });

  it("keeps each channel's interim tail until that channel's own final", () => {
    const store = new TranscriptStore();
    store.apply(interim(TAB, [['hel', 0, 0.3]]));
    const update = store.apply(interim(MIC, [['yes', 0.1, 0.3]]));
    expect(update?.interims.map((s) => [s.channel, s.text])).toEqual([
      [TAB, 'hel'],
      [MIC, 'yes'],
    ]);
    const tabFinal = store.apply(final(TAB, [['hello', 0, 0.4]]));
    expect(tabFinal?.interims.map((s) => [s.channel, s.text])).toEqual([[MIC, 'yes']]);
    store.apply(final(MIC, [['yes', 0.1, 0.3]]));
    expect(store.snapshot().interims).toEqual([]);
  });

  it("does not take one channel's words for a repeat of the other's over the same span", () => {
    const store = new TranscriptStore();
    store.apply(final(TAB, [['one', 0, 0.5], ['two', 0.6, 1]]));
    store.apply(final(MIC, [['three', 0.2, 0.7]]));
    // A real repeat on the tab (a replay after a reconnect) is still dropped.
    store.apply(final(TAB, [['one', 0, 0.5]]));
    expect(rows(store)).toEqual([
      [TAB, null, 'one two'],
      [MIC, null, 'three'],
    ]);
  });

  it("closes only the named channel's utterance on UtteranceEnd", () => {
    const store = new TranscriptStore();
    store.apply(final(TAB, [['still', 0, 0.4]]));
    store.apply(final(MIC, [['done', 0.1, 0.4]]));
    const update = store.apply({ kind: 'utterance-end', lastWordEnd: 0.4, channel: MIC });
    expect(update?.changed.map((u) => [u.channel, u.closed])).toEqual([[MIC, true]]);
    store.apply(final(TAB, [['going', 0.5, 0.9]]));
    expect(rows(store)).toEqual([
      [TAB, null, 'still going'],
      [MIC, null, 'done'],
    ]);
  });

  it('places a late word of one channel among its own utterances, not the other channel\'s', () => {
    const store = new TranscriptStore();
    store.apply(final(TAB, [['a', 0, 0.2]], { speechFinal: true }));
    store.apply(final(MIC, [['x', 1, 1.2]], { speechFinal: true }));
    store.apply(final(TAB, [['c', 2, 2.2]]));
    store.apply(final(TAB, [['b', 0.5, 0.7]]));
    expect(rows(store)).toEqual([
      [TAB, null, 'a b'],
      [MIC, null, 'x'],
      [TAB, null, 'c'],
    ]);
  });
});

describe('TranscriptStore: "You" in a meeting', () => {
  it('gives every word of the You channel the speaker YOU_SPEAKER, in finals and the interim tail', () => {
    const store = meeting(false);
    store.apply(interim(MIC, [['hi', 0, 0.2, 3]]));
    expect(tails(store)).toEqual([[MIC, YOU_SPEAKER, 'hi']]);
    store.apply(final(MIC, [['hi', 0, 0.2, 3], ['all', 0.3, 0.5, 0]]));
    store.apply(final(TAB, [['hello', 1, 1.3, 0]]));
    const snap = store.snapshot();
    expect(rows(store)).toEqual([
      [MIC, YOU_SPEAKER, 'hi all'],
      [TAB, 0, 'hello'],
    ]);
    expect(snap.utterances[0]?.words.map((w) => w.speaker)).toEqual([YOU_SPEAKER, YOU_SPEAKER]);
  });

  it('leaves speakers as diarized without a You channel (a microphone-only session)', () => {
    const store = new TranscriptStore(transcriptStoreOptionsFor('mic', 'u'));
    store.apply(final(0, [['lecture', 0, 0.5, 1]]));
    expect(rows(store)).toEqual([[0, 1, 'lecture']]);
  });

  it('makes the microphone "You", with the guard, only for a meeting', () => {
    expect(transcriptStoreOptionsFor('tab-and-mic', 's1-')).toEqual({ idPrefix: 's1-', youChannel: MIC, echoGuard: true });
    expect(transcriptStoreOptionsFor('tab', 's1-')).toEqual({ idPrefix: 's1-', youChannel: null });
    expect(transcriptStoreOptionsFor('mic', 's1-')).toEqual({ idPrefix: 's1-', youChannel: null });
    // The microphone's channel is where the contract puts it.
    expect(inputsOf('tab-and-mic')[MIC]).toBe('mic');
  });
});

/** The tab says `others`; the microphone hears them again `delay` later, with `mine` of your own. */
function echoScene(store: TranscriptStore, delay: number): void {
  const others: W[] = [['The', 1, 1.2], ['budget', 1.3, 1.7], ['is', 1.8, 1.9], ['approved.', 2, 2.5]];
  store.apply(final(TAB, others, { start: 1, duration: 1.6, speechFinal: true }));
  const echoed: W[] = others.map(([text, start, end]) => [text, start + delay, end + delay]);
  store.apply(final(MIC, [...echoed, ['Great', 3, 3.3], ['news.', 3.4, 3.8]], { start: 1, duration: 2.9, speechFinal: true }));
  // Later results move the stream on, so nothing waits.
  store.apply(final(TAB, [], { start: 2.6, duration: 2 }));
}

describe('TranscriptStore: the echo guard', () => {
  it("drops the others' words heard again by the microphone, and keeps yours", () => {
    const store = meeting(true);
    echoScene(store, 0.05);
    expect(rows(store)).toEqual([
      [TAB, null, 'The budget is approved.'],
      [MIC, YOU_SPEAKER, 'Great news.'],
    ]);
    expect(store.echoWordsDropped).toBe(4);
  });

  it('labels the echo "You" when it is off', () => {
    const store = meeting(false);
    echoScene(store, 0.05);
    expect(rows(store)).toEqual([
      [TAB, null, 'The budget is approved.'],
      [MIC, YOU_SPEAKER, 'The budget is approved. Great news.'],
    ]);
    expect(store.echoWordsDropped).toBe(0);
  });

  it('keeps your words said at the same time as different words, and the same word said far apart', () => {
    const store = meeting(true);
    store.apply(final(TAB, [['the', 1, 1.2], ['plan', 1.3, 1.6]], { speechFinal: true }));
    store.apply(final(MIC, [['wait', 1, 1.3], ['the', 4, 4.2], ['plan?', 4.3, 4.6]], { speechFinal: true }));
    store.apply(final(TAB, [], { start: 1.6, duration: 4 }));
    // Both start at 1 s: the tab's came first.
    expect(rows(store)).toEqual([
      [TAB, null, 'the plan'],
      [MIC, YOU_SPEAKER, 'wait the plan?'],
    ]);
  });

  it("holds a microphone final that comes before the tab's, showing it as your tail, and decides it when the tab's comes", () => {
    const store = meeting(true);
    store.apply(interim(TAB, [['hello', 1, 1.4]]));
    const held = store.apply(final(MIC, [['hello', 1.05, 1.45], ['yes', 1.6, 1.8]], { speechFinal: true }));
    expect(held?.changed).toEqual([]);
    // The echo is not shown as yours meanwhile (it matches the tab's tail); your word is.
    expect(held?.interims.map((s) => [s.channel, s.speaker, s.text])).toEqual([
      [TAB, null, 'hello'],
      [MIC, YOU_SPEAKER, 'yes'],
    ]);
    expect(rows(store)).toEqual([]);
    const decided = store.apply(final(TAB, [['hello', 1, 1.4]], { start: 1, duration: 1, speechFinal: true }));
    expect(decided?.changed.map((u) => [u.channel, u.text, u.closed])).toEqual([
      [TAB, 'hello', true],
      [MIC, 'yes', true],
    ]);
    expect(decided?.interims).toEqual([]);
  });

  it('bounds the hold: when the tab says nothing, your words go in once the stream is past them by the limit', () => {
    const store = meeting(true);
    store.apply(final(MIC, [['anyone', 1, 1.4], ['there?', 1.5, 1.9]], { speechFinal: true }));
    store.apply(interim(MIC, [['hello', 2.5, 2.8]]));
    expect(rows(store)).toEqual([]);
    const update = store.apply(interim(MIC, [['hello', 2.5, 2.8], ['hello', 1.9 + ECHO_MAX_HOLD_SECONDS, 2 + ECHO_MAX_HOLD_SECONDS]]));
    expect(update?.changed.map((u) => [u.text, u.closed])).toEqual([['anyone there?', true]]);
  });

  it('keeps an UtteranceEnd of the You channel behind the words still held', () => {
    const store = meeting(true);
    store.apply(final(MIC, [['one', 1, 1.3]]));
    expect(store.apply({ kind: 'utterance-end', lastWordEnd: 1.3, channel: MIC })).toBeNull();
    store.apply(final(TAB, [], { start: 0, duration: 2 }));
    store.apply(final(MIC, [['two', 3, 3.3]]));
    store.apply(final(TAB, [], { start: 2, duration: 2 }));
    expect(store.snapshot().utterances.map((u) => [u.text, u.closed])).toEqual([
      ['one', true],
      ['two', false],
    ]);
  });

  it('flush decides everything still held (the end of a session)', () => {
    const store = meeting(true);
    store.apply(final(TAB, [['bye', 1, 1.3]]));
    store.apply(final(MIC, [['bye', 1.1, 1.4], ['now', 1.5, 1.8]], { speechFinal: true }));
    expect(rows(store)).toEqual([[TAB, null, 'bye']]);
    const update = store.flush();
    expect(update?.changed.map((u) => [u.text, u.closed])).toEqual([['now', true]]);
    expect(store.flush()).toBeNull();
    expect(store.snapshot().interims).toEqual([]);
  });

  it("decides what it holds when the stream ends (the server's Metadata)", () => {
    const store = meeting(true);
    store.apply(final(MIC, [['last', 1, 1.3], ['words', 1.4, 1.7]], { speechFinal: true }));
    expect(rows(store)).toEqual([]);
    const update = store.apply({ kind: 'metadata', requestId: 'r', duration: 2 });
    expect(update?.changed.map((u) => [u.text, u.closed])).toEqual([['last words', true]]);
    expect(store.apply({ kind: 'metadata', requestId: 'r', duration: 2 })).toBeNull();
  });

  it('does nothing outside a meeting: microphone-channel words of a session without You are placed at once', () => {
    const store = new TranscriptStore({ echoGuard: true });
    store.apply(final(TAB, [['hello', 1, 1.4]]));
    store.apply(final(MIC, [['hello', 1.05, 1.45]]));
    expect(rows(store)).toEqual([
      [TAB, null, 'hello'],
      [MIC, null, 'hello'],
    ]);
  });
});
