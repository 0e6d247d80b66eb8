/**
 * The limits shared by every instance through Redis.
 *
 * Concurrent streams (per token, and all together for UPSTREAM_MAX_STREAMS) are slots in sorted
 * sets scored by their expiry: taking one is a Lua script that drops expired members, counts and
 * adds, atomically. A heartbeat renews this instance's slots, so those of an instance that died
 * expire within the slot TTL. rate-limiter-flexible could not do this part: its limiters count
 * points in a window (consume on open, reward on close), and a point consumed by a killed instance
 * is never rewarded; it has no per-holder expiry to renew.
 *
 * The daily audio quota is a RateLimiterRedis (one key per token and UTC day); audio seconds are
 * added up in memory and written on the heartbeat and at stream end, never per audio frame; the
 * heartbeat's write answers the shared total, and a token's streams here end when it is used up.
 *
 * With Redis away, REDIS_DOWN decides: `admit` uses this instance's own counts (LocalLedger), and
 * the heartbeat puts every slot held here back into Redis once it answers (a restarted Redis
 * starts empty); `refuse` refuses new streams with 503. Open streams go on either way.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Refusal } from '../http-refusal';
import { dailyAudioQuota, limitsUnavailable, tooManyStreams, upstreamCapacity } from './limit-refusals';
import { LocalLedger } from './local-ledger';
import type { RedisConnection } from './redis-connection';
import { secondsUntilUtcMidnight, utcDay, type Admission, type LimitSettings, type SharedLimits } from './shared-limits';

export interface RedisLimitsOptions extends LimitSettings {
  /** admit: this instance's own limits while Redis is away; refuse: no new streams meanwhile. */
  whenDown: 'admit' | 'refuse';
  /** A slot not renewed for this long is free again: the bound on a dead instance's slots. */
  slotTtlMs: number;
  /** Renewal period; a third of the TTL, so two renewals may fail before a live slot expires. */
  heartbeatMs: number;
  keyPrefix?: string;
}

