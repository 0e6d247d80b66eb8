/**
 * The archive's settings, read from the environment apart from proxy/config.ts so the archive
 * stays one opt-in piece: without ARCHIVE_DATABASE_URL there is no archive at all.
 */
import type { Env } from '../config';

export interface ArchiveConfig {
  databaseUrl: string;
  /** Rows held in memory while Postgres is unreachable; more are dropped and counted. */
  bufferRows: number;
  /** Sessions with no new utterance for this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** How often the retention job runs. */
  retentionIntervalMs: number;
  batchRows: number;
  flushMs: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_ARCHIVE = {
  bufferRows: 10_000,
  retentionDays: 30,
  retentionIntervalMs: 3_600_000,
  batchRows: 100,
  flushMs: 1000,
  backoffMs: 500,
  maxBackoffMs: 30_000,
} as const;

function wholeNumber(env: Env, name: string, min: number, max: number, fallback: number, errors: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    errors.push(`${name} must be a whole number from ${min} to ${max}, not "${raw}".`);
    return fallback;
  }
  return value;
}

export type ArchiveConfigResult = { ok: true; config: ArchiveConfig | undefined } | { ok: false; errors: string[] };

export function loadArchiveConfig(env: Env): ArchiveConfigResult {
  const databaseUrl = env.ARCHIVE_DATABASE_URL?.trim();
  if (databaseUrl === undefined || databaseUrl === '') return { ok: true, config: undefined };
  const errors: string[] = [];
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) errors.push('ARCHIVE_DATABASE_URL must be a postgres:// or postgresql:// URL.');
  const config: ArchiveConfig = {
    ...DEFAULT_ARCHIVE,
    databaseUrl,
    bufferRows: wholeNumber(env, 'ARCHIVE_BUFFER_ROWS', 1, 10_000_000, DEFAULT_ARCHIVE.bufferRows, errors),
    retentionDays: wholeNumber(env, 'ARCHIVE_RETENTION_DAYS', 0, 36_500, DEFAULT_ARCHIVE.retentionDays, errors),
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
