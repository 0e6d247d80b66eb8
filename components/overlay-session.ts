import { useEffect, useReducer } from 'preact/hooks';
import { connectSessionFeed, type SessionFeed, type SessionFeedView } from '@/lib/contract/session-feed';
import { overlayFeedTransport } from '@/lib/contract/session-feed-runtime';
import type { SessionState } from '@/lib/contract/messages';
import type { SpeakerNames } from '@/lib/overlay/caption-lines';
import { SessionAnnouncer } from '@/lib/overlay/session-announcer';
import { NO_SPEAKER_NAMES } from '@/lib/transcript/speaker-names';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
import type { Announcement } from './overlay-live-region';

/** How many announcements stay in the live region's DOM. */
const KEEP_ANNOUNCEMENTS = 4;

/** The live session as the overlay follows it (lib/contract/session-feed.ts), with its announcements. */
export interface OverlaySessionSource {
  readonly current: SessionFeedView;
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
export function connectOverlaySession(feed: SessionFeed = connectSessionFeed(overlayFeedTransport())): OverlaySessionSource {
  let names: SpeakerNames = NO_SPEAKER_NAMES;
  const announcer = new SessionAnnouncer(() => names);
  const listeners = new Set<() => void>();
  let announcements: Announcement[] = [];
  let nextId = 1;

  feed.subscribe((change) => {
    const said = announcer.heard(change, feed.current.transcript);
    if (said.length > 0) announcements = [...announcements, ...said.map((text) => ({ id: nextId++, text }))].slice(-KEEP_ANNOUNCEMENTS);
    listeners.forEach((listener) => listener());
  });

  return {
    get current() {
      return feed.current;
    },
    get announcements() {
      return announcements;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh: () => feed.refresh(),
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
  const { state, transcript, sessionStartedAt } = source.current;
  return { state, transcript, announcements: source.announcements, sessionStartedAt };
}
