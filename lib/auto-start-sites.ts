/**
 * The sites where captions start by themselves ("Start captions when I open this site", issue 16:
 * a weekly meeting's site). Kept by origin; off for every site until the user turns it on in the
 * popup, and listed in Options where each can be removed.
 *
 * The background learns that such a site loaded from tabs.onUpdated, which names a tab's URL only
 * where the extension has host permission: turning a site on asks Chrome for that one origin
 * (the manifest's optional_host_permissions, wxt.config.ts), and removing it gives it back.
 */

/** The site of a page captions can start on (http or https), or null for any other page. */
export function siteOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** The host-permission pattern for a site ("https://meet.example/*"). */
export function sitePermissionPattern(site: string): string {
  return `${site}/*`;
}

/** Stored sites as read back: unique http(s) origins, sorted; anything else dropped. */
export function parseAutoStartSites(stored: unknown): string[] {
  if (!Array.isArray(stored)) return [];
  const sites = new Set<string>();
  for (const entry of stored) {
    const site = typeof entry === 'string' ? siteOf(entry) : null;
    if (site !== null && site === entry) sites.add(site);
  }
  return [...sites].sort();
}

export function withSite(sites: readonly string[], site: string): string[] {
  return parseAutoStartSites([...sites, site]);
}

export function withoutSite(sites: readonly string[], site: string): string[] {
  return sites.filter((entry) => entry !== site);
}
