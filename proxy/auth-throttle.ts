/**
 * Throttles failed client-token attempts per client address, so a token cannot be guessed at the
 * speed the proxy answers. The server only sees the AuthThrottle interface: with REDIS_URL the
 * count is a RateLimiterRedis shared by every instance, with a memory twin as rate-limiter-flexible's
 * insurance while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface AuthThrottle {
  /** Whether this address may present a token now (checked before the token is). */
  check(address: string): Promise<ThrottleVerdict>;
  /** Records a failed attempt; the verdict says whether the address may still try. */
  recordFailure(address: string): Promise<ThrottleVerdict>;
}

export interface AuthThrottleOptions {
  /** Failed attempts allowed per window; the next attempts get 429 until the window ends. */
  maxFailures: number;
  windowMs: number;
}

const blockedFor = (msBeforeNext: number): ThrottleVerdict => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) });

const memoryLimiter = (options: AuthThrottleOptions) =>
  new RateLimiterMemory({ keyPrefix: 'captionist_auth', points: options.maxFailures, duration: options.windowMs / 1000 });

export function createMemoryAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  return throttleWith(memoryLimiter(options), options);
}

/** Failures counted in Redis across instances; in this instance's memory while Redis is away. */
export function createRedisAuthThrottle(client: Redis, options: AuthThrottleOptions, keyPrefix = 'captionist'): AuthThrottle {
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${keyPrefix}:auth`,
    points: options.maxFailures,
    duration: options.windowMs / 1000,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memoryLimiter(options),
  });
  return throttleWith(limiter, options);
}

function throttleWith(limiter: RateLimiterAbstract, options: AuthThrottleOptions): AuthThrottle {
  return {
    async check(address) {
      const record = await limiter.get(address);
      return record !== null && record.consumedPoints >= options.maxFailures ? blockedFor(record.msBeforeNext) : { allowed: true };
    },
    async recordFailure(address) {
      try {
        const record = await limiter.consume(address);
        return record.remainingPoints > 0 ? { allowed: true } : blockedFor(record.msBeforeNext);
      } catch (rejection) {
        // consume() rejects with a RateLimiterRes past the limit, and with an Error when a store fails.
        if (rejection instanceof RateLimiterRes) return blockedFor(rejection.msBeforeNext);
        throw rejection;
      }
    },
  };
}
