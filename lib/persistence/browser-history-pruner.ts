/**
 * history-pruner.ts bound to this extension's real storage: the shared IndexedDB archive,
 * storage.local (retention setting, speaker names, caption positions) and the clock. Used by the
 * background and the side panel, which differ only in how they learn about a live session.
 */
import type { SessionState } from '../contract/messages';
import { isSessionRunning } from '../contract/session-phase';
import { overlayPlacements } from '../contract/storage/items';
import { prunePlacements } from '../overlay/placement-retention';
import { speakerNamesStore } from '../speaker-names-store';
import type { HistoryPrunerDeps } from './history-pruner';
import { loadRetention } from './retention-store';
import { sharedArchive } from './transcript-archive';

/** The start of the session `state` describes if it may still be recording (stopping: finals may still arrive). */
export function liveStartOf(state: SessionState | undefined): number | null {
  return state && isSessionRunning(state) ? state.startedAt : null;
}

export function browserHistoryPruner(liveStartedAt: () => Promise<number | null>): HistoryPrunerDeps {
  return {
    archive: sharedArchive,
    loadRetention,
    retainSpeakerNames: (startTimes) => speakerNamesStore().retainSessions(startTimes),
    prunePlacements: (sites, cutoff, now) => prunePlacements(overlayPlacements, sites, cutoff, now),
    liveStartedAt,
    now: Date.now,
  };
}
