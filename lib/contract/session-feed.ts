/**
 * The live session as every view follows it (the overlay, the side panel, the popup): its state
 * and transcript, from answers to requests (session/get, transcript/get) and from what the
 * offscreen document pushes (session/state, transcript/update). The messages come through a
 * `SessionFeedTransport`, so the rules below run in Node tests with a fake one.
 *
 * - A pushed state is newer than any answer still on its way: a session/get answer that arrives
 *   after a push is dropped (else a stale "idle" from before the start would hide live captions).
 * - Updates pushed while transcript/get is under way are applied again on top of its snapshot
 *   (upserts, so applying twice is harmless).
 * - A new session (a new startedAt after one was known) starts from an empty transcript, a
 *   snapshot asked for before it is dropped, and the snapshot is asked for again, so the last
 *   session's lines never come back and what the new one said before we heard of it is shown.
 * - Utterance ids name their session (lib/transcript/utterance-ids.ts): an update or a snapshot
 *   of another session than the known one is ignored. One of a newer session means a state push
 *   was missed, and the state is asked for again. Ids that name no session (saved before ids did)
 *   are taken as the known session's.
 * - Transcript updates while the feed believes nothing runs also mean a state push was missed
 *   (the background may not know the overlay's tab yet when the first states are sent): the
 *   state is asked for again.
 */
import { IDLE_STATE, type SessionState, type TranscriptUpdate } from './messages';
import type { TranscriptSnapshot, Utterance } from '../transcript/types';
import { sessionOfUtteranceId } from '../transcript/utterance-ids';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '../views/transcript-view';

/** What the feed hears pushed; shaped as the runtime messages that carry it. */
export type SessionFeedPush = { type: 'session/state'; state: SessionState } | { type: 'transcript/update'; update: TranscriptUpdate };

/** How the feed asks and listens; lib/contract/session-feed-runtime.ts is the extension's. */
export interface SessionFeedTransport {
  /** session/get; undefined when nobody answered. */
  requestState(): Promise<SessionState | undefined>;
  /** transcript/get; undefined when nobody answered. */
  requestTranscript(): Promise<TranscriptSnapshot | undefined>;
  /** Calls `onPush` with every pushed state and update until the returned function is called. */
  subscribe(onPush: (push: SessionFeedPush) => void): () => void;
}

/** What a view shows; a new object after every change, so it can be compared by identity. */
export interface SessionFeedView {
  readonly state: SessionState;
  readonly transcript: TranscriptSnapshot;
  /** When the shown session began (kept after it stops, for its speaker names); null if unknown. */
  readonly sessionStartedAt: number | null;
}

/**
 * What changed, in order: the state; the transcript replaced as a whole (a snapshot, or emptied
 * for a new session: what it holds was said before the view heard it); or one update applied.
 */
export type SessionFeedChange = { kind: 'state' } | { kind: 'transcript' } | { kind: 'update'; update: TranscriptUpdate };

export interface SessionFeed {
  readonly current: SessionFeedView;
  subscribe(listener: (change: SessionFeedChange) => void): () => void;
  /** Asks for the state and the transcript again (the overlay does when it is shown again). */
  refresh(): void;
  /** Stops listening; answers still on their way are dropped. */
  close(): void;
}

export interface SessionFeedOptions {
  /**
   * False: the state only (the popup), so opening it never asks for a transcript (which, with no
   * session in the offscreen document, the background reads from the saved sessions). Default true.
   */
  followTranscript?: boolean;
  /** A request failed (not "nobody answered": that is an answer). Default: a console warning. */
  onProblem?: (what: 'state' | 'transcript', error: unknown) => void;
}

const INITIAL_VIEW: SessionFeedView = { state: IDLE_STATE, transcript: EMPTY_TRANSCRIPT, sessionStartedAt: null };

/** The session a transcript's or update's utterances name (one store, one session): its first named one. */
function sessionNamed(utterances: readonly Utterance[]): number | null {
  for (const utterance of utterances) {
    const session = sessionOfUtteranceId(utterance.id);
    if (session !== null) return session;
  }
  return null;
}

/** The rules, synchronous and without a transport: each request returns what to call with its answer. */
export class SessionFeedRules {
  current: SessionFeedView = INITIAL_VIEW;

  /** undefined until the first state is heard of; null when it named no session. */
  private knownStartedAt: number | null | undefined = undefined;
  private generation = 0;
  private pushedSinceAsked = false;
  private updatesSinceAsked: TranscriptUpdate[] | null = null;
  private stateAnswerPending = false;
  private updatesWhileIdle = 0;
  private newerSessionHeard = false;

  /** Counts new sessions seen; when it moves, the transcript was emptied and is worth asking for. */
  get sessionsSeen(): number {
    return this.generation;
  }

  /** Asking for the state: returns what to call with the answer (true if it was applied). */
  askState(): (answer: SessionState | undefined) => boolean {
    this.pushedSinceAsked = false;
    this.stateAnswerPending = true;
    return (answer) => {
      this.stateAnswerPending = false;
      if (this.pushedSinceAsked) return false;
      this.applyState(answer ?? IDLE_STATE);
      return true;
    };
  }

  /** A state request failed: nothing to apply, but no answer is pending any more. */
  stateRequestFailed(): void {
    this.stateAnswerPending = false;
  }

