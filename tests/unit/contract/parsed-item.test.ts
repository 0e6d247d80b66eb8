/**
 * Storage items parse what they read and what they watch: bad data becomes the defaults (or the
 * repaired value) with a warning, never an exception; versions and migrations come from
 * @wxt-dev/storage's defineItem underneath.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { historyRetentionItem, overlayAppearanceItem, syncedSettingsItem } from '@/lib/contract/storage/items';
import { defineParsedItem, sameJson } from '@/lib/contract/storage/parsed-item';
import { DEFAULT_OVERLAY_APPEARANCE } from '@/lib/overlay-settings';
import { DEFAULT_RETENTION } from '@/lib/persistence/retention';
import { DEFAULT_SETTINGS } from '@/lib/settings';

beforeEach(() => fakeBrowser.reset());

describe('parsed storage items', () => {
  it('read the defaults when nothing is stored, without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { token: _token, ...synced } = DEFAULT_SETTINGS;
    expect(await syncedSettingsItem.getValue()).toEqual(synced);
    expect(await historyRetentionItem.getValue()).toEqual(DEFAULT_RETENTION);
    expect(warn).not.toHaveBeenCalled();
  });

  it('repair bad stored data with a warning instead of throwing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await fakeBrowser.storage.local.set({ historyRetention: 'all of it' });
    await fakeBrowser.storage.sync.set({ overlayAppearance: { lines: 99, fontSize: 'big', locked: true } });
    expect(await historyRetentionItem.getValue()).toEqual(DEFAULT_RETENTION);
    expect(await overlayAppearanceItem.getValue()).toEqual({ ...DEFAULT_OVERLAY_APPEARANCE, lines: 5, locked: true });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('parse watched changes too', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const seen: unknown[] = [];
    const off = overlayAppearanceItem.watch((value) => seen.push(value));
    await fakeBrowser.storage.sync.set({ overlayAppearance: { fontSize: 1000 } });
    await fakeBrowser.storage.sync.remove('overlayAppearance');
    off();
    expect(seen).toEqual([{ ...DEFAULT_OVERLAY_APPEARANCE, fontSize: 64 }, DEFAULT_OVERLAY_APPEARANCE]);
  });

  it('fall back to the defaults when a parse step throws', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const item = defineParsedItem<number>('local:probeThrows', {
      version: 1,
      parse: (stored) => {
        if (stored === null) return 7;
        throw new Error('cannot read this');
      },
    });
    await fakeBrowser.storage.local.set({ probeThrows: { odd: true } });
    expect(await item.getValue()).toBe(7);
  });

  it('run migrations from the stored version before the first read', async () => {
    // Stored at version 1 as a bare number of days; version 2 keeps an object.
    await fakeBrowser.storage.local.set({ probeMigrated: 30 });
    const item = defineParsedItem<{ days: number }>('local:probeMigrated', {
      version: 2,
      migrations: { 2: (older) => ({ days: typeof older === 'number' ? older : 1 }) },
      parse: (stored) => {
        const days = (stored as { days?: unknown } | null)?.days;
        return { days: typeof days === 'number' ? days : 1 };
      },
    });
    expect(await item.getValue()).toEqual({ days: 30 });
    expect(await fakeBrowser.storage.local.get(['probeMigrated', 'probeMigrated$'])).toEqual({ probeMigrated: { days: 30 }, probeMigrated$: { v: 2 } });
  });

  it('compare stored JSON regardless of key order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
  });
});
