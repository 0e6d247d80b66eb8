import { describe, expect, it } from 'vitest';
import { parseServerMessage, type ListenEvent, type ResultsEvent } from '@/lib/listen/protocol';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import type { Word } from '@/lib/transcript/types';

type W = [text: string, start: number, end: number, speaker?: number | null];

function words(list: W[]): Word[] {
  return list.map(([text, start, end, speaker = null]) => ({ text, start, end, confidence: 0.9, speaker }));
}

function results(list: W[], flags: Partial<ResultsEvent> = {}): ResultsEvent {
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
    channel: 0,
    ...flags,
  };
}

const interim = (list: W[], flags: Partial<ResultsEvent> = {}) => results(list, { ...flags, isFinal: false });
const final = (list: W[], flags: Partial<ResultsEvent> = {}) => results(list, { ...flags, isFinal: true });

function texts(store: TranscriptStore): string[] {
  return store.snapshot().utterances.map((u) => u.text);
}

describe('TranscriptStore: interim, final, speech_final', () => {
  it('replaces the interim tail in place on every interim', () => {
    const store = new TranscriptStore();
    store.apply(interim([['hel', 0, 0.3]]));
    const update = store.apply(interim([['hello', 0, 0.4], ['wor', 0.5, 0.7]]));
    expect(update).toEqual({ changed: [], interims: [expect.objectContaining({ text: 'hello wor', start: 0, end: 0.7, channel: 0 })] });
    expect(store.snapshot()).toEqual({ utterances: [], interims: [expect.objectContaining({ text: 'hello wor' })] });
  });

  it('appends finals to the open utterance and clears the interim', () => {
    const store = new TranscriptStore();
    store.apply(interim([['hello', 0, 0.4]]));
    const first = store.apply(final([['Hello', 0, 0.4]]));
    expect(first?.interims).toEqual([]);
    expect(first?.changed).toHaveLength(1);
    store.apply(interim([['wor', 0.5, 0.7]]));
    const second = store.apply(final([['world.', 0.5, 0.9]]));
    expect(second?.changed.map((u) => [u.id, u.text, u.closed])).toEqual([['u1', 'Hello world.', false]]);
    expect(store.snapshot().interims).toEqual([]);
  });

  it('closes the utterance on speech_final; the next final starts a new one', () => {
    const store = new TranscriptStore();
    store.apply(final([['One.', 0, 0.5]], { speechFinal: true }));
    store.apply(final([['Two.', 1, 1.5]]));
    const snap = store.snapshot();
    expect(snap.utterances.map((u) => [u.id, u.text, u.closed])).toEqual([
      ['u1', 'One.', true],
      ['u2', 'Two.', false],
    ]);
  });

  it('closes the utterance on UtteranceEnd when no speech_final came', () => {
    const store = new TranscriptStore();
    store.apply(final([['Still', 0, 0.4], ['talking', 0.5, 0.9]]));
    const update = store.apply({ kind: 'utterance-end', lastWordEnd: 0.9, channel: 0 });
    expect(update?.changed.map((u) => [u.text, u.closed])).toEqual([['Still talking', true]]);
    store.apply(final([['Next', 3, 3.3]]));
    expect(texts(store)).toEqual(['Still talking', 'Next']);
  });

  it('ignores an UtteranceEnd after speech_final', () => {
    const store = new TranscriptStore();
    store.apply(final([['Done.', 0, 0.5]], { speechFinal: true }));
    expect(store.apply({ kind: 'utterance-end', lastWordEnd: 0.5, channel: 0 })).toBeNull();
    expect(store.snapshot().utterances).toHaveLength(1);
  });

  it('treats a Finalize result as the end of the utterance', () => {
    const store = new TranscriptStore();
    store.apply(final([['Push', 0, 0.3]], { fromFinalize: true }));
    expect(store.snapshot().utterances[0]?.closed).toBe(true);
  });

  it('concatenates several is_final chunks before speech_final (not only the last one)', () => {
    const store = new TranscriptStore();
    store.apply(final([['A', 0, 0.2], ['long', 0.3, 0.5]]));
    store.apply(final([['sentence', 0.6, 1]]));
    store.apply(final([['ends.', 1.1, 1.4]], { speechFinal: true }));
    expect(store.snapshot().utterances.map((u) => [u.text, u.closed, u.start, u.end])).toEqual([['A long sentence ends.', true, 0, 1.4]]);
  });

  it('ignores empty interims, and an empty final adds nothing but clears the tail and honours speech_final', () => {
    const store = new TranscriptStore();
    expect(store.apply(interim([]))).toBeNull();
    expect(store.apply(final([], { start: 0, duration: 1 }))).toBeNull();
    store.apply(final([['Hi', 1, 1.2]]));
    store.apply(interim([['uh', 1.5, 1.6]]));
    expect(store.apply(interim([], { start: 1.5, duration: 0.5 }))).toBeNull();
    expect(store.snapshot().interims.map((i) => i.text)).toEqual(['uh']);
    const update = store.apply(final([], { start: 1.2, duration: 1, speechFinal: true }));
    expect(update?.interims).toEqual([]);
    expect(update?.changed.map((u) => [u.text, u.closed])).toEqual([['Hi', true]]);
    expect(store.snapshot().utterances).toHaveLength(1);
  });

  it('returns null for SpeechStarted and Metadata', () => {
    const store = new TranscriptStore();
    expect(store.apply({ kind: 'speech-started', timestamp: 1, channel: 0 })).toBeNull();
    expect(store.apply({ kind: 'metadata', requestId: 'r', duration: 3 })).toBeNull();
  });
});

