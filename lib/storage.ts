/**
 * Where settings and the background's small bits of state live. Storage items are defined once here.
 * The token is a secret: it stays in storage.local and never syncs.
 */
import { browser } from 'wxt/browser';
import { normalizeSettings, type Settings } from './settings';

const SETTINGS_KEY = 'settings';
/** storage.session survives the service worker being stopped, and is cleared when the browser exits. */
const CAPTURE_TAB_KEY = 'captureTabId';

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  return normalizeSettings(stored[SETTINGS_KEY]);
}

export async function saveSettings(settings: Settings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: settings });
}

export async function loadCaptureTabId(): Promise<number | null> {
  const stored = await browser.storage.session.get(CAPTURE_TAB_KEY);
  const value = stored[CAPTURE_TAB_KEY];
  return typeof value === 'number' ? value : null;
}

export async function saveCaptureTabId(tabId: number | null): Promise<void> {
  if (tabId === null) await browser.storage.session.remove(CAPTURE_TAB_KEY);
  else await browser.storage.session.set({ [CAPTURE_TAB_KEY]: tabId });
}
