/**
 * History past its retention goes even when no session starts (lib/persistence/history-pruner.ts):
 * the background prunes it when the browser starts and when the extension is installed or updated.
 */
import { browserHistoryPruner, liveStartOf } from '../persistence/browser-history-pruner';
import { pruneHistory } from '../persistence/history-pruner';
import { currentState, type SessionControlDeps } from './session-control';

/** Prunes, sparing the running session; a failure is logged, never thrown. */
export async function pruneSavedHistory(deps: SessionControlDeps): Promise<void> {
  try {
    await pruneHistory(browserHistoryPruner(async () => liveStartOf(await currentState(deps))));
  } catch (error) {
    console.warn('[captionist] pruning saved history failed:', error);
  }
}
