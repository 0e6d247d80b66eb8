import { describe, expect, it } from 'vitest';
import type { Utterance } from '@/lib/transcript/types';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '@/lib/views/transcript-view';

const u = (id: string, text: string, start: number): Utterance => ({
  id, text, start, end: start + 1, speaker: null, words: [], channel: 0, closed: false,
});

describe('applyTranscriptUpdate', () => {
  it('appends new utterances and replaces changed ones in place', () => {
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [u('1', 'hello', 0)], interims: [] });
    view = applyTranscriptUpdate(view, { changed: [u('2', 'world', 2)], interims: [] });
    view = applyTranscriptUpdate(view, { changed: [u('1', 'hello there', 0)], interims: [] });
    expect(view.utterances.map((x) => x.text)).toEqual(['hello there', 'world']);
  });

  it('replaces the interim tails on every update', () => {
    const interim = { text: 'maybe', words: [], start: 3, end: 4, speaker: null, channel: 0 };
    const yours = { text: 'yes', words: [], start: 3.5, end: 4, speaker: 1000, channel: 1 };
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [], interims: [interim, yours] });
    expect(view.interims.map((i) => i.text)).toEqual(['maybe', 'yes']);
    view = applyTranscriptUpdate(view, { changed: [u('1', 'hello', 0)], interims: [yours] });
    expect(view.interims.map((i) => i.text)).toEqual(['yes']);
    view = applyTranscriptUpdate(view, { changed: [], interims: [] });
    expect(view.interims).toEqual([]);
  });

  it('keeps utterances in time order when an earlier one arrives late', () => {
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [u('b', 'later', 5)], interims: [] });
    view = applyTranscriptUpdate(view, { changed: [u('a', 'earlier', 1)], interims: [] });
    expect(view.utterances.map((x) => x.id)).toEqual(['a', 'b']);
  });
});
