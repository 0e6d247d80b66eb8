/**
 * Where settings and the background's small bits of state live. Storage items are defined once here.
 *
 *   storage.sync    `settings`        every setting but the token: follows the user's browsers
 *   storage.local   `proxyToken`      the token: a secret, stays on this computer
 *   storage.local   `connectionCheck` the last "Test connection" result (engine), for the popup
 *   storage.session `captureTabId`    the tab being captioned
 *
 * (How much transcript history is kept lives with the transcripts: lib/persistence/retention-store.ts.)
 *
 * Before settings synced, everything (token included) was one `settings` object in storage.local;
 * `loadSettings` moves such an object to the new places once and deletes it.
 */
import { browser } from 'wxt/browser';
import { normalizeSettings, splitSettings, type Settings } from './settings';

const SYNCED_SETTINGS_KEY = 'settings';
const TOKEN_KEY = 'proxyToken';
/** Pre-sync storage.local layout: the whole Settings object, token included. */
const LEGACY_LOCAL_SETTINGS_KEY = 'settings';
const CONNECTION_CHECK_KEY = 'connectionCheck';

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export async function loadSettings(): Promise<Settings> {
  const [synced, local] = await Promise.all([
    browser.storage.sync.get(SYNCED_SETTINGS_KEY),
    browser.storage.local.get([TOKEN_KEY, LEGACY_LOCAL_SETTINGS_KEY]),
  ]);
  const syncedValue = synced[SYNCED_SETTINGS_KEY];
  const legacy = local[LEGACY_LOCAL_SETTINGS_KEY];
  const token = typeof local[TOKEN_KEY] === 'string' ? local[TOKEN_KEY] : undefined;
  // Synced values win over a legacy local copy: another browser may already have set them.
  const { token: legacyToken, ...legacyRest } = objectOrEmpty(legacy);
  const settings = normalizeSettings({
    ...legacyRest,
    ...objectOrEmpty(syncedValue),
    token: token ?? legacyToken,
  });
  if (legacy !== undefined) await migrateLegacy(settings, syncedValue === undefined, token === undefined);
  return settings;
}

async function migrateLegacy(settings: Settings, writeSynced: boolean, writeToken: boolean): Promise<void> {
  const { synced, secret } = splitSettings(settings);
  if (writeSynced) await browser.storage.sync.set({ [SYNCED_SETTINGS_KEY]: synced });
  if (writeToken) await browser.storage.local.set({ [TOKEN_KEY]: secret.token });
  await browser.storage.local.remove(LEGACY_LOCAL_SETTINGS_KEY);
}

export async function saveSettings(settings: Settings): Promise<void> {
  const { synced, secret } = splitSettings(normalizeSettings(settings));
  await browser.storage.local.set({ [TOKEN_KEY]: secret.token });
  await browser.storage.sync.set({ [SYNCED_SETTINGS_KEY]: synced });
}

/** Calls `onChange` with the whole settings whenever either half changes (another tab, another browser). */
export function watchSettings(onChange: (settings: Settings) => void): () => void {
  const listener = (changes: Record<string, unknown>, area: string) => {
    const relevant = (area === 'sync' && SYNCED_SETTINGS_KEY in changes) || (area === 'local' && TOKEN_KEY in changes);
    if (relevant) void loadSettings().then(onChange);
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

/** What the popup needs from the last "Test connection": which engine the proxy runs. */
export interface StoredConnectionCheck {
  /** The proxy URL tested; the record only applies while the settings still name it. */
  proxyUrl: string;
  ok: boolean;
  /** As the proxy reported it ('deepgram', 'local', ...), or null when it did not say. */
  engine: string | null;
  /** Epoch milliseconds. */
  checkedAt: number;
}

export async function saveConnectionCheck(check: StoredConnectionCheck): Promise<void> {
  await browser.storage.local.set({ [CONNECTION_CHECK_KEY]: check });
}

export async function loadConnectionCheck(): Promise<StoredConnectionCheck | null> {
  const stored = objectOrEmpty((await browser.storage.local.get(CONNECTION_CHECK_KEY))[CONNECTION_CHECK_KEY]);
  const { proxyUrl, ok, engine, checkedAt } = stored;
  if (typeof proxyUrl !== 'string' || typeof ok !== 'boolean' || typeof checkedAt !== 'number') return null;
  return { proxyUrl, ok, engine: typeof engine === 'string' ? engine : null, checkedAt };
}

