/**
 * Batches archive rows off the relay path and writes them, one transaction per batch. While
 * Postgres is unreachable rows wait in a bounded buffer and the write is retried with exponential
 * backoff; a row arriving at a full buffer is dropped, counted and logged (the first drop of an
 * outage, then a total when writes resume), so a long outage costs memory up to the bound, never
 * more, and never the streams.
 */
import type { Logger } from 'pino';
import type { ArchiveRow } from './archive-rows';

export interface ArchiveSink {
  write(rows: readonly ArchiveRow[]): Promise<number>;
}

export interface ArchiveWriterOptions {
  sink: ArchiveSink;
  logger: Logger;
  /** Most rows held while Postgres is away (ARCHIVE_BUFFER_ROWS). */
  bufferRows: number;
  /** A batch is written when it has this many rows… */
  batchRows: number;
  /** …or this long after the last write. */
  flushMs: number;
  /** First retry delay after a failed write; doubled per failure up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Runs before the first write (the migrations); retried like a write until it succeeds. */
  prepare?: () => Promise<void>;
  onWritten?(inserted: number, offered: number): void;
  onDropped?(rows: number): void;
  onFailure?(): void;
}

export class ArchiveWriter {
  private buffer: ArchiveRow[] = [];
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private prepared = false;
  private droppedThisOutage = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private soon: NodeJS.Immediate | undefined;

  constructor(private readonly options: ArchiveWriterOptions) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  get buffered(): number {
    return this.buffer.length;
  }

  add(row: ArchiveRow): void {
    if (this.closed) return;
    if (this.buffer.length >= this.options.bufferRows) {
      this.options.onDropped?.(1);
      if (this.droppedThisOutage === 0) {
        this.options.logger.warn({ bufferRows: this.options.bufferRows }, 'archive buffer full: dropping final utterances until Postgres is back');
      }
      this.droppedThisOutage += 1;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.options.batchRows && this.soon === undefined) {
      this.soon = setImmediate(() => {
        this.soon = undefined;
        void this.flush();
      });
    }
  }

  /** Writes everything buffered, batch by batch; stops at the first failure and schedules a retry. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    if (Date.now() < this.retryAt) return;
    try {
      if (!this.prepared) {
        await this.options.prepare?.();
        this.prepared = true;
      }
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, this.options.batchRows);
        const inserted = await this.options.sink.write(batch);
        this.buffer.splice(0, batch.length);
        this.options.onWritten?.(inserted, batch.length);
      }
      if (this.failures > 0 || this.droppedThisOutage > 0) {
        this.options.logger.info({ failedAttempts: this.failures, dropped: this.droppedThisOutage }, 'archive writes resumed');
      }
      this.failures = 0;
      this.droppedThisOutage = 0;
    } catch (error) {
      this.failures += 1;
      this.options.onFailure?.();
      const delay = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (this.failures - 1));
      this.retryAt = Date.now() + delay;
      const log = { err: error instanceof Error ? error.message : String(error), buffered: this.buffer.length, retryInMs: delay };
      // The first failure of an outage at warn, the rest at debug: a long outage must not flood the log.
      if (this.failures === 1) this.options.logger.warn(log, 'archive write failed; rows wait in the buffer');
      else this.options.logger.debug(log, 'archive write failed again');
    }
  }

  /** Stops the timer and tries once more to write what is buffered. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.soon !== undefined) clearImmediate(this.soon);
    await this.flushing;
    this.retryAt = 0;
    await this.flush();
    if (this.buffer.length > 0) this.options.logger.warn({ rows: this.buffer.length }, 'archive rows not written at shutdown');
  }
}
