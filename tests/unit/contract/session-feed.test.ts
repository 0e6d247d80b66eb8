import { describe, expect, it } from 'vitest';
import {
  connectSessionFeed,
  SessionFeedRules,
  type SessionFeed,
  type SessionFeedChange,
  type SessionFeedPush,
  type SessionFeedTransport,
} from '@/lib/contract/session-feed';
import { IDLE_STATE, type SessionState, type TranscriptUpdate } from '@/lib/contract/messages';
import type { TranscriptSnapshot, Utterance } from '@/lib/transcript/types';

const state = (phase: SessionState['phase'], startedAt: number | null): SessionState => ({ ...IDLE_STATE, phase, startedAt });
const utterance = (id: string, text: string, start = 0): Utterance => ({ id, text, speaker: null, start, end: start + 1, words: [], channel: 0, closed: true });
const update = (...changed: Utterance[]): TranscriptUpdate => ({ changed, interims: [] });
const snapshot = (...utterances: Utterance[]): TranscriptSnapshot => ({ utterances, interims: [] });
const texts = (view: { current: { transcript: TranscriptSnapshot } }) => view.current.transcript.utterances.map((u) => u.text);

describe('SessionFeedRules', () => {
  it('drops a session/get answer that arrives after a pushed state (a stale idle must not hide live captions)', () => {
    const rules = new SessionFeedRules();
    const answer = rules.askState();
    rules.pushState(state('live', 1000));
    expect(answer(state('idle', null))).toBe(false);
    expect(rules.current.state.phase).toBe('live');
  });

  it('takes the session/get answer when nothing was pushed meanwhile', () => {
    const rules = new SessionFeedRules();
    expect(rules.askState()(state('live', 1000))).toBe(true);
    expect([rules.current.state.phase, rules.current.sessionStartedAt]).toEqual(['live', 1000]);
    expect(rules.askState()(undefined)).toBe(true); // nobody answered: idle
    expect(rules.current.state.phase).toBe('idle');
    expect(rules.current.sessionStartedAt).toBe(1000); // kept, for the session's speaker names
  });

  it('applies updates pushed while transcript/get was under way on top of its snapshot', () => {
    const rules = new SessionFeedRules();
    rules.pushState(state('live', 1000));
    const answer = rules.askTranscript();
    rules.pushUpdate(update(utterance('u2', 'two', 1)));
    expect(answer(snapshot(utterance('u1', 'one')))).toBe(true);
    expect(texts(rules)).toEqual(['one', 'two']);
  });

  it('starts a new session empty and drops a snapshot asked for before it began', () => {
    const rules = new SessionFeedRules();
    rules.pushState(state('live', 1000));
    rules.pushUpdate(update(utterance('u1', 'old session')));
    rules.pushState(state('idle', null));
    expect(texts(rules)).toEqual(['old session']); // kept after a stop
    const answer = rules.askTranscript(); // a re-injection asks...
    const seen = rules.sessionsSeen;
    rules.pushState(state('starting', 2000)); // ...and the new session begins before the answer
    expect(rules.sessionsSeen).toBe(seen + 1); // the feed asks for the new session's transcript
    expect(texts(rules)).toEqual([]);
    expect(answer(snapshot(utterance('u1', 'old session')))).toBe(false);
    expect(texts(rules)).toEqual([]);
    expect(rules.current.sessionStartedAt).toBe(2000);
  });

  it('keeps the snapshot when the first state it hears of is the running session', () => {
    const rules = new SessionFeedRules();
    rules.askTranscript()(snapshot(utterance('u1', 'said before')));
    rules.pushState(state('live', 1000));
    expect(texts(rules)).toEqual(['said before']);
    const named = new SessionFeedRules();
    named.askTranscript()(snapshot(utterance('s1000-u1', 'said before')));
    named.pushState(state('live', 1000));
    expect(texts(named)).toEqual(['said before']);
  });

  it("drops the snapshot when the first state it hears of is another session's", () => {
    const rules = new SessionFeedRules();
    rules.askTranscript()(snapshot(utterance('s1000-u1', 'the last session')));
    rules.pushState(state('starting', 2000));
    expect(texts(rules)).toEqual([]);
    expect(rules.sessionsSeen).toBe(1); // and asks for this session's
  });

  it("ignores another session's updates; a newer one's means a state push was missed", () => {
    const rules = new SessionFeedRules();
    rules.askState()(state('live', 2000));
    expect(rules.pushUpdate(update(utterance('s1000-u1', 'older')))).toBe(false);
    expect(rules.needsState()).toBe(false);
    expect(rules.pushUpdate(update(utterance('s2000-u1', 'this one')))).toBe(true);
    expect(rules.pushUpdate(update(utterance('u9', 'names no session')))).toBe(true);
    expect(texts(rules)).toEqual(['this one', 'names no session']);
    rules.pushState(state('idle', 2000));
    expect(rules.pushUpdate(update(utterance('s3000-u1', 'newer')))).toBe(false);
    expect(texts(rules)).toEqual(['this one', 'names no session']);
    expect(rules.needsState()).toBe(true);
    const answer = rules.askState();
    expect(rules.needsState()).toBe(false); // one question at a time
    answer(state('live', 3000));
    expect(rules.needsState()).toBe(false);
    expect(texts(rules)).toEqual([]);
  });

  it("drops a snapshot of another session than the known one (a newer one's asks for the state)", () => {
    const rules = new SessionFeedRules();
    rules.askState()(state('idle', 2000));
    expect(rules.askTranscript()(snapshot(utterance('s1000-u1', 'older')))).toBe(false);
    expect(rules.needsState()).toBe(false);
    expect(rules.askTranscript()(snapshot(utterance('s3000-u1', 'newer')))).toBe(false);
    expect(rules.needsState()).toBe(true);
    expect(rules.askTranscript()(snapshot(utterance('s2000-u1', 'this one')))).toBe(true);
    expect(texts(rules)).toEqual(['this one']);
  });

  it('asks for the state again when updates come while it believes nothing runs (a missed push)', () => {
    const rules = new SessionFeedRules();
    const answer = rules.askState();
    answer(state('idle', null)); // asked before the session started; its first pushes went nowhere
    expect(rules.needsState()).toBe(false);
    rules.pushUpdate(update(utterance('u1', 'words')));
    expect(rules.needsState()).toBe(true);
    const again = rules.askState();
    expect(rules.needsState()).toBe(false); // one question at a time
    expect(again(state('live', 1000))).toBe(true);
    expect(rules.current.state.phase).toBe('live');
    rules.pushUpdate(update(utterance('u2', 'more')));
    expect(rules.needsState()).toBe(false);
  });

  it('gives a new view object on every change and keeps it when nothing changed', () => {
    const rules = new SessionFeedRules();
    const first = rules.current;
    rules.pushState(state('live', 1000));
    const second = rules.current;
    expect(second).not.toBe(first);
    rules.pushUpdate(update(utterance('s500-u1', 'ignored')));
    expect(rules.current).toBe(second);
  });
});

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A transport whose answers the test gives, in the order it chooses. */
function fakeTransport() {
  const stateAsks: Pending<SessionState | undefined>[] = [];
  const transcriptAsks: Pending<TranscriptSnapshot | undefined>[] = [];
  let listener: ((push: SessionFeedPush) => void) | null = null;
  const ask = <T>(into: Pending<T>[]) => new Promise<T>((resolve, reject) => into.push({ resolve, reject }));
  const transport: SessionFeedTransport = {
    requestState: () => ask(stateAsks),
    requestTranscript: () => ask(transcriptAsks),
    subscribe(onPush) {
      listener = onPush;
      return () => {
        listener = null;
      };
    },
  };
  return {
    transport,
    stateAsks,
    transcriptAsks,
    get listening() {
      return listener !== null;
    },
    pushState: (s: SessionState) => listener?.({ type: 'session/state', state: s }),
    pushUpdate: (...changed: Utterance[]) => listener?.({ type: 'transcript/update', update: update(...changed) }),
  };
}

