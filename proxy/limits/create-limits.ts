/**
 * Builds the shared limits and the failed-token throttle from the configuration: in Redis with
 * REDIS_URL (one connection for both), in memory without.
 */
import type { Logger } from 'pino';
import { createMemoryAuthThrottle, createRedisAuthThrottle, type AuthThrottle } from '../auth-throttle';
import type { ProxyConfig } from '../config';
import { createMemoryLimits } from './memory-limits';
import { connectRedis } from './redis-connection';
import { createRedisLimits } from './redis-limits';
import type { LimitSettings, SharedLimits } from './shared-limits';

/** Slots are renewed three times per TTL, so a live slot survives two missed renewals. */
const HEARTBEATS_PER_TTL = 3;

export function limitSettings(config: ProxyConfig): LimitSettings {
  return {
    maxStreamsPerToken: config.limits.maxStreamsPerToken,
    upstreamMaxStreams: config.shared.upstreamMaxStreams,
    dailyAudioSecondsPerToken: config.shared.dailyAudioSecondsPerToken,
  };
}

export async function createLimits(config: ProxyConfig, logger: Logger): Promise<{ limits: SharedLimits; authThrottle: AuthThrottle }> {
  const settings = limitSettings(config);
  const throttleOptions = { maxFailures: config.edge.authMaxFailures, windowMs: config.edge.authFailureWindowMs };
  if (config.shared.redisUrl === undefined) {
    return { limits: createMemoryLimits(settings), authThrottle: createMemoryAuthThrottle(throttleOptions) };
  }
  const connection = await connectRedis(config.shared.redisUrl, logger);
  const limits = createRedisLimits(
    connection,
    { ...settings, whenDown: config.shared.redisDown, slotTtlMs: config.shared.slotTtlMs, heartbeatMs: Math.floor(config.shared.slotTtlMs / HEARTBEATS_PER_TTL) },
    logger,
  );
  return { limits, authThrottle: createRedisAuthThrottle(connection.client, throttleOptions) };
}
