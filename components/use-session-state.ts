import { useEffect, useState } from 'preact/hooks';
import { IDLE_STATE, type SessionState } from '@/lib/messages';
import { onMessage, request } from '@/lib/runtime-client';

/** The live session as the offscreen document reports it; idle when there is no session. */
export function useSessionState(): SessionState {
  const [state, setState] = useState<SessionState>(IDLE_STATE);
  useEffect(() => {
    let alive = true;
    void request({ type: 'session/get' }).then((answer) => {
      if (alive) setState(answer ?? IDLE_STATE);
    });
    const off = onMessage((message) => {
      if (message.type === 'session/state') setState(message.state);
      return undefined;
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return state;
}