/** Lets answers already given reach the feed. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function watch(feed: SessionFeed): SessionFeedChange['kind'][] {
  const kinds: SessionFeedChange['kind'][] = [];
  feed.subscribe((change) => kinds.push(change.kind));
  return kinds;
}

describe('connectSessionFeed', () => {
  it('listens before it asks, and asks for the state and the transcript once', () => {
    const fake = fakeTransport();
    connectSessionFeed(fake.transport);
    expect(fake.listening).toBe(true);
    expect([fake.stateAsks.length, fake.transcriptAsks.length]).toEqual([1, 1]);
  });

  it('shows only the second session in a view kept open from the first (issue 11: the new u1 merged into the old rows)', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    fake.stateAsks[0]!.resolve(state('live', 1000));
    fake.transcriptAsks[0]!.resolve(snapshot(utterance('s1000-u1', 'one', 0)));
    await settle();
    fake.pushUpdate(utterance('s1000-u2', 'two', 1), utterance('s1000-u3', 'three', 2), utterance('s1000-u4', 'four', 3));
    fake.pushState(state('idle', 1000));
    expect(texts(feed)).toEqual(['one', 'two', 'three', 'four']);

    fake.pushState(state('starting', 2000));
    expect(texts(feed)).toEqual([]);
    expect(fake.transcriptAsks).toHaveLength(2); // the new session's snapshot is asked for
    fake.pushUpdate(utterance('s2000-u1', 'second session', 0));
    fake.transcriptAsks[1]!.resolve(snapshot(utterance('s2000-u1', 'second session', 0)));
    await settle();
    expect(texts(feed)).toEqual(['second session']);
    expect(feed.current.sessionStartedAt).toBe(2000);
  });

  it('drops the last session\'s rows on a new session even when ids name no session (sessions saved before)', () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    fake.pushState(state('live', 1000));
    fake.pushUpdate(utterance('u1', 'one', 0), utterance('u2', 'two', 1));
    fake.pushState(state('starting', 2000));
    fake.pushUpdate(utterance('u1', 'second session', 0));
    expect(texts(feed)).toEqual(['second session']);
  });

  it('keeps a pushed state over a session/get answer that arrives after it', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    const kinds = watch(feed);
    fake.pushState(state('live', 1000));
    fake.stateAsks[0]!.resolve(state('idle', null));
    await settle();
    expect(feed.current.state.phase).toBe('live');
    expect(kinds).toEqual(['state']);
  });

  it('drops a snapshot asked for before a new session began and takes the one asked for after', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    fake.stateAsks[0]!.resolve(state('idle', 1000));
    await settle();
    fake.pushState(state('starting', 2000));
    fake.transcriptAsks[0]!.resolve(snapshot(utterance('u1', 'old one'), utterance('u2', 'old two', 1)));
    await settle();
    expect(texts(feed)).toEqual([]);
    fake.transcriptAsks[1]!.resolve(snapshot(utterance('s2000-u1', 'new one')));
    await settle();
    expect(texts(feed)).toEqual(['new one']);
  });

  it("ignores an older session's late update, and asks for the state on a newer one's", async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    const kinds = watch(feed);
    fake.stateAsks[0]!.resolve(state('error', 2000));
    fake.transcriptAsks[0]!.resolve(snapshot(utterance('s2000-u1', 'shown')));
    await settle();
    fake.pushUpdate(utterance('s1000-u5', 'late'));
    expect(fake.stateAsks).toHaveLength(1);
    fake.pushUpdate(utterance('s3000-u1', 'newer'));
    expect(texts(feed)).toEqual(['shown']);
    expect(fake.stateAsks).toHaveLength(2);
    fake.stateAsks[1]!.resolve(state('live', 3000));
    await settle();
    expect(texts(feed)).toEqual([]);
    fake.transcriptAsks[1]!.resolve(snapshot(utterance('s3000-u1', 'newer')));
    await settle();
    expect(texts(feed)).toEqual(['newer']);
    expect(kinds).toEqual(['state', 'transcript', 'transcript', 'state', 'transcript']);
  });

  it('tells listeners what changed: the state, a transcript replaced, or one update', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    const changes: SessionFeedChange[] = [];
    feed.subscribe((change) => changes.push(change));
    fake.stateAsks[0]!.resolve(state('live', 1000));
    fake.transcriptAsks[0]!.resolve(snapshot());
    await settle();
    fake.pushUpdate(utterance('s1000-u1', 'hello'));
    expect(changes).toEqual([{ kind: 'state' }, { kind: 'transcript' }, { kind: 'update', update: update(utterance('s1000-u1', 'hello')) }]);
  });

  it('reports a failed request and still asks again when a push is missed', async () => {
    const fake = fakeTransport();
    const problems: string[] = [];
    const feed = connectSessionFeed(fake.transport, { onProblem: (what) => problems.push(what) });
    fake.stateAsks[0]!.reject(new Error('gone'));
    fake.transcriptAsks[0]!.reject(new Error('gone'));
    await settle();
    expect(problems).toEqual(['state', 'transcript']);
    fake.pushUpdate(utterance('u1', 'words')); // idle, so a push was missed: asks (no answer is pending)
    expect(fake.stateAsks).toHaveLength(2);
    expect(texts(feed)).toEqual(['words']);
  });

  it('follows the state only when asked to (the popup): no transcript is asked for or kept', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport, { followTranscript: false });
    const kinds = watch(feed);
    expect([fake.stateAsks.length, fake.transcriptAsks.length]).toEqual([1, 0]);
    fake.pushState(state('live', 1000));
    fake.pushUpdate(utterance('s1000-u1', 'words'));
    fake.pushState(state('starting', 2000));
    expect(fake.transcriptAsks).toHaveLength(0);
    expect(texts(feed)).toEqual([]);
    expect(feed.current.state.startedAt).toBe(2000);
    expect(kinds).toEqual(['state', 'transcript', 'state']);
  });

  it('refresh asks again; after close nothing more is heard or asked', async () => {
    const fake = fakeTransport();
    const feed = connectSessionFeed(fake.transport);
    const kinds = watch(feed);
    feed.refresh();
    expect([fake.stateAsks.length, fake.transcriptAsks.length]).toEqual([2, 2]);
    feed.close();
    expect(fake.listening).toBe(false);
    fake.stateAsks[1]!.resolve(state('live', 1000));
    fake.transcriptAsks[1]!.resolve(snapshot(utterance('u1', 'late')));
    await settle();
    feed.refresh();
    expect(fake.stateAsks).toHaveLength(2);
    expect(kinds).toEqual([]);
    expect(feed.current.state.phase).toBe('idle');
  });
});
