/**
 * The user's settings as stored: every setting but the token in storage.sync (`settings`), the
 * token in storage.local only (`proxyToken`). The items are defined in lib/contract/storage/items.ts
 * with every other key; this module joins and splits the two halves.
 *
 * Before settings synced, everything (token included) was one `settings` object in storage.local;
 * `loadSettings` moves such an object to the new places once and deletes it.
 */
import {
  connectionCheckItem,
  legacyLocalSettingsItem,
  proxyTokenItem,
  syncedSettingsItem,
  type StoredConnectionCheck,
} from './contract/storage/items';
import { normalizeSettings, splitSettings, type Settings } from './settings';

export type { StoredConnectionCheck } from './contract/storage/items';

export async function loadSettings(): Promise<Settings> {
  const [legacy, token] = await Promise.all([legacyLocalSettingsItem.getValue(), proxyTokenItem.getValue()]);
  if (legacy === null) return { ...(await syncedSettingsItem.getValue()), token: token ?? '' };
  // Synced values win over a legacy local copy: another browser may already have set them.
  const syncedStored = await syncedSettingsItem.isStored();
  const { token: legacyToken, ...legacyRest } = legacy;
  const synced = syncedStored ? await syncedSettingsItem.getValue() : {};
  const settings = normalizeSettings({ ...legacyRest, ...synced, token: token ?? legacyToken });
  await migrateLegacy(settings, !syncedStored, token === null);
  return settings;
}

async function migrateLegacy(settings: Settings, writeSynced: boolean, writeToken: boolean): Promise<void> {
  const { synced, secret } = splitSettings(settings);
  if (writeSynced) await syncedSettingsItem.setValue(synced);
  if (writeToken) await proxyTokenItem.setValue(secret.token);
  await legacyLocalSettingsItem.removeValue();
}

export async function saveSettings(settings: Settings): Promise<void> {
  const { synced, secret } = splitSettings(normalizeSettings(settings));
  await proxyTokenItem.setValue(secret.token);
  await syncedSettingsItem.setValue(synced);
}

/** Calls `onChange` with the whole settings whenever either half changes (another tab, another browser). */
export function watchSettings(onChange: (settings: Settings) => void): () => void {
  const reload = () => void loadSettings().then(onChange);
  const offSynced = syncedSettingsItem.watch(reload);
  const offToken = proxyTokenItem.watch(reload);
  return () => {
    offSynced();
    offToken();
  };
}

export async function saveConnectionCheck(check: StoredConnectionCheck): Promise<void> {
  await connectionCheckItem.setValue(check);
}

export async function loadConnectionCheck(): Promise<StoredConnectionCheck | null> {
  return connectionCheckItem.getValue();
}
