/**
 * When the listen socket tries again. Delays: 0.5 s doubling to 30 s, with jitter so many clients
 * dropped by one proxy restart do not all come back in the same millisecond. Reconnects counts the
 * tries and says when the very first connection should be given up on.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** 0.2 spreads each delay over ±20 %. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

/** Delay before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const { initialMs, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const base = Math.min(maxMs, initialMs * 2 ** exponent);
  const spread = base * jitter * (random() * 2 - 1);
  return Math.round(Math.min(maxMs, Math.max(0, base + spread)));
}

export interface ReconnectOptions {
  /** Failed handshakes before the very first connection is declared unreachable. */
  initialConnectAttempts: number;
  /**
   * Connections in a row that the proxy opened and then closed because its speech service failed
   * (close-codes.ts failedParty 'upstream') before the session gives up. Default UPSTREAM_RETRIES.
   */
  upstreamRetries?: number;
  /** Returns [0, 1), for the jitter. */
  random: () => number;
  backoff?: BackoffOptions;
}

/**
 * Retries of a speech service that keeps failing behind a working proxy: with the default backoff
 * (0.5 s doubling) 7 retries wait about 1 minute in all, then the session stops and says so
 * rather than showing "Connecting…" for ever.
 */
export const UPSTREAM_RETRIES = 7;

/** Counts the tries: how long to wait before the next one, and when the first connection is hopeless. */
export class Reconnects {
  private attempts = 0;
  private upstreamFailures = 0;
  private upstreamFailingSince: number | null = null;
  private failuresBeforeFirstOpen = 0;
  private everOpened = false;

  constructor(private readonly options: ReconnectOptions) {}

  /** 0 on the first try; the retry number while reconnecting. */
  get attempt(): number {
    return this.attempts;
  }

  opened(): void {
    this.everOpened = true;
    this.failuresBeforeFirstOpen = 0;
  }

  /** The server proved healthy (it answered, or a connection lasted): backoff starts over. */
  healthy(): void {
    this.attempts = 0;
    this.upstreamFailures = 0;
    this.upstreamFailingSince = null;
  }

  /**
   * The proxy's speech service failed again at `now` (ms): whether to retry (false once the
   * retries for that are used up), and since when it has been failing.
   */
  upstreamFailed(now: number): { retry: boolean; failingForMs: number } {
    this.upstreamFailures += 1;
    this.upstreamFailingSince ??= now;
    return { retry: this.upstreamFailures <= (this.options.upstreamRetries ?? UPSTREAM_RETRIES), failingForMs: now - this.upstreamFailingSince };
  }

  /** A handshake failed; false when no connection ever opened and the attempts are used up. */
  handshakeFailed(): boolean {
    if (this.everOpened) return true;
    this.failuresBeforeFirstOpen += 1;
    return this.failuresBeforeFirstOpen < this.options.initialConnectAttempts;
  }

  /** Counts a retry and returns its delay; `immediate` (the server went away on purpose) skips the first wait. */
  next(immediate: boolean): number {
    this.attempts += 1;
    if (immediate && this.attempts === 1) return 0;
    return backoffDelay(this.attempts, this.options.random, this.options.backoff);
  }
}