  /** Asking for the transcript: returns what to call with the answer (true if it was applied). */
  askTranscript(): (snapshot: TranscriptSnapshot | undefined) => boolean {
    const asked = this.generation;
    const since: TranscriptUpdate[] = [];
    this.updatesSinceAsked = since;
    return (snapshot) => {
      if (this.updatesSinceAsked === since) this.updatesSinceAsked = null;
      if (!snapshot || asked !== this.generation || this.isOtherSession(sessionNamed(snapshot.utterances))) return false;
      this.setTranscript(since.reduce(applyTranscriptUpdate, snapshot));
      return true;
    };
  }

  /** True when a state push was missed (see the module comment) and no answer is on its way. */
  needsState(): boolean {
    if (this.stateAnswerPending) return false;
    return this.newerSessionHeard || (this.updatesWhileIdle > 0 && this.current.state.phase === 'idle');
  }

  pushState(state: SessionState): void {
    this.pushedSinceAsked = true;
    this.applyState(state);
  }

  /** Applies a pushed update; false when it was another session's and ignored. */
  pushUpdate(update: TranscriptUpdate): boolean {
    if (this.isOtherSession(sessionNamed(update.changed))) return false;
    this.updatesSinceAsked?.push(update);
    this.updatesWhileIdle = this.current.state.phase === 'idle' ? this.updatesWhileIdle + 1 : 0;
    this.setTranscript(applyTranscriptUpdate(this.current.transcript, update));
    return true;
  }

  /** True when `session` is known to be another than the shown one; notes a newer one. */
  private isOtherSession(session: number | null): boolean {
    const known = this.knownStartedAt;
    if (session === null || known === null || known === undefined || session === known) return false;
    if (session > known) this.newerSessionHeard = true;
    return true;
  }

  private setTranscript(transcript: TranscriptSnapshot): void {
    this.current = { ...this.current, transcript };
  }

  private applyState(next: SessionState): void {
    const known = this.knownStartedAt;
    let { transcript, sessionStartedAt } = this.current;
    if (next.startedAt !== null && next.startedAt !== known) {
      // A new session; or the first one heard of, whose transcript is kept unless it is another's.
      const shown = sessionNamed(transcript.utterances);
      if (known !== undefined || (shown !== null && shown !== next.startedAt)) {
        this.generation += 1;
        transcript = EMPTY_TRANSCRIPT;
        // Updates gathered for a snapshot of the old session must not land on the new one.
        this.updatesSinceAsked = null;
      }
      this.knownStartedAt = next.startedAt;
      sessionStartedAt = next.startedAt;
      this.newerSessionHeard = false;
    } else if (known === undefined) {
      this.knownStartedAt = null;
    }
    if (next.phase !== 'idle') this.updatesWhileIdle = 0;
    this.current = { state: next, transcript, sessionStartedAt };
  }
}

/**
 * Starts following the session at once: listens before asking, so a state pushed while the
 * first answers are on their way is not lost (and a stale answer is not left standing).
 */
export function connectSessionFeed(transport: SessionFeedTransport, options: SessionFeedOptions = {}): SessionFeed {
  const problem = options.onProblem ?? ((what, error) => console.warn(`[captionist] session ${what} not available`, error));
  const rules = new SessionFeedRules();
  const listeners = new Set<(change: SessionFeedChange) => void>();
  let closed = false;
  const emit = (change: SessionFeedChange) => {
    for (const listener of [...listeners]) listener(change);
  };

  const followTranscript = options.followTranscript ?? true;
  const askTranscript = () => {
    if (!followTranscript) return;
    const answer = rules.askTranscript();
    transport.requestTranscript().then(
      (snapshot) => {
        if (closed) return;
        if (answer(snapshot)) emit({ kind: 'transcript' });
        askStateIfMissed();
      },
      (error: unknown) => {
        if (!closed) problem('transcript', error);
      },
    );
  };
  /** A new session empties the transcript; what it said before we knew is in its snapshot. */
  const applyingState = (apply: () => boolean) => {
    const sessions = rules.sessionsSeen;
    const applied = apply();
    if (rules.sessionsSeen !== sessions) {
      emit({ kind: 'transcript' });
      askTranscript();
    }
    if (applied) emit({ kind: 'state' });
  };
  const askState = () => {
    const answer = rules.askState();
    transport.requestState().then(
      (state) => {
        if (!closed) applyingState(() => answer(state));
      },
      (error: unknown) => {
        rules.stateRequestFailed();
        if (!closed) problem('state', error);
      },
    );
  };
  const askStateIfMissed = () => {
    if (rules.needsState()) askState();
  };
  const refresh = () => {
    askState();
    askTranscript();
  };

  const unsubscribe = transport.subscribe((push) => {
    if (closed) return;
    if (push.type === 'session/state') {
      applyingState(() => {
        rules.pushState(push.state);
        return true;
      });
    } else if (followTranscript) {
      if (rules.pushUpdate(push.update)) emit({ kind: 'update', update: push.update });
      askStateIfMissed();
    }
  });
  refresh();

  return {
    get current() {
      return rules.current;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      if (!closed) refresh();
    },
    close() {
      closed = true;
      listeners.clear();
      unsubscribe();
    },
  };
}
