/**
 * The caption overlay's stored settings, for the background (which serves the overlay) and the
 * extension pages (options, popup). The items are in lib/contract/storage/items.ts; the rules in
 * lib/overlay-settings.ts. The overlay itself never imports this: it cannot read storage.
 */
import { overlayAppearanceItem, overlayHiddenSessionItem, overlayPlacements, type StoredPlacement } from './contract/storage/items';
import { normalizeOverlayAppearance, type OverlayAppearance } from './overlay-settings';
import { normalizePlacement, type OverlayPlacement } from './overlay/placement';

export function loadOverlayAppearance(): Promise<OverlayAppearance> {
  return overlayAppearanceItem.getValue();
}

/** Merges `patch` into the stored appearance (normalized) and returns what was saved. */
export async function saveOverlayAppearance(patch: Partial<OverlayAppearance>): Promise<OverlayAppearance> {
  const next = normalizeOverlayAppearance({ ...(await loadOverlayAppearance()), ...patch });
  await overlayAppearanceItem.setValue(next);
  return next;
}

/** Calls `onChange` whenever the appearance changes in any context; returns the unsubscribe. */
export function watchOverlayAppearance(onChange: (appearance: OverlayAppearance) => void): () => void {
  return overlayAppearanceItem.watch(onChange);
}

/** A site's remembered position (without its savedAt), or null. */
export async function loadOverlayPlacement(site: string): Promise<OverlayPlacement | null> {
  const stored = await overlayPlacements.item(site).getValue();
  return stored && { x: stored.x, y: stored.y, width: stored.width };
}

export async function saveOverlayPlacement(site: string, placement: OverlayPlacement, now: () => number = Date.now): Promise<void> {
  const valid = normalizePlacement(placement);
  // savedAt: when the user last put the box here, so an unused site's position can expire.
  if (valid) await overlayPlacements.item(site).setValue({ ...valid, savedAt: now() } satisfies StoredPlacement);
}

/** Forgets every site's position (an options-page "Reset caption positions"); returns how many. */
export async function forgetOverlayPlacements(): Promise<number> {
  const sites = [...(await overlayPlacements.all()).keys()];
  await overlayPlacements.remove(sites);
  return sites.length;
}

/** The start time of the session whose captions are hidden, if any. */
export function loadOverlayHiddenSession(): Promise<number | null> {
  return overlayHiddenSessionItem.getValue();
}

/** Remembers captions hidden (or shown again) for the session that began at `sessionStartedAt`. */
export async function saveOverlayHidden(sessionStartedAt: number, hidden: boolean): Promise<void> {
  // Only one session runs at a time, so showing may forget whatever is stored.
  if (hidden) await overlayHiddenSessionItem.setValue(sessionStartedAt);
  else await overlayHiddenSessionItem.removeValue();
}

/** Calls `onChange` with the hidden session (or null) whenever it changes; returns the unsubscribe. */
export function watchOverlayHiddenSession(onChange: (sessionStartedAt: number | null) => void): () => void {
  return overlayHiddenSessionItem.watch(onChange);
}
