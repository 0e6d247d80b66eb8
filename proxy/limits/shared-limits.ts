/**
 * Limits that hold for a token or for the whole team, whichever proxy instance a stream lands on:
 * concurrent streams per token, audio seconds per token per UTC day, and open upstream streams.
 * The server sees only this interface; memory-limits.ts keeps them for one instance,
 * redis-limits.ts shares them between instances through Redis.
 */
import type { Refusal } from '../http-refusal';

export interface LimitSettings {
  maxStreamsPerToken: number;
  /** Streams open to the upstream (Deepgram) at once, all tokens and instances together. */
  upstreamMaxStreams: number | undefined;
  /** Audio seconds one token may stream per UTC day; undefined: no quota. */
  dailyAudioSecondsPerToken: number | undefined;
}

/** One admitted stream's hold on the limits, until release(). */
export interface StreamSlot {
  /** Audio this stream sent; counted in memory, written to a shared store on the heartbeat. */
  addAudioSeconds(seconds: number): void;
  /** Gives the slot back and counts what audio is left; safe to call more than once. */
  release(): void;
  /**
   * Called once if the token's daily audio runs out while this stream is open (memory: at once;
   * Redis: on the heartbeat that sees it), with the refusal its next stream would get.
   */
  onQuotaUsed(listener: (refusal: Refusal) => void): void;
}

export type Admission = { slot: StreamSlot } | { refusal: Refusal };

export type LimitsHealth = { degraded: false } | { degraded: true; reason: string };

export interface LimitsStats {
  /** Failed commands to the shared store since start. */
  storeErrors: number;
  /** Time spent without the shared store since start, in seconds. */
  degradedSeconds: number;
}

export interface SharedLimits {
  readonly store: 'memory' | 'redis';
  /** Whether a stream for this token would be admitted now (for /v1/auth-check); takes nothing. */
  check(tokenKey: string): Promise<Refusal | undefined>;
  /** Takes a slot for a stream about to open, or says which limit refuses it. */
  acquire(tokenKey: string): Promise<Admission>;
  health(): LimitsHealth;
  stats(): LimitsStats;
  /** Releases what is left and disconnects from the store. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

let cachedDayNumber = -1;
let cachedDay = '';

/** The UTC day a quota counts in, e.g. 2026-12-06; cached, as audio is counted per frame. */
export function utcDay(now: number): string {
  const dayNumber = Math.floor(now / DAY_MS);
  if (dayNumber !== cachedDayNumber) {
    cachedDayNumber = dayNumber;
    cachedDay = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
  }
  return cachedDay;
}

/** Whole seconds until the next UTC midnight, when every daily quota resets (at least 1). */
export function secondsUntilUtcMidnight(now: number): number {
  const nextMidnight = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  return Math.max(1, Math.ceil((nextMidnight - now) / 1000));
}
