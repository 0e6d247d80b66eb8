import { describe, expect, it } from 'vitest';
import { isTranscriptSnapshot, messageIn, OFFSCREEN_EVENT_SHAPES, TAB_PUSH_SHAPES } from '@/lib/contract/messages';

const tail = { words: [], text: 'so', start: 1, end: 2, speaker: null, channel: 0 };
const yours = { ...tail, text: 'yes', speaker: 1000, channel: 1 };

describe('transcript shapes at the border', () => {
  it('take every channel\'s interim tail as a list', () => {
    expect(isTranscriptSnapshot({ utterances: [], interims: [] })).toBe(true);
    expect(isTranscriptSnapshot({ utterances: [], interims: [tail, yours] })).toBe(true);
    expect(messageIn({ type: 'transcript/update', update: { changed: [], interims: [tail, yours] } }, OFFSCREEN_EVENT_SHAPES)).not.toBeNull();
    expect(messageIn({ type: 'tab/transcript-update', update: { changed: [], interims: [] } }, TAB_PUSH_SHAPES)).not.toBeNull();
  });

  it('refuse the single tail of before, and tails that are not objects', () => {
    expect(isTranscriptSnapshot({ utterances: [], interim: null })).toBe(false);
    expect(isTranscriptSnapshot({ utterances: [], interims: null })).toBe(false);
    expect(isTranscriptSnapshot({ utterances: [], interims: ['so'] })).toBe(false);
    expect(messageIn({ type: 'transcript/update', update: { changed: [], interim: tail } }, OFFSCREEN_EVENT_SHAPES)).toBeNull();
    expect(messageIn({ type: 'tab/transcript-update', update: { changed: [], interims: [null] } }, TAB_PUSH_SHAPES)).toBeNull();
  });
});
