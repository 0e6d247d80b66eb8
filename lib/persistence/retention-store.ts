/**
 * The history-retention setting (lib/contract/storage/items.ts historyRetentionItem: storage.local,
 * device-local like the transcripts it governs). The options page edits it with these two
 * functions; the background reads it at every start and hands it to the offscreen document, which
 * applies it.
 */
import { historyRetentionItem } from '../contract/storage/items';
import { retentionSchema, type RetentionPolicy } from './retention';

export function loadRetention(): Promise<RetentionPolicy> {
  return historyRetentionItem.getValue();
}

/** Saves a valid policy; returns false (and saves nothing) for an invalid one. */
export async function saveRetention(policy: RetentionPolicy): Promise<boolean> {
  if (!retentionSchema.safeParse(policy).success) return false;
  await historyRetentionItem.setValue({ maxSessions: policy.maxSessions, maxDays: policy.maxDays });
  return true;
}
