import { describe, expect, it } from 'vitest';
import type { Utterance } from '@/lib/transcript/types';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '@/lib/views/transcript-view';

const u = (id: string, text: string, start: number): Utterance => ({
  id, text, start, end: start + 1, speaker: null, words: [], closed: false,
});

describe('applyTranscriptUpdate', () => {
  it('appends new utterances and replaces changed ones in place', () => {
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [u('1', 'hello', 0)], interim: null });
    view = applyTranscriptUpdate(view, { changed: [u('2', 'world', 2)], interim: null });
    view = applyTranscriptUpdate(view, { changed: [u('1', 'hello there', 0)], interim: null });
    expect(view.utterances.map((x) => x.text)).toEqual(['hello there', 'world']);
  });

  it('replaces the interim tail on every update', () => {
    const interim = { text: 'maybe', words: [], start: 3, end: 4, speaker: null };
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [], interim });
    expect(view.interim?.text).toBe('maybe');
    view = applyTranscriptUpdate(view, { changed: [], interim: null });
    expect(view.interim).toBeNull();
  });

  it('keeps utterances in time order when an earlier one arrives late', () => {
    let view = applyTranscriptUpdate(EMPTY_TRANSCRIPT, { changed: [u('b', 'later', 5)], interim: null });
    view = applyTranscriptUpdate(view, { changed: [u('a', 'earlier', 1)], interim: null });
    expect(view.utterances.map((x) => x.id)).toEqual(['a', 'b']);
  });
});
