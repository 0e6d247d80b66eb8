/**
 * The opt-in server-side archive (issue 14), as one object the server holds: a tap per stream that
 * keeps its final utterances, a writer that batches them into Postgres, the retention job, the
 * read API, and its /metrics counters.
 *
 * The tap runs on the relay path (proxy/listen-session.ts relayDown), so it does only a substring
 * test there; messages that may be finals are parsed on a later turn of the event loop, in one
 * batch, by the extension's parser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { sendJson } from '../http-refusal';
import type { ArchiveConfig } from './archive-config';
import { serveArchive, type Authenticate } from './archive-api';
import { rawBytesPerSecond, type AudioFormat } from '../listen-params';
import type { StreamTap } from '../listen-session';
import { archiveSessionId, finalRow, mayBeFinal, type StreamArchiveKey, type ToMeetingTime } from './archive-rows';
import { DeclaredTimeline } from './declared-timeline';
import { ArchiveStore, runArchiveMigrations } from './archive-store';
import { ArchiveWriter } from './archive-writer';
import type { ArchiveParams } from './archive-params';

const DAY_MS = 86_400_000;

export interface ArchiveOptions {
  logger: Logger;
  registry: Registry;
  /** The retention job's clock; tests move it forward. */
  now?: () => number;
}

export interface StreamInfo {
  /** archive-owner.ts */
  owner: string;
  tokenLabel: string;
  requestId: string;
  params: ArchiveParams;
  /** The stream's declared audio format: relayed bytes are server seconds only for raw audio. */
  format: AudioFormat;
}

export interface Archive {
  /**
   * What the stream calls with every upstream message and the client's span declarations, or
   * undefined for a stream that did not ask to be archived (no `captionist_session`).
   */
  tap(stream: StreamInfo): StreamTap | undefined;
  serve(request: IncomingMessage, response: ServerResponse, authenticate: Authenticate): Promise<void>;
  /** Writes what it can of the buffer now (tests, shutdown). */
  flush(): Promise<void>;
  /** One pass of the retention job; returns the sessions deleted. */
  enforceRetention(): Promise<number>;
  readonly buffered: number;
  close(): Promise<void>;
}

export function createArchive(config: ArchiveConfig, options: ArchiveOptions): Archive {
  const { logger, registry } = options;
  const now = options.now ?? Date.now;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000 });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (error) => logger.debug({ err: error.message }, 'archive database connection lost'));
  const store = new ArchiveStore(pool);

  const written = new Counter({ name: 'captionist_archive_rows_written_total', help: 'Final utterances stored in the archive (a replayed final already stored is not counted).', registers: [registry] });
  const dropped = new Counter({
    name: 'captionist_archive_rows_dropped_total',
    help: 'Final utterances dropped because the archive buffer (ARCHIVE_BUFFER_ROWS) was full while Postgres was unreachable.',
    registers: [registry],
  });
  const failures = new Counter({ name: 'captionist_archive_write_failures_total', help: 'Archive batch writes that failed (retried with backoff).', registers: [registry] });
  const expired = new Counter({ name: 'captionist_archive_sessions_expired_total', help: 'Archived sessions deleted by retention (ARCHIVE_RETENTION_DAYS).', registers: [registry] });

  let migrated: Promise<void> | undefined;
  const migrate = () => {
    migrated ??= runArchiveMigrations(config.databaseUrl).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  };

  const writer = new ArchiveWriter({
    sink: store,
    logger,
    bufferRows: config.bufferRows,
    batchRows: config.batchRows,
    flushMs: config.flushMs,
    backoffMs: config.backoffMs,
    maxBackoffMs: config.maxBackoffMs,
    prepare: migrate,
    onWritten: (inserted) => written.inc(inserted),
    onDropped: (rows) => dropped.inc(rows),
    onFailure: () => failures.inc(),
  });
  new Gauge({
    name: 'captionist_archive_buffered_rows',
    help: 'Final utterances waiting to be written to the archive.',
    registers: [registry],
    collect() {
      this.set(writer.buffered);
    },
  });

  // Messages that passed mayBeFinal, parsed together on the next turn of the event loop.
  let pending: { message: string | Buffer; key: StreamArchiveKey; seenAt: number; toMeetingTime: ToMeetingTime }[] = [];
  let parseScheduled = false;
  const parsePending = () => {
    parseScheduled = false;
    const batch = pending;
    pending = [];
    for (const item of batch) {
      const row = finalRow(item.message, item.key, item.seenAt, item.toMeetingTime);
      if (row !== undefined) writer.add(row);
    }
  };

  const enforceRetention = async (): Promise<number> => {
    if (config.retentionDays === 0) return 0;
    await migrate();
    const deleted = await store.deleteInactiveSince(new Date(now() - config.retentionDays * DAY_MS));
    if (deleted > 0) {
      expired.inc(deleted);
      logger.info({ sessions: deleted, retentionDays: config.retentionDays }, 'archive retention deleted sessions');
    }
    return deleted;
  };
  const retentionTimer = setInterval(() => {
    enforceRetention().catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'archive retention failed; next run will retry'));
  }, config.retentionIntervalMs);
  retentionTimer.unref();

  // Migrate at start so the schema is ready before the first final; a database that is down now is
  // retried by the writer before its first write.
  // Retention also runs once at start: a proxy restarted more often than the interval still prunes.
  migrate().then(
    () => enforceRetention().catch(() => {}),
    (error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'archive migrations could not run yet'),
  );

  return {
    tap(stream) {
      // Only a client that asked is archived: the extension asks when its user turned the archive on.
      if (stream.params.session === undefined) return undefined;
      const key: StreamArchiveKey = {
        sessionId: archiveSessionId(stream.owner, stream.params.session),
        owner: stream.owner,
        tokenLabel: stream.tokenLabel,
        offsetSeconds: stream.params.offsetSeconds,
      };
      const rate = rawBytesPerSecond(stream.format);
      const sampleRate = stream.format.sampleRate;
      // Compressed audio has no byte rate to turn into server time: its declarations are ignored.
      const timeline = rate === undefined || sampleRate === undefined ? undefined : new DeclaredTimeline(sampleRate);
      return {
        message(message, audioBytes) {
          if (!mayBeFinal(message)) return;
          const relayedSeconds = audioBytes / (rate ?? 1);
          const toMeetingTime: ToMeetingTime = (seconds, edge) => timeline?.toMeetingTime(seconds, edge, relayedSeconds);
          pending.push({ message, key, seenAt: Date.now(), toMeetingTime });
          if (!parseScheduled) {
            parseScheduled = true;
            setImmediate(parsePending);
          }
        },
        meetingSpan(meetingStart, audioBytes) {
          if (rate !== undefined) timeline?.spanStarts(meetingStart, audioBytes / rate);
        },
      };
    },
    async serve(request, response, authenticate) {
      try {
        await migrate();
        await serveArchive(request, response, store, authenticate);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'archive read failed');
        if (!response.headersSent) sendJson(response, 503, { error: 'unavailable', message: 'The archive database cannot be reached just now; try again shortly.' });
      }
    },
    async flush() {
      if (parseScheduled) parsePending();
      await writer.flush();
    },
    enforceRetention,
    get buffered() {
      return writer.buffered;
    },
    async close() {
      clearInterval(retentionTimer);
      if (parseScheduled) parsePending();
      await writer.close();
      await migrated?.catch(() => {});
      await pool.end();
    },
  };
}
