import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  checkOverlayAppearance,
  DEFAULT_OVERLAY_APPEARANCE,
  normalizeOverlayAppearance,
  OVERLAY_LIMITS,
  overlaySiteKey,
  type OverlayAppearance,
} from '@/lib/overlay-settings';
import {
  forgetOverlayPlacements,
  loadOverlayAppearance,
  loadOverlayHiddenSession,
  loadOverlayPlacement,
  saveOverlayAppearance,
  saveOverlayHidden,
  saveOverlayPlacement,
  watchOverlayAppearance,
  watchOverlayHiddenSession,
} from '@/lib/overlay-store';
import { installEnglishMessages } from '../settings-english-messages';

/** The stored layout (lib/contract/storage/items.ts): the bare keys in their areas. */
const OVERLAY_APPEARANCE_KEY = 'overlayAppearance';
const OVERLAY_HIDDEN_KEY = 'overlayHiddenSession';

beforeEach(() => {
  fakeBrowser.reset();
  installEnglishMessages();
});

describe('normalizeOverlayAppearance', () => {
  it('gives the defaults for nothing or garbage', () => {
    for (const stored of [undefined, null, 'x', 42, [], {}]) expect(normalizeOverlayAppearance(stored)).toEqual(DEFAULT_OVERLAY_APPEARANCE);
  });

  it('clamps numbers into range, rounds whole-number fields and keeps valid ones', () => {
    expect(normalizeOverlayAppearance({ lines: 9, fontSize: 7, backgroundOpacity: 0.1, locked: true })).toEqual({
      lines: OVERLAY_LIMITS.lines.max,
      fontSize: OVERLAY_LIMITS.fontSize.min,
      backgroundOpacity: OVERLAY_LIMITS.backgroundOpacity.min,
      locked: true,
    });
    expect(normalizeOverlayAppearance({ lines: 2.6, fontSize: 31.2, backgroundOpacity: 0.6543 })).toMatchObject({
      lines: 3,
      fontSize: 31,
      backgroundOpacity: 0.65,
    });
  });

  it('replaces wrong types field by field', () => {
    expect(normalizeOverlayAppearance({ lines: '4', fontSize: 40, backgroundOpacity: Number.NaN, locked: 'yes' })).toEqual({
      ...DEFAULT_OVERLAY_APPEARANCE,
      fontSize: 40,
    });
  });
});

describe('checkOverlayAppearance', () => {
  const valid: OverlayAppearance = { lines: 5, fontSize: 32, backgroundOpacity: 0.9, locked: false };

  it('accepts a valid appearance as it is', () => {
    expect(checkOverlayAppearance(valid)).toEqual({ ok: true, value: valid });
  });

  it.each([
    [{ lines: 0 }, 'lines', 'Lines must be a whole number from 1 to 5.'],
    [{ lines: 2.5 }, 'lines', 'Lines must be a whole number from 1 to 5.'],
    [{ fontSize: 100 }, 'fontSize', 'Text size must be a whole number from 14 to 64.'],
    [{ backgroundOpacity: 0.2 }, 'backgroundOpacity', 'Background opacity must be from 0.4 to 1.'],
    [{ locked: 'no' }, 'locked', 'Lock position must be on or off.'],
  ])('refuses %j and names the field with its range', (patch, field, message) => {
    expect(checkOverlayAppearance({ ...valid, ...patch })).toEqual({ ok: false, field, message });
  });

  it('refuses something that is not an object', () => {
    expect(checkOverlayAppearance(null)).toMatchObject({ ok: false, field: null });
  });
});

