/**
 * The per-site start list (lib/auto-start-sites.ts) for the popup and Options: the item is in
 * lib/contract/storage/items.ts; each site comes with the host permission that lets the background
 * see its pages load, and goes with it.
 */
import { browser } from 'wxt/browser';
import { autoStartSitesItem } from './contract/storage/items';
import { sitePermissionPattern, withoutSite, withSite } from './auto-start-sites';

export function loadAutoStartSites(): Promise<string[]> {
  return autoStartSitesItem.getValue();
}

export function watchAutoStartSites(onChange: (sites: string[]) => void): () => void {
  return autoStartSitesItem.watch(onChange);
}

/**
 * Turns `site` on. Chrome asks the user for the site's host permission: call this inside the
 * click's handler, before any await (permissions.request needs the user's gesture). False when
 * the user or Chrome said no; nothing is stored then.
 */
export async function addAutoStartSite(site: string): Promise<boolean> {
  const granted = await browser.permissions.request({ origins: [sitePermissionPattern(site)] });
  if (granted) await autoStartSitesItem.setValue(withSite(await loadAutoStartSites(), site));
  return granted;
}

/** Turns `site` off and gives back its host permission (never a permission the manifest requires). */
export async function removeAutoStartSite(site: string): Promise<void> {
  await autoStartSitesItem.setValue(withoutSite(await loadAutoStartSites(), site));
  await browser.permissions.remove({ origins: [sitePermissionPattern(site)] }).catch(() => undefined);
}
