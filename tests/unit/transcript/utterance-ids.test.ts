import { describe, expect, it } from 'vitest';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import { sessionOfUtteranceId, utteranceIdPrefix } from '@/lib/transcript/utterance-ids';

describe('utterance ids', () => {
  it("name the session they belong to, and read back as that session's start", () => {
    const store = new TranscriptStore({ idPrefix: utteranceIdPrefix(1_764_000_000_123) });
    store.apply({ kind: 'results', isFinal: true, speechFinal: true, fromFinalize: false, timed: true, channel: 0, start: 0, duration: 1, transcript: 'hi', words: [{ text: 'hi', start: 0, end: 0.5, confidence: 1, speaker: null }] });
    const [id] = store.snapshot().utterances.map((u) => u.id);
    expect(id).toBe('s1764000000123-u1');
    expect(sessionOfUtteranceId(id!)).toBe(1_764_000_000_123);
  });

  it('name no session when saved before ids did, or made elsewhere', () => {
    for (const id of ['u1', 'u12', 'live3', 's12-x1', 's-u1', 'xs12-u1', 's12-u']) expect(sessionOfUtteranceId(id)).toBeNull();
  });
});
