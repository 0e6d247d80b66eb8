/**
 * How long a site's caption-box position (lib/overlay-settings.ts: `overlayPlacement:<origin>`
 * in storage.local, with `savedAt`) is remembered. Positions reveal which sites the user captioned,
 * so they must not outlive the history the user asked to keep (lib/persistence/retention.ts).
 *
 * The rule: a site's position is kept while the saved history still holds a session captured on
 * that site, or while it was moved within the retention period. The first half ties the position
 * to the sessions it was used in, so it goes with the last of them (by age or by count); the second
 * covers positions set where no session is kept (the user deleted it, or the captured tab moved
 * to another site), which then get the same number of days since their last use as a session.
 *
 * A position stored before `savedAt` existed is stamped with the time of the first pruning it
 * meets: its age is unknown, and it is given one full period rather than dropped unseen.
 */
import { OVERLAY_PLACEMENT_PREFIX } from '../overlay-settings';

/** The parts of browser.storage.local used here (tests pass WXT's fake browser's). */
export interface PlacementStorage {
  get(keys: null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

function savedAtOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const savedAt = (value as { savedAt?: unknown }).savedAt;
  return typeof savedAt === 'number' && Number.isFinite(savedAt) ? savedAt : null;
}

/**
 * Removes the positions of sites not in `sitesInHistory` last saved before `cutoff`; resolves with
 * the sites removed.
 */
export async function prunePlacements(
  storage: PlacementStorage,
  sitesInHistory: ReadonlySet<string>,
  cutoff: number,
  now: number,
): Promise<string[]> {
  const all = await storage.get(null);
  const expired: string[] = [];
  const stamped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(OVERLAY_PLACEMENT_PREFIX)) continue;
    const site = key.slice(OVERLAY_PLACEMENT_PREFIX.length);
    if (sitesInHistory.has(site)) continue;
    const savedAt = savedAtOf(value);
    if (savedAt === null) {
      if (typeof value === 'object' && value !== null) stamped[key] = { ...value, savedAt: now };
      else expired.push(key); // not a position at all: nothing can read it
    } else if (savedAt < cutoff) expired.push(key);
  }
  if (expired.length > 0) await storage.remove(expired);
  if (Object.keys(stamped).length > 0) await storage.set(stamped);
  return expired.map((key) => key.slice(OVERLAY_PLACEMENT_PREFIX.length));
}
