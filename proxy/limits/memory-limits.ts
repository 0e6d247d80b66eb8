/**
 * The limits for one instance, without REDIS_URL: today's single-process behaviour, plus the daily
 * quota and the upstream cap counted by this process alone.
 */
import { randomUUID } from 'node:crypto';
import type { Refusal } from '../http-refusal';
import { dailyAudioQuota } from './limit-refusals';
import { LocalLedger } from './local-ledger';
import { secondsUntilUtcMidnight } from './shared-limits';
import type { LimitSettings, SharedLimits } from './shared-limits';

export function createMemoryLimits(settings: LimitSettings): SharedLimits {
  const ledger = new LocalLedger(settings);
  return {
    store: 'memory',
    check: async (tokenKey) => ledger.refusal(tokenKey, Date.now()),
    async acquire(tokenKey) {
      const now = Date.now();
      const refusal = ledger.refusal(tokenKey, now);
      if (refusal !== undefined) return { refusal };
      ledger.forgetPastDays(now);
      const slotId = randomUUID();
      ledger.add(slotId, tokenKey);
      const quota = settings.dailyAudioSecondsPerToken;
      let quotaUsed: ((refusal: Refusal) => void) | undefined;
      return {
        slot: {
          addAudioSeconds(seconds) {
            if (quota === undefined) return; // Nothing to count per frame without a quota.
            const at = Date.now();
            ledger.addAudio(tokenKey, seconds, at);
            if (quotaUsed !== undefined && ledger.audioToday(tokenKey, at) >= quota) {
              const listener = quotaUsed;
              quotaUsed = undefined;
              listener(dailyAudioQuota(quota, secondsUntilUtcMidnight(at)));
            }
          },
          release: () => {
            quotaUsed = undefined;
            ledger.remove(slotId);
          },
          onQuotaUsed: (listener) => {
            quotaUsed = listener;
          },
        },
      };
    },
    health: () => ({ degraded: false }),
    stats: () => ({ storeErrors: 0, degradedSeconds: 0 }),
    close: async () => {},
  };
}
