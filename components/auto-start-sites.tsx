/**
 * "Start captions when I open this site": the popup's switch for the current site, and Options'
 * list of the sites that have it, each removable (lib/auto-start-store.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { addAutoStartSite, loadAutoStartSites, removeAutoStartSite, watchAutoStartSites } from '@/lib/auto-start-store';

function useAutoStartSites(): string[] | null {
  const [sites, setSites] = useState<string[] | null>(null);
  useEffect(() => {
    void loadAutoStartSites().then(setSites, () => setSites([]));
    return watchAutoStartSites(setSites);
  }, []);
  return sites;
}

/** The popup's switch for `site` (an http(s) origin); off until the user turns it on. */
export function AutoStartSwitch({ site }: { site: string }) {
  const sites = useAutoStartSites();
  const [refused, setRefused] = useState(false);
  const on = sites?.includes(site) ?? false;
  const change = (checked: boolean) => {
    setRefused(false);
    // Chrome asks for the site's permission only within this click: no await before the request.
    if (checked) void addAutoStartSite(site).then((granted) => setRefused(!granted), () => setRefused(true));
    else void removeAutoStartSite(site);
  };
  return (
    <div class="auto-start" data-testid="auto-start">
      <label class="auto-start-switch">
        <input type="checkbox" role="switch" data-testid="auto-start-switch" checked={on} disabled={sites === null} onChange={(event) => change(event.currentTarget.checked)} />
        {t('autoStartSwitch')}
      </label>
      <small class="auto-start-help">{refused ? <span class="error">{t('autoStartNotAllowed')}</span> : t('autoStartSwitchHelp')}</small>
    </div>
  );
}

/** Options' list: every site with the switch on, each with a Remove button that applies at once. */
export function AutoStartSiteList() {
  const sites = useAutoStartSites();
  if (sites === null) return null;
  return (
    <>
      <p class="section-note">{t('optionsSitesNote')}</p>
      {sites.length === 0 ? (
        <p class="sites-empty" data-testid="auto-start-empty">
          {t('optionsSitesEmpty')}
        </p>
      ) : (
        <ul class="site-list" data-testid="auto-start-sites">
          {sites.map((site) => (
            <li key={site}>
              <span class="site-name">{site}</span>
              <button type="button" class="secondary" aria-label={t('optionsSitesRemoveLabel', site)} onClick={() => void removeAutoStartSite(site)}>
                {t('optionsSitesRemove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
