/**
 * history-pruner.ts bound to this extension's real storage: the shared IndexedDB archive,
 * storage.local (retention setting, speaker names, caption positions) and the clock. Used by the
 * background and the side panel, which differ only in how they learn about a live session.
 */
import { overlayPlacements } from '../contract/storage/items';
import type { SessionState } from '../messages';
import { prunePlacements } from '../overlay/placement-retention';
import { speakerNamesStore } from '../speaker-names-store';
import type { HistoryPrunerDeps } from './history-pruner';
import { loadRetention } from './retention-store';
import { sharedArchive } from './transcript-archive';

/** The start of the session `state` describes if it may still be recording (stopping: finals may still arrive). */
export function liveStartOf(state: SessionState | undefined): number | null {
  if (!state || state.phase === 'idle' || state.phase === 'error') return null;
  return state.startedAt;
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
