import { useEffect, useState } from 'preact/hooks';
import { IDLE_STATE, type SessionState } from '@/lib/contract/messages';
import { askBackground, onOffscreenEvent } from '@/lib/contract/messaging';

/** The live session as the offscreen document reports it; idle when there is no session. */
export function useSessionState(): SessionState {
  const [state, setState] = useState<SessionState>(IDLE_STATE);
  useEffect(() => {
    let alive = true;
    void askBackground({ type: 'session/get' }).then((answer) => {
      if (alive) setState(answer ?? IDLE_STATE);
    });
    const off = onOffscreenEvent((event) => {
      if (event.type === 'session/state') setState(event.state);
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return state;
}
