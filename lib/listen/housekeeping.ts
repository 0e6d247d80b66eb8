/**
 * What an open connection needs besides the audio, and when: a KeepAlive after an idle spell, 100 ms
 * of silence to prime a new connection that got no audio yet, and the watchdog that gives up on a
 * server that took audio and then said nothing. Pure: it is told what was sent and heard (times in
 * ms from the socket's clock) and answers which deadline is next and which are due; the socket
 * owns the one timer (deadlines.ts) and the sending.
 */

export interface HousekeepingOptions {
  /** Send KeepAlive after this long without sending anything. */
  keepAliveIdleMs: number;
  /** Audio sent and nothing heard back for this long: the server is dead. 0 disables. */
  serverSilenceTimeoutMs: number;
  /** Nothing sent this long after opening: prime with silence. 0 disables. */
  primeSilenceAfterMs: number;
}

/** A connection that lived this long was healthy: the next failure starts the backoff over. */
export const HEALTHY_CONNECTION_MS = 30_000;

export class Housekeeping {
  private lastSendAt: number;
  private awaitingReplySince: number | null = null;
  private sentAudio = false;
  private primed = false;

  constructor(
    private readonly options: HousekeepingOptions,
    /** When the connection opened. */
    readonly openedAt: number,
  ) {
    this.lastSendAt = openedAt;
  }

  /** Stream audio went: it needs an answer, and it counts as traffic. */
  audioSent(now: number): void {
    this.lastSendAt = now;
    this.sentAudio = true;
    this.awaitingReplySince ??= now;
  }

  /** A text frame went (Finalize, KeepAlive, CloseStream), or silence in its place: traffic, but nothing to answer. */
  textSent(now: number): void {
    this.lastSendAt = now;
  }

  /** The primer went: traffic, and never again on this connection. */
  primerSent(now: number): void {
    this.primed = true;
    this.lastSendAt = now;
  }

  /** The server said something: it is alive. */
  heardFromServer(): void {
    this.awaitingReplySince = null;
  }

  /** When each check falls due; null when it cannot (disabled, or nothing to wait for). */
  deadlines(): { keepAlive: number; serverSilence: number | null; prime: number | null } {
    const { keepAliveIdleMs, serverSilenceTimeoutMs, primeSilenceAfterMs } = this.options;
    return {
      keepAlive: this.lastSendAt + keepAliveIdleMs,
      serverSilence: serverSilenceTimeoutMs > 0 && this.awaitingReplySince !== null ? this.awaitingReplySince + serverSilenceTimeoutMs : null,
      prime: primeSilenceAfterMs > 0 && !this.primed && !this.sentAudio ? this.openedAt + primeSilenceAfterMs : null,
    };
  }

  /** The earliest deadline. */
  nextAt(): number {
    const { keepAlive, serverSilence, prime } = this.deadlines();
    return Math.min(keepAlive, serverSilence ?? Infinity, prime ?? Infinity);
  }

  serverSilent(now: number): boolean {
    const at = this.deadlines().serverSilence;
    return at !== null && now >= at;
  }

  primeDue(now: number): boolean {
    const at = this.deadlines().prime;
    return at !== null && now >= at;
  }

  keepAliveDue(now: number): boolean {
    return now >= this.deadlines().keepAlive;
  }

  /** The connection lived long enough to count as healthy. */
  wasHealthy(now: number): boolean {
    return now - this.openedAt >= HEALTHY_CONNECTION_MS;
  }
}
