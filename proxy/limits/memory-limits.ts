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
    check: async (tokenLabel) => ledger.refusal(tokenLabel, Date.now()),
    async acquire(tokenLabel) {
      const now = Date.now();
      const refusal = ledger.refusal(tokenLabel, now);
      if (refusal !== undefined) return { refusal };
      ledger.forgetPastDays(now);
      const slotId = randomUUID();
      ledger.add(slotId, tokenLabel);
      return {
        slot: {
          addAudioSeconds: (seconds) => ledger.addAudio(tokenLabel, seconds, Date.now()),
          release: () => ledger.remove(slotId),
        },
      };
    },
    health: () => ({ degraded: false }),
    stats: () => ({ storeErrors: 0, degradedSeconds: 0 }),
    close: async () => {},
  };
}
