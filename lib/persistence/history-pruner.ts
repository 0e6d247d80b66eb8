/**
 * Retention for everything kept about past sessions: the saved transcripts (retention.ts), the
 * speaker names given in them (lib/speaker-names-store.ts) and the caption box's position on the
 * sites they were captured on (lib/overlay/placement-retention.ts).
 *
 * The session recorder prunes when a session starts or ends (session-recorder.ts); that alone let
 * a browser that captured nothing keep transcripts past their days. So this also runs when the
 * browser starts or the extension is installed or updated (lib/background/saved-history.ts), and when
 * the side panel, where history is read, opens (entrypoints/sidepanel/side-panel-app.tsx).
 * Running it twice, or beside the recorder's own pruning, is harmless: deletes are idempotent.
 */
import type { RetentionPolicy } from './retention';
import { retentionCutoff } from './retention';
import type { TranscriptArchive } from './transcript-archive';

export interface HistoryPrunerDeps {
  archive(): Promise<TranscriptArchive>;
  loadRetention(): Promise<RetentionPolicy>;
  /** Keeps the names of sessions that started at these times, drops the rest (speaker-names-store.ts). */
  retainSpeakerNames(startTimes: readonly number[]): Promise<string[]>;
  /** Drops positions of sites not in `sitesInHistory` last saved before `cutoff` (placement-retention.ts). */
  prunePlacements(sitesInHistory: ReadonlySet<string>, cutoff: number, now: number): Promise<string[]>;
  /**
   * When the session being captured now began, or null. Its names are kept even if its record
   * could not be written, and its record is never pruned.
   */
  liveStartedAt(): Promise<number | null>;
  now(): number;
}

export interface PruneResult {
  /** Ids of the deleted sessions. */
  sessions: string[];
  /** Keys of the dropped speaker-name entries. */
  speakerNames: string[];
  /** Sites whose caption position was forgotten. */
  placements: string[];
}

export async function pruneHistory(deps: HistoryPrunerDeps): Promise<PruneResult> {
  const [policy, archive, liveStartedAt] = await Promise.all([
    deps.loadRetention(),
    deps.archive(),
    // Not knowing about a live session only costs the protection of names its record lacks.
    deps.liveStartedAt().catch(() => null),
  ]);
  const now = deps.now();
  const before = await archive.listSessions();
  const live = new Set(before.filter((session) => session.startedAt === liveStartedAt).map((session) => session.id));
  const deleted = await archive.prune(policy, now, live);
  const gone = new Set(deleted);
  const kept = before.filter((session) => !gone.has(session.id));

  const startTimes = kept.map((session) => session.startedAt);
  if (liveStartedAt !== null) startTimes.push(liveStartedAt);
  const speakerNames = await deps.retainSpeakerNames(startTimes);

  const sites = new Set(kept.map((session) => session.origin).filter((origin) => origin !== ''));
  const placements = await deps.prunePlacements(sites, retentionCutoff(policy, now), now);
  return { sessions: deleted, speakerNames, placements };
}
