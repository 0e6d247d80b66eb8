/**
 * What the background does with the capture host's events (the offscreen document's, or Firefox's
 * capture tab's): the toolbar shows the phase, the captured tab's overlay hears the state and the
 * transcript, and an ended session is cleaned up after (session-control.ts).
 */
import { onOffscreenEvent } from '../contract/messaging';
import type { BackgroundSession } from './background-session';
import { sessionEnded } from './session-control';

export function followCaptureHost(session: BackgroundSession): void {
  const { deps } = session;
  onOffscreenEvent((event) => {
    switch (event.type) {
      case 'session/state':
        void deps.showPhase(event.state.phase, event.state);
        void session.relayToCaptureTab({ type: 'tab/session-state', state: event.state });
        return;
      case 'session/ended':
        void sessionEnded(deps, event.state);
        return;
      case 'transcript/update':
        void session.relayToCaptureTab({ type: 'tab/transcript-update', update: event.update });
        return;
      case 'audio/level':
        return; // for the pages' level meters
    }
  });
}