/** Redis's own clock, so instances with drifting clocks agree on expiry. */
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: token set, all-streams set. ARGV: member, ttl ms, max per token, max all (0: none). */
const ACQUIRE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[3]) then return 1 end
local max = tonumber(ARGV[4])
if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then return 2 end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 0`;

/**
 * KEYS: all-streams set, then one set per token. ARGV: ttl ms, then per token set its member count
 * and members. ZADD without XX: slots lost with a restarted Redis come back.
 */
const RENEW = `${NOW_MS}
local expires = now + tonumber(ARGV[1])
local i = 2
for k = 2, #KEYS do
  local n = tonumber(ARGV[i])
  i = i + 1
  for j = 1, n do
    redis.call('ZADD', KEYS[k], expires, ARGV[i])
    redis.call('ZADD', KEYS[1], expires, ARGV[i])
    i = i + 1
  end
  redis.call('PEXPIRE', KEYS[k], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`;

/** Quota keys live two days: past their day nobody reads them. */
const QUOTA_KEY_SECONDS = 2 * 24 * 3600;

export function createRedisLimits(connection: RedisConnection, options: RedisLimitsOptions, logger: Logger): SharedLimits {
  const prefix = options.keyPrefix ?? 'captionist';
  const redis = connection.client;
  const allKey = `${prefix}:streams:all`;
  const tokenSetKey = (tokenKey: string) => `${prefix}:streams:token:${tokenKey}`;
  const ledger = new LocalLedger(options);
  const instanceId = randomUUID();
  const quota =
    options.dailyAudioSecondsPerToken === undefined
      ? undefined
      : new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:audio`,
          points: options.dailyAudioSecondsPerToken,
          duration: QUOTA_KEY_SECONDS,
          rejectIfRedisNotReady: true,
        });
  const quotaKey = (tokenKey: string, now: number) => `${tokenKey}:${utcDay(now)}`;
  /** Audio seconds not yet written, by quota key; fractions stay here (the store counts integers). */
  const pendingAudio = new Map<string, number>();
  /** Today's shared use as last read, by quota key: what a degraded `admit` check goes by. */
  const lastSharedAudio = new Map<string, number>();

  const failed = (error: unknown): void => connection.noteError(error);
  /** Slot id -> who to tell when its token's daily audio runs out mid-stream. */
  const quotaListeners = new Map<string, (refusal: Refusal) => void>();

  /** After a flush: streams of tokens now at their quota are told, once. */
  const tellQuotaUsed = (now: number): void => {
    const quotaSeconds = options.dailyAudioSecondsPerToken;
    if (quotaSeconds === undefined) return;
    for (const [slotId, listener] of quotaListeners) {
      const tokenKey = ledger.slots.get(slotId);
      if (tokenKey === undefined) continue;
      const key = quotaKey(tokenKey, now);
      if ((lastSharedAudio.get(key) ?? 0) + (pendingAudio.get(key) ?? 0) < quotaSeconds) continue;
      quotaListeners.delete(slotId);
      listener(dailyAudioQuota(quotaSeconds, secondsUntilUtcMidnight(now)));
    }
  };

  const sharedAudioSeconds = async (tokenKey: string, now: number): Promise<number> => {
    if (quota === undefined) return 0;
    const key = quotaKey(tokenKey, now);
    const record = await quota.get(key);
    const used = record?.consumedPoints ?? 0;
    lastSharedAudio.set(key, used);
    return used + (pendingAudio.get(key) ?? 0);
  };

  /** The per-token, quota and upstream checks against Redis (reads only). */
  const quotaRefusal = async (tokenKey: string, now: number): Promise<Refusal | undefined> => {
    if (options.dailyAudioSecondsPerToken === undefined) return undefined;
    const used = await sharedAudioSeconds(tokenKey, now);
    return used >= options.dailyAudioSecondsPerToken ? dailyAudioQuota(options.dailyAudioSecondsPerToken, secondsUntilUtcMidnight(now)) : undefined;
  };

  /** While Redis is away: refuse, or go by this instance's own counts and the last quota reading. */
  const whileDown = (tokenKey: string, now: number): Refusal | undefined =>
    options.whenDown === 'refuse' ? limitsUnavailable() : ledger.refusal(tokenKey, now, lastSharedAudio.get(quotaKey(tokenKey, now)) ?? 0);

  const flushAudio = async (): Promise<void> => {
    if (quota === undefined || !connection.ready) return;
    const now = Date.now();
    // Tokens with a stream open here are read even with nothing to write (a write of 0 seconds
    // answers the shared total), so a stream learns when other instances used up its quota.
    const watched = new Set<string>();
    for (const slotId of quotaListeners.keys()) {
      const tokenKey = ledger.slots.get(slotId);
      if (tokenKey !== undefined) watched.add(quotaKey(tokenKey, now));
    }
    const keys = new Set([...pendingAudio.keys(), ...watched]);
    const writes: Promise<unknown>[] = [];
    for (const key of keys) {
      const seconds = pendingAudio.get(key) ?? 0;
      const whole = Math.floor(seconds);
      if (whole < 1 && !watched.has(key)) continue;
      pendingAudio.set(key, seconds - whole);
      writes.push(
        quota.penalty(key, whole).then(
          (record) => lastSharedAudio.set(key, record.consumedPoints),
          (error: unknown) => {
            failed(error);
            pendingAudio.set(key, (pendingAudio.get(key) ?? 0) + whole);
          },
        ),
      );
    }
    await Promise.all(writes);
    for (const [key, seconds] of pendingAudio) if (seconds < 1e-9) pendingAudio.delete(key);
    tellQuotaUsed(Date.now());
  };

  const renewSlots = async (): Promise<void> => {
    if (ledger.open === 0 || !connection.ready) return;
    const byToken = new Map<string, string[]>();
    for (const [slotId, tokenKey] of ledger.slots) byToken.set(tokenKey, [...(byToken.get(tokenKey) ?? []), slotId]);
    const keys = [allKey];
    const args: string[] = [String(options.slotTtlMs)];
    for (const [tokenKey, members] of byToken) {
      keys.push(tokenSetKey(tokenKey));
      args.push(String(members.length), ...members);
    }
    await redis.eval(RENEW, keys.length, ...keys, ...args).catch(failed);
  };

  /** Past days' readings, and their leftover fractions of a second, are of no more use. */
  const forgetPastDays = (now: number): void => {
    ledger.forgetPastDays(now);
    const today = `:${utcDay(now)}`;
    for (const key of lastSharedAudio.keys()) if (!key.endsWith(today)) lastSharedAudio.delete(key);
    for (const [key, seconds] of pendingAudio) if (!key.endsWith(today) && seconds < 1) pendingAudio.delete(key);
  };

  const heartbeat = (): void => {
    forgetPastDays(Date.now());
    void Promise.all([renewSlots(), flushAudio()]);
  };
  const timer = setInterval(heartbeat, options.heartbeatMs);
  timer.unref();
  // A restarted Redis is empty: put this instance's slots and pending audio back at once.
  connection.onRecovered(heartbeat);

  const releaseSlot = (slotId: string, tokenKey: string): void => {
    if (!ledger.slots.has(slotId)) return;
    ledger.remove(slotId);
    quotaListeners.delete(slotId);
    if (!connection.ready) return; // The TTL frees it in Redis.
    void redis.multi().zrem(tokenSetKey(tokenKey), slotId).zrem(allKey, slotId).exec().catch(failed);
    void flushAudio();
  };

  const admitted = (slotId: string, tokenKey: string): Admission => {
    ledger.add(slotId, tokenKey);
    return {
      slot: {
        addAudioSeconds(seconds) {
          if (quota === undefined) return; // Nothing to count per frame without a quota.
          const now = Date.now();
          ledger.addAudio(tokenKey, seconds, now);
          const key = quotaKey(tokenKey, now);
          pendingAudio.set(key, (pendingAudio.get(key) ?? 0) + seconds);
        },
        release: () => releaseSlot(slotId, tokenKey),
        onQuotaUsed: (listener) => {
          if (quota !== undefined) quotaListeners.set(slotId, listener);
        },
      },
    };
  };

  return {
    store: 'redis',
    async check(tokenKey) {
      const now = Date.now();
      if (!connection.ready) return whileDown(tokenKey, now);
      try {
        // Read on this machine's clock (slots expire on Redis's): a skew only shifts when an
        // expired slot stops counting here, by the skew.
        const [held, open] = await Promise.all([redis.zcount(tokenSetKey(tokenKey), '(' + String(now), '+inf'), redis.zcount(allKey, '(' + String(now), '+inf')]);
        if (held >= options.maxStreamsPerToken) return tooManyStreams(options.maxStreamsPerToken);
        const overQuota = await quotaRefusal(tokenKey, now);
        if (overQuota !== undefined) return overQuota;
        if (options.upstreamMaxStreams !== undefined && open >= options.upstreamMaxStreams) return upstreamCapacity(options.upstreamMaxStreams);
        return undefined;
      } catch (error) {
        failed(error);
        return whileDown(tokenKey, now);
      }
    },
    async acquire(tokenKey) {
      const now = Date.now();
      const slotId = `${instanceId}:${randomUUID()}`;
      if (!connection.ready) {
        const refusal = whileDown(tokenKey, now);
        return refusal === undefined ? admitted(slotId, tokenKey) : { refusal };
      }
      try {
        const overQuota = await quotaRefusal(tokenKey, now);
        if (overQuota !== undefined) return { refusal: overQuota };
        const verdict = await redis.eval(
          ACQUIRE,
          2,
          tokenSetKey(tokenKey),
          allKey,
          slotId,
          String(options.slotTtlMs),
          String(options.maxStreamsPerToken),
          String(options.upstreamMaxStreams ?? 0),
        );
        if (verdict === 1) return { refusal: tooManyStreams(options.maxStreamsPerToken) };
        if (verdict === 2) return { refusal: upstreamCapacity(options.upstreamMaxStreams ?? 0) };
        return admitted(slotId, tokenKey);
      } catch (error) {
        failed(error);
        logger.warn({ err: error instanceof Error ? error.message : String(error), whenDown: options.whenDown }, 'shared limits check failed');
        const refusal = whileDown(tokenKey, now);
        return refusal === undefined ? admitted(slotId, tokenKey) : { refusal };
      }
    },
    health: () => connection.health(),
    stats: () => ({ storeErrors: connection.errors, degradedSeconds: connection.degradedSeconds() }),
    async close() {
      clearInterval(timer);
      for (const [slotId, tokenKey] of [...ledger.slots]) releaseSlot(slotId, tokenKey);
      await flushAudio();
      await connection.close();
    },
  };
}
