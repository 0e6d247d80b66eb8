/**
 * "Is a session running?", answered once for every view and the background. The phases
 * (lib/contract/messages.ts SessionPhase) go
 *   idle -> starting -> connecting <-> live -> stopping -> idle | error
 * and three questions are asked of them:
 */
import type { SessionPhase, SessionState } from './messages';

type Phased = Pick<SessionState, 'phase'> | null | undefined;

const RUNNING: ReadonlySet<SessionPhase> = new Set(['starting', 'connecting', 'live', 'stopping']);
const STOPPABLE: ReadonlySet<SessionPhase> = new Set(['starting', 'connecting', 'live']);
const CAPTURING: ReadonlySet<SessionPhase> = new Set(['connecting', 'live']);

/** A session exists and has not ended: no second one may start, and its document stays open. */
export function isSessionRunning(state: Phased): boolean {
  return !!state && RUNNING.has(state.phase);
}

/** Running and not already stopping: what a Stop button (or the shortcut) acts on. */
export function canStopSession(state: Phased): boolean {
  return !!state && STOPPABLE.has(state.phase);
}

/** Audio is being captured and sent: the elapsed time runs and the level meter moves. */
export function isCapturingAudio(state: Phased): boolean {
  return !!state && CAPTURING.has(state.phase);
}
