import { describe, expect, it } from 'vitest';
import { connectSessionFeed, type SessionFeedPush } from '@/lib/contract/session-feed';
import { IDLE_STATE } from '@/lib/contract/messages';
import { SessionAnnouncer } from '@/lib/overlay/session-announcer';
import type { TranscriptSnapshot, Utterance } from '@/lib/transcript/types';

const utterance = (id: string, text: string, speaker: number | null = null): Utterance => ({ id, text, speaker, start: 0, end: 1, words: [], channel: 0, closed: true });

/** A feed whose transcript/get answers `snapshot`, with an announcer on it; returns what was said. */
async function announcedFeed(snapshot: TranscriptSnapshot, names: () => Record<number, string> = () => ({})) {
  let push: (message: SessionFeedPush) => void = () => undefined;
  const feed = connectSessionFeed({
    requestState: async () => undefined,
    requestTranscript: async () => snapshot,
    subscribe: (onPush) => {
      push = onPush;
      return () => undefined;
    },
  });
  const announcer = new SessionAnnouncer(names);
  const said: string[] = [];
  feed.subscribe((change) => said.push(...announcer.heard(change, feed.current.transcript)));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { said, push };
}

describe('SessionAnnouncer', () => {
  it('announces finals from updates, not what a snapshot brought', async () => {
    const { said, push } = await announcedFeed({ utterances: [utterance('u1', 'said before')], interims: [] });
    push({ type: 'transcript/update', update: { changed: [utterance('u1', 'said before')], interims: [] } });
    expect(said).toEqual([]);
    push({ type: 'transcript/update', update: { changed: [utterance('u2', 'new words')], interims: [] } });
    push({ type: 'transcript/update', update: { changed: [], interims: [{ text: 'interim', words: [], start: 1, end: 2, speaker: null, channel: 0 }] } });
    expect(said).toEqual(['new words']);
  });

  it('names speakers in announcements with the names of the moment', async () => {
    let names: Record<number, string> = {};
    const { said, push } = await announcedFeed({ utterances: [], interims: [] }, () => names);
    names = { 0: 'Dana' };
    push({ type: 'transcript/update', update: { changed: [utterance('u1', 'hello', 0)], interims: [] } });
    expect(said).toEqual(['Dana: hello']);
  });

  it("says nothing of a new session's emptied transcript, and the new session's first words", async () => {
    const { said, push } = await announcedFeed({ utterances: [], interims: [] });
    push({ type: 'session/state', state: { ...IDLE_STATE, phase: 'live', startedAt: 1000 } });
    push({ type: 'transcript/update', update: { changed: [utterance('s1000-u1', 'first')], interims: [] } });
    push({ type: 'session/state', state: { ...IDLE_STATE, phase: 'live', startedAt: 2000 } });
    push({ type: 'transcript/update', update: { changed: [utterance('s2000-u1', 'first')], interims: [] } });
    expect(said).toEqual(['first', 'first']);
  });
});
