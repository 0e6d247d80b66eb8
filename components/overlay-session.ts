import { useEffect, useRef, useState } from 'preact/hooks';
import { IDLE_STATE, type SessionState } from '@/lib/messages';
import type { SpeakerNames } from '@/lib/overlay/caption-lines';
import { nextAnnouncements, startAnnouncer, type AnnouncerState } from '@/lib/overlay/live-announcements';
import { onMessage, request } from '@/lib/runtime-client';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '@/lib/views/transcript-view';
import type { Announcement } from './overlay-live-region';

/** How many announcements stay in the live region's DOM. */
const KEEP_ANNOUNCEMENTS = 4;

export interface OverlaySession {
  state: SessionState;
  transcript: TranscriptSnapshot;
  announcements: Announcement[];
  /** Epoch ms at which the shown session began (kept after it stops, for its speaker names). */
  sessionStartedAt: number | null;
  /** Fetch the session and transcript again (after a re-injection shows the overlay again). */
  refresh(): void;
}

/**
 * The overlay's view of the live session: the state and the transcript, kept up to date from
 * `session/state` and `transcript/update`. A new session (a new startedAt) starts from an empty
 * transcript, so lines of the last session never mix in. Finals that arrive as updates become
 * live-region announcements; what a snapshot brings was said before the overlay was there and is
 * not read out. `names` is read when an announcement is made (a ref, so renames apply at once).
 */
export function useOverlaySession(names: { readonly current: SpeakerNames }): OverlaySession {
  const [state, setState] = useState<SessionState>(IDLE_STATE);
  const [transcript, setTranscript] = useState<TranscriptSnapshot>(EMPTY_TRANSCRIPT);
  const [announcements, setAnnouncements] = useState<Announcement[]>([]);
  const [sessionStartedAt, setSessionStartedAt] = useState<number | null>(null);
  const announcer = useRef<AnnouncerState>(startAnnouncer([]));
  const nextId = useRef(1);
  const startedAtRef = useRef<number | null | undefined>(undefined);
  const refreshRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    let alive = true;
    // The ref is the source of truth, so announcements are worked out outside state updaters.
    let current = EMPTY_TRANSCRIPT;
    const loadSnapshot = (snapshot: TranscriptSnapshot) => {
      announcer.current = startAnnouncer(snapshot.utterances);
      current = snapshot;
      setTranscript(snapshot);
    };
    const applyState = (next: SessionState) => {
      const known = startedAtRef.current;
      if (next.startedAt !== null && next.startedAt !== known) {
        // The first state we hear of keeps the snapshot; any later new start is a new session.
        if (known !== undefined) loadSnapshot(EMPTY_TRANSCRIPT);
        startedAtRef.current = next.startedAt;
        setSessionStartedAt(next.startedAt);
      } else if (known === undefined) {
        startedAtRef.current = null;
      }
      setState(next);
    };
    const refresh = () => {
      void request({ type: 'session/get' }).then((answer) => {
        if (alive) applyState(answer ?? IDLE_STATE);
      });
      void request({ type: 'transcript/get' }).then((snapshot) => {
        if (alive && snapshot) loadSnapshot(snapshot);
      });
    };
    refreshRef.current = refresh;
    const off = onMessage((message) => {
      if (message.type === 'session/state') applyState(message.state);
      if (message.type === 'transcript/update') {
        current = applyTranscriptUpdate(current, message.update);
        setTranscript(current);
        if (message.update.changed.length > 0) {
          const result = nextAnnouncements(announcer.current, current.utterances, names.current);
          announcer.current = result.state;
          if (result.announcements.length > 0) {
            const added = result.announcements.map((text) => ({ id: nextId.current++, text }));
            setAnnouncements((list) => [...list, ...added].slice(-KEEP_ANNOUNCEMENTS));
          }
        }
      }
      return undefined;
    });
    refresh();
    return () => {
      alive = false;
      off();
    };
  }, []);

  return { state, transcript, announcements, sessionStartedAt, refresh: () => refreshRef.current() };
}
