/**
 * Reconnect delays: 0.5 s doubling to 30 s, with jitter so many clients dropped by one proxy
 * restart do not all come back in the same millisecond.
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
