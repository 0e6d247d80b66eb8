/**
 * How much history is kept: the newest `maxSessions` saved sessions, none older than `maxDays`.
 * Pure: the archive asks which ids to delete and deletes them. The live session is never deleted
 * by retention (only by the user).
 */
import * as z from 'zod/mini';

export interface RetentionPolicy {
  /** Saved sessions kept, newest first (the live one counts). */
  maxSessions: number;
  /** Sessions that ended longer ago than this are deleted. */
  maxDays: number;
}

export const RETENTION_LIMITS = {
  maxSessions: { min: 1, max: 1000 },
  maxDays: { min: 1, max: 3650 },
} as const;

export const DEFAULT_RETENTION: RetentionPolicy = { maxSessions: 50, maxDays: 30 };

export const retentionSchema = z.object({
  maxSessions: z.int().check(z.gte(RETENTION_LIMITS.maxSessions.min), z.lte(RETENTION_LIMITS.maxSessions.max)),
  maxDays: z.int().check(z.gte(RETENTION_LIMITS.maxDays.min), z.lte(RETENTION_LIMITS.maxDays.max)),
});

/** Fills missing or invalid fields from the defaults, so a damaged store never breaks a start. */
export function normalizeRetention(stored: unknown): RetentionPolicy {
  const policy: RetentionPolicy = { ...DEFAULT_RETENTION };
  if (typeof stored !== 'object' || stored === null) return policy;
  const record = stored as Record<string, unknown>;
  for (const key of ['maxSessions', 'maxDays'] as const) {
    if (retentionSchema.shape[key].safeParse(record[key]).success) policy[key] = record[key] as number;
  }
  return policy;
}

export interface RetainedSession {
  id: string;
  startedAt: number;
  /** Null while live (or when the session was cut off and not yet marked). */
  endedAt: number | null;
  updatedAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Epoch milliseconds before which a session's last activity is too old to keep under `policy`. */
export function retentionCutoff(policy: RetentionPolicy, now: number): number {
  return now - policy.maxDays * DAY_MS;
}

/** Ids to delete under `policy` at `now`; ids in `protect` (the live session) are always kept. */
export function sessionsToDelete(
  sessions: readonly RetainedSession[],
  policy: RetentionPolicy,
  now: number,
  protect: ReadonlySet<string> = new Set(),
): string[] {
  const newestFirst = [...sessions].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  const cutoff = retentionCutoff(policy, now);
  const doomed: string[] = [];
  let kept = 0;
  // Protected sessions take their place in the count first, so the live one never pushes itself out.
  const slots = Math.max(0, policy.maxSessions - newestFirst.filter((s) => protect.has(s.id)).length);
  for (const session of newestFirst) {
    if (protect.has(session.id)) continue;
    const lastTouched = session.endedAt ?? session.updatedAt;
    if (lastTouched < cutoff || kept >= slots) doomed.push(session.id);
    else kept += 1;
  }
  return doomed;
}
