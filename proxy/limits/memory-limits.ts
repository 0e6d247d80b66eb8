/**
 * The limits for one instance, without REDIS_URL: today's single-process behaviour, plus the daily
 * quota and the upstream cap counted by this process alone.
 */
import { randomUUID } from 'node:crypto';
import { LocalLedger } from './local-ledger';
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
      return {
        slot: {
          addAudioSeconds: (seconds) => ledger.addAudio(tokenKey, seconds, Date.now()),
          release: () => ledger.remove(slotId),
        },
      };
    },
    health: () => ({ degraded: false }),
    stats: () => ({ storeErrors: 0, degradedSeconds: 0 }),
    close: async () => {},
  };
}
