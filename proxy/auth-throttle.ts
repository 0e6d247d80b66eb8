/**
 * Throttles failed client-token attempts per client address, so a token cannot be guessed at the
 * speed the proxy answers. The server only sees the AuthThrottle interface: limits shared by
 * several proxies (a later issue) swap RateLimiterMemory for its Redis twin here and nowhere else.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

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

export function createMemoryAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const limiter = new RateLimiterMemory({ keyPrefix: 'captionist_auth', points: options.maxFailures, duration: options.windowMs / 1000 });
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
