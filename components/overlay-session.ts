import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { SessionState } from '@/lib/messages';
import type { SpeakerNames } from '@/lib/overlay/caption-lines';
import { OverlaySessionView } from '@/lib/overlay/session-view';
import { onMessage, request } from '@/lib/runtime-client';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
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
 * The live session for the overlay, kept by OverlaySessionView (lib/overlay/session-view.ts)
 * from requests and pushed messages. `names` is read when an announcement is made (a ref, so
 * renames apply at once).
 */
export function useOverlaySession(names: { readonly current: SpeakerNames }): OverlaySession {
  const view = useRef<OverlaySessionView | null>(null);
  view.current ??= new OverlaySessionView(() => names.current);
  const [, changed] = useReducer((n: number) => n + 1, 0);
  const [announcements, setAnnouncements] = useState<Announcement[]>([]);
  const nextId = useRef(1);
  const refreshRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const model = view.current!;
    let alive = true;
    const refresh = () => {
      const stateAnswer = model.askState();
      const transcriptAnswer = model.askTranscript();
      void request({ type: 'session/get' })
        .then((answer) => alive && stateAnswer(answer) && changed(0))
        .catch((error: unknown) => console.warn('[captionist] session state not available', error));
      void request({ type: 'transcript/get' })
        .then((snapshot) => alive && transcriptAnswer(snapshot) && changed(0))
        .catch((error: unknown) => console.warn('[captionist] transcript not available', error));
    };
    refreshRef.current = refresh;
    const off = onMessage((message) => {
      if (message.type === 'session/state') {
        model.pushState(message.state);
        changed(0);
      } else if (message.type === 'transcript/update') {
        const said = model.pushUpdate(message.update);
        changed(0);
        if (said.length > 0) {
          const added = said.map((text) => ({ id: nextId.current++, text }));
          setAnnouncements((list) => [...list, ...added].slice(-KEEP_ANNOUNCEMENTS));
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

  const model = view.current;
  return {
    state: model.state,
    transcript: model.transcript,
    announcements,
    sessionStartedAt: model.sessionStartedAt,
    refresh: () => refreshRef.current(),
  };
}
