/**
 * The history-retention setting, stored once in storage.local (device-local like the transcripts
 * it governs). The options page edits it with these two functions; the background reads it at
 * every start and hands it to the offscreen document, which applies it.
 */
import { browser } from 'wxt/browser';
import { normalizeRetention, retentionSchema, type RetentionPolicy } from './retention';

const RETENTION_KEY = 'historyRetention';

export async function loadRetention(): Promise<RetentionPolicy> {
  const stored = await browser.storage.local.get(RETENTION_KEY);
  return normalizeRetention(stored[RETENTION_KEY]);
}

/** Saves a valid policy; returns false (and saves nothing) for an invalid one. */
export async function saveRetention(policy: RetentionPolicy): Promise<boolean> {
  if (!retentionSchema.safeParse(policy).success) return false;
  await browser.storage.local.set({ [RETENTION_KEY]: { maxSessions: policy.maxSessions, maxDays: policy.maxDays } });
  return true;
}