describe('TranscriptStore: speakers', () => {
  it('starts a new utterance when the diarized speaker changes within finals; words keep their speaker', () => {
    const store = new TranscriptStore();
    store.apply(final([['Hi', 0, 0.2, 0], ['there.', 0.3, 0.5, 0], ['Hello', 0.8, 1, 1], ['back.', 1.1, 1.3, 1]]));
    store.apply(final([['So', 1.6, 1.7, 0]]));
    const snap = store.snapshot();
    expect(snap.utterances.map((u) => [u.speaker, u.text, u.closed])).toEqual([
      [0, 'Hi there.', true],
      [1, 'Hello back.', true],
      [0, 'So', false],
    ]);
    expect(snap.utterances[1]?.words.map((w) => w.speaker)).toEqual([1, 1]);
  });

  it('never splits without diarization (speaker null)', () => {
    const store = new TranscriptStore();
    store.apply(final([['a', 0, 0.1], ['b', 0.2, 0.3]]));
    store.apply(final([['c', 0.4, 0.5]]));
    expect(store.snapshot().utterances.map((u) => [u.speaker, u.text])).toEqual([[null, 'a b c']]);
  });

  it('gives the interim the speaker of its first diarized word', () => {
    const store = new TranscriptStore();
    store.apply(interim([['x', 0, 0.1, 2]]));
    expect(store.snapshot().interims[0]?.speaker).toBe(2);
  });
});

describe('TranscriptStore: times', () => {
  it('maps every time to meeting time with the given function', () => {
    const store = new TranscriptStore();
    const toMeeting = (s: number) => s + 100;
    store.apply(interim([['hi', 1, 1.5]]), toMeeting);
    expect(store.snapshot().interims[0]).toMatchObject({ start: 101, end: 101.5 });
    store.apply(final([['Hi', 1, 1.5, 0]]), toMeeting);
    const u = store.snapshot().utterances[0];
    expect(u).toMatchObject({ start: 101, end: 101.5 });
    expect(u?.words[0]).toMatchObject({ start: 101, end: 101.5 });
  });

  it('falls back to the raw time when the mapping returns NaN', () => {
    const store = new TranscriptStore();
    store.apply(final([['x', 2, 3]]), () => Number.NaN);
    expect(store.snapshot().utterances[0]).toMatchObject({ start: 2, end: 3 });
  });

  it('lays untimed words after what is already there', () => {
    const store = new TranscriptStore();
    store.apply(final([['first', 5, 6]]));
    store.apply({ ...final([['a', 0, 0], ['b', 0, 0]]), timed: false, start: 0, duration: 0 });
    const ws = store.snapshot().utterances.flatMap((u) => u.words);
    expect(ws.map((w) => [w.text, w.start])).toEqual([
      ['first', 5],
      ['a', 6],
      ['b', 6.3],
    ]);
  });
});

