/** Turns browser failures during start into sentences a person can act on. */
import type { UserFacingError } from '../contract/messages';
import { t } from '../i18n';

export function tabCaptureError(error: unknown): UserFacingError {
  const text = error instanceof Error ? error.message : String(error);
  if (/active stream/i.test(text)) {
    return { code: 'already-running', message: t('captureTabBusy') };
  }
  if (/Chrome pages cannot be captured|chrome:\/\/|webstore/i.test(text)) {
    return {
      code: 'tab-not-capturable',
      message: t('captureChromePage'),
    };
  }
  if (/not been invoked/i.test(text)) {
    return {
      code: 'tab-not-capturable',
      message: t('captureNotInvoked'),
    };
  }
  return { code: 'capture-failed', message: t('captureRefused', text) };
}

/**
 * Pages a start must refuse even when Chrome would hand out a stream: the browser's own pages,
 * other extensions' pages and the Web Store. Chrome refuses most of them itself, but not always
 * (a chrome:// page invoked through the toolbar can be), and captioning them is never wanted.
 */
const RESTRICTED_SCHEMES = new Set(['chrome:', 'chrome-extension:', 'chrome-untrusted:', 'devtools:', 'edge:', 'about:', 'view-source:', 'chrome-search:']);
const STORE_HOSTS = new Set(['chromewebstore.google.com', 'chrome.google.com']);

export function isRestrictedPage(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (RESTRICTED_SCHEMES.has(parsed.protocol)) return true;
    return STORE_HOSTS.has(parsed.hostname) && (parsed.hostname !== 'chrome.google.com' || parsed.pathname.startsWith('/webstore'));
  } catch {
    return false;
  }
}

export function restrictedPageError(): UserFacingError {
  return tabCaptureError(new Error('Chrome pages cannot be captured'));
}

/** Chrome's refusals to script a page that is the browser's own (its words, as scripting reports them). */
export function isRestrictedPageRefusal(reason: string): boolean {
  return /chrome:\/\/|chrome-extension:\/\/|chrome-untrusted:|devtools:|extensions gallery cannot be scripted|cannot be scripted/i.test(reason);
}
