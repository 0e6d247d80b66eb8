import { useEffect, useReducer } from 'preact/hooks';
import type { SessionState } from '@/lib/contract/messages';
import type { SpeakerNames } from '@/lib/overlay/caption-lines';
import { OverlaySessionView } from '@/lib/overlay/session-view';
import { askLiveSession, onTabPush } from '@/lib/contract/messaging';
import { NO_SPEAKER_NAMES } from '@/lib/transcript/speaker-names';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
import type { Announcement } from './overlay-live-region';

/** How many announcements stay in the live region's DOM. */
const KEEP_ANNOUNCEMENTS = 4;

/** The live session as the overlay follows it (see lib/overlay/session-view.ts for the rules). */
export interface OverlaySessionSource {
  readonly view: OverlaySessionView;
  /** The newest announcements for the live region, oldest first. */
  readonly announcements: readonly Announcement[];
  subscribe(listener: () => void): () => void;
  /** Ask for the session and transcript again (a re-injection shows the overlay again). */
  refresh(): void;
  /** Names used in announcements from now on. */
  setNames(names: SpeakerNames): void;
}

/**
 * Starts following the session at once, before anything renders: a state pushed while Preact's
 * first effects are still pending would otherwise be lost (and a stale answer left standing).
 */
export function connectOverlaySession(): OverlaySessionSource {
  let names: SpeakerNames = NO_SPEAKER_NAMES;
  const view = new OverlaySessionView(() => names);
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  let announcements: Announcement[] = [];
  let nextId = 1;

  const askTranscript = () => {
    const transcriptAnswer = view.askTranscript();
    void askLiveSession()
      .then((answer) => transcriptAnswer(answer?.transcript) && changed())
      .catch((error: unknown) => console.warn('[captionist] transcript not available', error));
  };
  /** A new session empties the transcript; what it said before we knew is in its snapshot. */
  const applying = (apply: () => void) => {
    const sessions = view.sessionsSeen;
    apply();
    if (view.sessionsSeen !== sessions) askTranscript();
    changed();
  };
  const askState = () => {
    const stateAnswer = view.askState();
    void askLiveSession()
      .then((answer) => applying(() => stateAnswer(answer?.state)))
      .catch((error: unknown) => {
        stateAnswer(view.state);
        console.warn('[captionist] session state not available', error);
      });
  };
  const refresh = () => {
    askState();
    askTranscript();
  };
  onTabPush((push) => {
    if (push.type === 'tab/session-state') {
      applying(() => view.pushState(push.state));
    } else if (push.type === 'tab/transcript-update') {
      const said = view.pushUpdate(push.update);
      if (said.length > 0) announcements = [...announcements, ...said.map((text) => ({ id: nextId++, text }))].slice(-KEEP_ANNOUNCEMENTS);
      if (view.needsState()) askState();
      changed();
    }
  });

  refresh();

  return {
    view,
    get announcements() {
      return announcements;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    setNames(next) {
      names = next;
    },
  };
}

export interface OverlaySession {
  state: SessionState;
  transcript: TranscriptSnapshot;
  announcements: readonly Announcement[];
  /** Epoch ms at which the shown session began (kept after it stops, for its speaker names). */
  sessionStartedAt: number | null;
}

/** Renders from the source and again on every change. */
export function useOverlaySession(source: OverlaySessionSource): OverlaySession {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const off = source.subscribe(() => rerender(0));
    rerender(0); // anything that changed between the first render and now
    return off;
  }, [source]);
  const { view } = source;
  return { state: view.state, transcript: view.transcript, announcements: source.announcements, sessionStartedAt: view.sessionStartedAt };
}