describe('TranscriptStore: ids, duplicates and disorder', () => {
  it('keeps utterance ids stable across updates and unique', () => {
    const store = new TranscriptStore({ idPrefix: 's1-' });
    const a = store.apply(final([['a', 0, 0.1]]));
    const b = store.apply(final([['b', 0.2, 0.3]], { speechFinal: true }));
    const c = store.apply(final([['c', 1, 1.1]]));
    expect(a?.changed[0]?.id).toBe('s1-1');
    expect(b?.changed[0]?.id).toBe('s1-1');
    expect(c?.changed[0]?.id).toBe('s1-2');
  });

  it('drops words of a span already final when a final repeats', () => {
    const store = new TranscriptStore();
    const first = final([['Hello', 0, 0.4], ['world.', 0.5, 0.9]], { start: 0, duration: 1 });
    store.apply(first);
    expect(store.apply(first)).toBeNull();
    // An overlapping final: only the new word counts.
    store.apply(final([['world.', 0.5, 0.9], ['Again', 1.1, 1.4]], { start: 0.5, duration: 1 }));
    expect(texts(store)).toEqual(['Hello world. Again']);
  });

  it('puts a late final for an earlier, uncovered span in time order', () => {
    const store = new TranscriptStore();
    store.apply(final([['three', 2, 2.5]], { start: 2, duration: 1 }));
    store.apply(final([['one', 0, 0.4], ['two', 0.5, 0.9]], { start: 0, duration: 1 }));
    expect(texts(store)).toEqual(['one two three']);
    expect(store.snapshot().utterances[0]?.start).toBe(0);
  });

  it('inserts a late word into the closed utterance it belongs to and reports that utterance', () => {
    const store = new TranscriptStore();
    store.apply(final([['A', 0, 0.2], ['C', 0.6, 0.8]], { start: 0, duration: 0.2 }));
    store.apply(final([['end.', 0.9, 1]], { start: 0.85, duration: 0.2, speechFinal: true }));
    store.apply(final([['Next', 5, 5.3]], { start: 5, duration: 0.3 }));
    const update = store.apply(final([['B', 0.3, 0.5]], { start: 0.3, duration: 0.2 }));
    expect(update?.changed.map((u) => [u.id, u.text])).toEqual([['u1', 'A B C end.']]);
  });

  it('does not let a huge monologue grow one utterance forever', () => {
    const store = new TranscriptStore({ maxUtteranceWords: 10 });
    const list: W[] = Array.from({ length: 25 }, (_, i) => [`w${i}`, i, i + 0.5]);
    store.apply(final(list));
    expect(store.snapshot().utterances.map((u) => u.words.length)).toEqual([10, 10, 5]);
  });

  it('snapshot and updates are copies the caller cannot use to change the store', () => {
    const store = new TranscriptStore();
    const update = store.apply(final([['a', 0, 0.1]]));
    update?.changed[0]?.words.push({ text: 'evil', start: 0, end: 0, confidence: 1, speaker: null });
    const snap = store.snapshot();
    snap.utterances[0]!.text = 'changed';
    expect(texts(store)).toEqual(['a']);
    expect(store.snapshot().utterances[0]?.words).toHaveLength(1);
  });
});

describe('TranscriptStore: the seed-style shape', () => {
  function seed(json: object): ListenEvent {
    const parsed = parseServerMessage(JSON.stringify({ type: 'transcription', ...json }));
    if (!parsed.ok) throw new Error(parsed.ignored);
    return parsed.event;
  }

  it('flows through the same interim/final rules, one utterance per final segment', () => {
    const store = new TranscriptStore();
    store.apply(seed({ text: 'hello', is_final: false, start: 0, end: 0.5 }));
    expect(store.snapshot().interims.map((i) => i.text)).toEqual(['hello']);
    store.apply(seed({ text: 'hello world', is_final: true, start: 0, end: 1, speaker: 0 }));
    store.apply(seed({ text: 'second one', start: 1.5, end: 2.5, speaker: 'B' }));
    const snap = store.snapshot();
    expect(snap.interims).toEqual([]);
    expect(snap.utterances.map((u) => [u.text, u.closed, u.start, u.end])).toEqual([
      ['hello world', true, 0, 1],
      ['second one', true, 1.5, 2.5],
    ]);
    expect(snap.utterances[0]?.words.map((w) => [w.text, w.start, w.end])).toEqual([
      ['hello', 0, 0.5],
      ['world', 0.5, 1],
    ]);
  });

  it('keeps HTML in transcripts as text', () => {
    const store = new TranscriptStore();
    store.apply(seed({ text: '<b>bold</b> <img src=x onerror=alert(1)>', start: 0, end: 1 }));
    expect(texts(store)).toEqual(['<b>bold</b> <img src=x onerror=alert(1)>']);
  });
});

describe('TranscriptStore: the meeting-time mapping contract', () => {
  it('asks for word ends as "end" (a timeline may snap them at a join) and keeps raw times on null', () => {
    const store = new TranscriptStore();
    const calls: [number, string][] = [];
    store.apply(final([['a', 1, 2]], { start: 1, duration: 1 }), (s, edge) => {
      calls.push([s, edge]);
      return edge === 'end' ? s + 10 : null;
    });
    expect(calls).toEqual(expect.arrayContaining([[1, 'start'], [2, 'end']]));
    expect(store.snapshot().utterances[0]?.words[0]).toMatchObject({ start: 1, end: 12 });
  });
});
