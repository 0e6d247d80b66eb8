/**
 * How long a site's caption-box position (`overlayPlacement:<origin>` in storage.local, with
 * `savedAt`: lib/contract/storage/items.ts) is remembered. Positions reveal which sites the user captioned,
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
import { parseStoredPlacement, type StoredPlacement } from '../contract/storage/items';

/** The stored positions by site (lib/contract/storage/items.ts overlayPlacements; tests use the same). */
export interface PlacementStorage {
  /** Every site's position as stored (possibly unparseable). */
  all(): Promise<Map<string, unknown>>;
  set(entries: ReadonlyMap<string, StoredPlacement>): Promise<void>;
  remove(sites: readonly string[]): Promise<void>;
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
  const expired: string[] = [];
  const stamped = new Map<string, StoredPlacement>();
  for (const [site, value] of await storage.all()) {
    if (sitesInHistory.has(site)) continue;
    const savedAt = savedAtOf(value);
    if (savedAt === null) {
      const placement = parseStoredPlacement(value);
      if (placement) stamped.set(site, { ...placement, savedAt: now });
      else expired.push(site); // not a position at all: nothing can read it
    } else if (savedAt < cutoff) expired.push(site);
  }
  await storage.remove(expired);
  await storage.set(stamped);
  return expired;
}
