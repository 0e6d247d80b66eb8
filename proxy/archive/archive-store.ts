/**
 * The archive's SQL: migrations (run by node-pg-migrate from ./migrations), the batched write,
 * retention, and the reads behind the read API. Every read is filtered by the owner (archive-owner.ts), so a
 * token never sees, or learns of, another token's sessions.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Word } from '../../lib/transcript/types';
import type { ArchiveRow } from './archive-rows';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
const MIGRATIONS_TABLE = 'archive_migrations';

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastActivityAt: string;
  utterances: number;
}

export interface StoredUtterance {
  channel: number;
  speaker: number | null;
  startMs: number;
  endMs: number;
  text: string;
  words: Word[];
}

export interface StoredSession extends SessionSummary {
  utteranceList: StoredUtterance[];
}

export async function runArchiveMigrations(databaseUrl: string): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    // node-pg-migrate takes an advisory lock, so instances starting together migrate once.
    log: () => {},
  });
}

export class ArchiveStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * One transaction: the batch's sessions (created, or their last activity moved on), then its
   * utterances in one multi-row INSERT; a key already stored is skipped (archive-rows.ts).
   */
  async write(rows: readonly ArchiveRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const sessions = new Map<string, { owner: string; tokenLabel: string; first: number; last: number }>();
    for (const row of rows) {
      const known = sessions.get(row.sessionId);
      if (known === undefined) sessions.set(row.sessionId, { owner: row.owner, tokenLabel: row.tokenLabel, first: row.seenAt, last: row.seenAt });
      else {
        known.first = Math.min(known.first, row.seenAt);
        known.last = Math.max(known.last, row.seenAt);
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const sessionValues: unknown[] = [];
      const sessionTuples = [...sessions].map(([id, session], i) => {
        sessionValues.push(id, session.owner, session.tokenLabel, new Date(session.first), new Date(session.last));
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
      });
      await client.query(
        `INSERT INTO archive_sessions (id, owner, token_label, created_at, last_activity_at) VALUES ${sessionTuples.join(', ')}
         ON CONFLICT (id) DO UPDATE SET last_activity_at = GREATEST(archive_sessions.last_activity_at, EXCLUDED.last_activity_at)`,
        sessionValues,
      );
      const values: unknown[] = [];
      const tuples = rows.map((row, i) => {
        values.push(row.sessionId, row.channel, row.startKey, row.startMs, row.endMs, row.speaker, row.text, JSON.stringify(row.words));
        const b = i * 8;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}::jsonb)`;
      });
      const inserted = await client.query(
        `INSERT INTO archive_utterances (session_id, channel, start_key, start_ms, end_ms, speaker, text, words) VALUES ${tuples.join(', ')}
         ON CONFLICT (session_id, channel, start_key) DO NOTHING`,
        values,
      );
      await client.query('COMMIT');
      return inserted.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Deletes sessions with no activity since `cutoff`; their utterances go with them (ON DELETE CASCADE). */
  async deleteInactiveSince(cutoff: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM archive_sessions WHERE last_activity_at < $1', [cutoff]);
    return result.rowCount ?? 0;
  }

  async listSessions(owner: string, limit: number): Promise<SessionSummary[]> {
    const result = await this.pool.query<{ id: string; created_at: Date; last_activity_at: Date; utterances: string }>(
      `SELECT s.id, s.created_at, s.last_activity_at, (SELECT count(*) FROM archive_utterances u WHERE u.session_id = s.id) AS utterances
       FROM archive_sessions s WHERE s.owner = $1 ORDER BY s.created_at DESC LIMIT $2`,
      [owner, limit],
    );
    return result.rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      lastActivityAt: row.last_activity_at.toISOString(),
      utterances: Number(row.utterances),
    }));
  }

  /** The session with its utterances in time order, or undefined when this token has no such session. */
  async getSession(owner: string, id: string): Promise<StoredSession | undefined> {
    const session = await this.pool.query<{ id: string; created_at: Date; last_activity_at: Date }>(
      'SELECT id, created_at, last_activity_at FROM archive_sessions WHERE id = $1 AND owner = $2',
      [id, owner],
    );
    const row = session.rows[0];
    if (row === undefined) return undefined;
    const utterances = await this.pool.query<{ channel: number; speaker: number | null; start_ms: string; end_ms: string; text: string; words: Word[] }>(
      'SELECT channel, speaker, start_ms, end_ms, text, words FROM archive_utterances WHERE session_id = $1 ORDER BY start_ms, channel',
      [id],
    );
    const utteranceList = utterances.rows.map((u) => ({
      channel: u.channel,
      speaker: u.speaker,
      startMs: Number(u.start_ms),
      endMs: Number(u.end_ms),
      text: u.text,
      words: u.words,
    }));
    return {
      id: row.id,
      createdAt: row.created_at.toISOString(),
      lastActivityAt: row.last_activity_at.toISOString(),
      utterances: utteranceList.length,
      utteranceList,
    };
  }
}
