import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import {
  loadConnectionCheck,
  loadSettings,
  saveConnectionCheck,
  saveSettings,
  watchSettings,
} from '@/lib/storage';

const mine: Settings = {
  ...DEFAULT_SETTINGS,
  proxyUrl: 'wss://captions.example.com/v1/listen',
  token: 'secret-token-123',
  language: 'de',
  keyterms: ['Dana', 'WXT'],
  endpointingMs: 450,
};

beforeEach(() => fakeBrowser.reset());

describe('settings storage', () => {
  it('keeps the token in storage.local only and everything else in storage.sync', async () => {
    await saveSettings(mine);
    const synced = await fakeBrowser.storage.sync.get(null);
    const local = await fakeBrowser.storage.local.get(null);
    expect(JSON.stringify(synced)).not.toContain('secret-token-123');
    expect(synced.settings).not.toHaveProperty('token');
    expect(synced.settings).toMatchObject({ proxyUrl: mine.proxyUrl, language: 'de', keyterms: ['Dana', 'WXT'], endpointingMs: 450 });
    expect(local).toEqual({ proxyToken: 'secret-token-123' });
    expect(await loadSettings()).toEqual(mine);
  });

  it('reads the defaults when nothing is stored', async () => {
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('moves the pre-sync local settings object to sync + local token, once, and deletes it', async () => {
    await fakeBrowser.storage.local.set({ settings: { ...mine, endpointingMs: undefined, keyterms: undefined } });
    const loaded = await loadSettings();
    expect(loaded).toEqual({ ...mine, endpointingMs: DEFAULT_SETTINGS.endpointingMs, keyterms: [] });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ proxyToken: 'secret-token-123' });
    const synced = (await fakeBrowser.storage.sync.get('settings')).settings as Record<string, unknown>;
    expect(synced).toMatchObject({ proxyUrl: mine.proxyUrl, language: 'de' });
    expect(synced).not.toHaveProperty('token');
    expect(await loadSettings()).toEqual(loaded);
  });

  it('lets settings already synced from another browser win over an old local copy, keeping the local token', async () => {
    await fakeBrowser.storage.sync.set({ settings: { ...DEFAULT_SETTINGS, token: undefined, language: 'fr' } });
    await fakeBrowser.storage.local.set({ settings: { ...mine, language: 'de' } });
    const loaded = await loadSettings();
    expect(loaded.language).toBe('fr');
    expect(loaded.token).toBe('secret-token-123');
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({ language: 'fr' });
  });

  it('never reads a token that somehow got into storage.sync', async () => {
    await fakeBrowser.storage.sync.set({ settings: { ...mine } });
    await fakeBrowser.storage.local.set({ proxyToken: 'the-local-one' });
    expect((await loadSettings()).token).toBe('the-local-one');
    await fakeBrowser.storage.local.clear();
    expect((await loadSettings()).token).toBe('');
  });

  it('tells watchers about a change to either half', async () => {
    await saveSettings(mine);
    const seen: Settings[] = [];
    const stop = watchSettings((settings) => seen.push(settings));
    await fakeBrowser.storage.sync.set({ settings: { ...mine, token: undefined, language: 'es' } });
    await expect.poll(() => seen.at(-1)?.language).toBe('es');
    await fakeBrowser.storage.local.set({ proxyToken: 'rotated-token' });
    await expect.poll(() => seen.at(-1)?.token).toBe('rotated-token');
    stop();
  });
});

describe('connection check storage', () => {
  it('remembers the last connection check with the engine it found', async () => {
    expect(await loadConnectionCheck()).toBeNull();
    await saveConnectionCheck({ proxyUrl: mine.proxyUrl, ok: true, engine: 'local', checkedAt: 5 });
    expect(await loadConnectionCheck()).toEqual({ proxyUrl: mine.proxyUrl, ok: true, engine: 'local', checkedAt: 5 });
    await fakeBrowser.storage.local.set({ connectionCheck: { proxyUrl: 3 } });
    expect(await loadConnectionCheck()).toBeNull();
  });
});
