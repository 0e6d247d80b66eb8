/**
 * Says plainly when captions come from the proxy's local offline engine (pocketsphinx), which is
 * far less accurate than Deepgram. Known from the last "Test connection" of the same proxy URL.
 */
import { t } from '@/lib/i18n';
import type { StoredConnectionCheck } from '@/lib/storage';

/** True when the last check of *this* proxy URL found the local engine. */
export function localEngineNotice(proxyUrl: string, check: StoredConnectionCheck | null): boolean {
  return check !== null && check.ok && check.engine === 'local' && check.proxyUrl === proxyUrl;
}

export function EngineNote() {
  return (
    <p class="engine-note" data-testid="engine-note">
      {t('popupLocalEngineNote')}
    </p>
  );
}