describe('appearance storage', () => {
  it('loads the defaults before anything was saved, and what was saved after', async () => {
    expect(await loadOverlayAppearance()).toEqual(DEFAULT_OVERLAY_APPEARANCE);
    const saved = await saveOverlayAppearance({ fontSize: 36 });
    expect(saved).toEqual({ ...DEFAULT_OVERLAY_APPEARANCE, fontSize: 36 });
    await saveOverlayAppearance({ backgroundOpacity: 0.5 });
    expect(await loadOverlayAppearance()).toEqual({ ...DEFAULT_OVERLAY_APPEARANCE, fontSize: 36, backgroundOpacity: 0.5 });
  });

  it('keeps appearance in storage.sync (it is not secret) and normalizes what it finds there', async () => {
    await fakeBrowser.storage.sync.set({ [OVERLAY_APPEARANCE_KEY]: { lines: 99, fontSize: 'big' } });
    expect(await loadOverlayAppearance()).toEqual({ ...DEFAULT_OVERLAY_APPEARANCE, lines: 5 });
    expect(await fakeBrowser.storage.local.get(OVERLAY_APPEARANCE_KEY)).toEqual({});
  });

  it('tells watchers about changes made in other contexts, normalized', async () => {
    const seen: OverlayAppearance[] = [];
    const stop = watchOverlayAppearance((appearance) => seen.push(appearance));
    await fakeBrowser.storage.sync.set({ [OVERLAY_APPEARANCE_KEY]: { lines: 1, fontSize: 20, backgroundOpacity: 1, locked: true } });
    await fakeBrowser.storage.local.set({ [OVERLAY_APPEARANCE_KEY]: { lines: 4 } }); // another area: ignored
    stop();
    await saveOverlayAppearance({ lines: 2 });
    expect(seen).toEqual([{ lines: 1, fontSize: 20, backgroundOpacity: 1, locked: true }]);
  });
});

describe('per-site placement', () => {
  it('keys positions by origin', () => {
    expect(overlaySiteKey('https://www.youtube.com/watch?v=abc#t=1')).toBe('https://www.youtube.com');
    expect(overlaySiteKey('http://127.0.0.1:8080/a')).toBe('http://127.0.0.1:8080');
    expect(overlaySiteKey('file:///home/me/talk.html')).toBe('file://');
    expect(overlaySiteKey('not a url')).toBe('unknown:');
  });

  it('remembers a position per site, in storage.local, and forgets them all on request', async () => {
    await saveOverlayPlacement('https://a.example', { x: 0.1, y: 0.2, width: 500 });
    await saveOverlayPlacement('https://b.example', { x: 0.9, y: 0.8, width: null });
    await fakeBrowser.storage.local.set({ unrelated: 1 });
    expect(await loadOverlayPlacement('https://a.example')).toEqual({ x: 0.1, y: 0.2, width: 500 });
    expect(await loadOverlayPlacement('https://b.example')).toEqual({ x: 0.9, y: 0.8, width: null });
    expect(await loadOverlayPlacement('https://c.example')).toBeNull();
    expect(await forgetOverlayPlacements()).toBe(2);
    expect(await loadOverlayPlacement('https://a.example')).toBeNull();
    expect(await fakeBrowser.storage.local.get('unrelated')).toEqual({ unrelated: 1 });
  });

  it('ignores a damaged stored position', async () => {
    await fakeBrowser.storage.local.set({ 'overlayPlacement:https://a.example': { x: 'left' } });
    expect(await loadOverlayPlacement('https://a.example')).toBeNull();
  });
});

describe('hidden captions in storage', () => {
  it('keeps the hidden session, forgets it when shown again, and reads anything else as none', async () => {
    const seen: (number | null)[] = [];
    const off = watchOverlayHiddenSession((session) => seen.push(session));
    await saveOverlayHidden(1_000, true);
    expect(await loadOverlayHiddenSession()).toBe(1_000);
    await saveOverlayHidden(1_000, false);
    expect(await loadOverlayHiddenSession()).toBeNull();
    await fakeBrowser.storage.local.set({ [OVERLAY_HIDDEN_KEY]: 'yes' });
    expect(await loadOverlayHiddenSession()).toBeNull();
    off();
    await saveOverlayHidden(2_000, true);
    expect(seen).toEqual([1_000, null, null]);
  });
});
