import { describe, expect, it } from 'vitest';
import { IDLE_STATE, type SessionState, type TranscriptUpdate } from '@/lib/contract/messages';
import { OverlaySessionView } from '@/lib/overlay/session-view';
import type { Utterance } from '@/lib/transcript/types';

const state = (phase: SessionState['phase'], startedAt: number | null): SessionState => ({ ...IDLE_STATE, phase, startedAt });
const utterance = (id: string, text: string): Utterance => ({ id, text, speaker: null, start: 0, end: 1, words: [], closed: true });
const update = (...changed: Utterance[]): TranscriptUpdate => ({ changed, interim: null });
const texts = (view: OverlaySessionView) => view.transcript.utterances.map((u) => u.text);

describe('OverlaySessionView', () => {
  it('drops a session/get answer that arrives after a pushed state (a stale idle must not hide live captions)', () => {
    const view = new OverlaySessionView();
    const answer = view.askState();
    view.pushState(state('live', 1000));
    expect(answer(state('idle', null))).toBe(false);
    expect(view.state.phase).toBe('live');
  });

  it('takes the session/get answer when nothing was pushed meanwhile', () => {
    const view = new OverlaySessionView();
    expect(view.askState()(state('live', 1000))).toBe(true);
    expect([view.state.phase, view.sessionStartedAt]).toEqual(['live', 1000]);
    expect(view.askState()(undefined)).toBe(true); // nobody answered: idle
    expect(view.state.phase).toBe('idle');
  });

  it('applies updates pushed while transcript/get was under way on top of its snapshot', () => {
    const view = new OverlaySessionView();
    view.pushState(state('live', 1000));
    const answer = view.askTranscript();
    view.pushUpdate(update(utterance('u2', 'two')));
    expect(answer({ utterances: [utterance('u1', 'one')], interim: null })).toBe(true);
    expect(texts(view)).toEqual(['one', 'two']);
  });

  it('starts a new session empty and drops a snapshot asked for before it began', () => {
    const view = new OverlaySessionView();
    view.pushState(state('live', 1000));
    view.pushUpdate(update(utterance('u1', 'old session')));
    view.pushState(state('idle', null));
    expect(texts(view)).toEqual(['old session']); // kept after a stop
    const answer = view.askTranscript(); // a re-injection asks...
    const seen = view.sessionsSeen;
    view.pushState(state('starting', 2000)); // ...and the new session begins before the answer
    expect(view.sessionsSeen).toBe(seen + 1); // the source asks for the new session's transcript
    expect(texts(view)).toEqual([]);
    expect(answer({ utterances: [utterance('u1', 'old session')], interim: null })).toBe(false);
    expect(texts(view)).toEqual([]);
    expect(view.sessionStartedAt).toBe(2000);
  });

  it('keeps the snapshot when the first state it hears of is the running session', () => {
    const view = new OverlaySessionView();
    view.askTranscript()({ utterances: [utterance('u1', 'said before')], interim: null });
    view.pushState(state('live', 1000));
    expect(texts(view)).toEqual(['said before']);
  });

  it('announces finals from updates, not what a snapshot brought', () => {
    const view = new OverlaySessionView();
    view.askTranscript()({ utterances: [utterance('u1', 'said before')], interim: null });
    expect(view.pushUpdate(update(utterance('u1', 'said before')))).toEqual([]);
    expect(view.pushUpdate(update(utterance('u2', 'new words')))).toEqual(['new words']);
    expect(view.pushUpdate({ changed: [], interim: { text: 'interim', words: [], start: 1, end: 2, speaker: null } })).toEqual([]);
  });

  it('names speakers in announcements with the names of the moment', () => {
    let names: Record<number, string> = {};
    const view = new OverlaySessionView(() => names);
    names = { 0: 'Dana' };
    expect(view.pushUpdate(update({ ...utterance('u1', 'hello'), speaker: 0 }))).toEqual(['Dana: hello']);
  });
});

describe('OverlaySessionView.needsState', () => {
  it('asks for the state again when updates come while it believes nothing runs (a missed push)', () => {
    const view = new OverlaySessionView();
    const answer = view.askState();
    answer(state('idle', null)); // asked before the session started; its first pushes went nowhere
    expect(view.needsState()).toBe(false);
    view.pushUpdate(update(utterance('u1', 'words')));
    expect(view.needsState()).toBe(true);
    const again = view.askState();
    expect(view.needsState()).toBe(false); // one question at a time
    expect(again(state('live', 1000))).toBe(true);
    expect(view.state.phase).toBe('live');
    view.pushUpdate(update(utterance('u2', 'more')));
    expect(view.needsState()).toBe(false);
  });
});
