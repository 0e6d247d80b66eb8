/**
 * Every storage key the extension uses, defined once. Nothing else in the extension names a
 * storage key or calls browser.storage (tests/unit/contract/storage-guard.test.ts checks).
 *
 *   area     key                          version  read by
 *   sync     settings                     1        background, options, popup (lib/storage.ts)
 *   local    proxyToken                   1        background, options, popup (lib/storage.ts)
 *   local    settings (legacy, pre-sync)  -        lib/storage.ts, once: moved to the two above
 *   local    connectionCheck              1        options (writes), popup
 *   local    historyRetention             1        background, options, offscreen (via message)
 *   sync     overlayAppearance            1        options, background (serves the overlay)
 *   local    overlayPlacement:<site>      1        background (serves the overlay), options, pruner
 *   local    overlayHiddenSession         1        background (serves the overlay), popup
 *   local    speakerNames                 1        side panel, background (serves the overlay), pruner
 *   local    lastCaptureSource            1        background (the shortcut's source), popup, options (clears it)
 *   local    autoStartSites               1        background (starts captions), popup (switch), options (list)
 *   session  backgroundState              1        background
 *
 * storage.local and storage.sync are closed to content scripts (lib/contract/storage/access.ts):
 * the overlay gets what it shows from the background (lib/background/overlay-view.ts).
 * A shape change bumps the item's `version` and adds a migration from the older value.
 */
import { storage } from 'wxt/utils/storage';
import { isCaptureSource, type CaptureSource } from '../messages';
import { parseBackgroundState, type BackgroundState } from '../../background/background-state';
import { normalizeOverlayAppearance, type OverlayAppearance } from '../../overlay-settings';
import { normalizePlacement, type OverlayPlacement } from '../../overlay/placement';
import { normalizeRetention, type RetentionPolicy } from '../../persistence/retention';
import { parseSyncedSettings, type SyncedSettings } from '../../settings';
import { parseAutoStartSites } from '../../auto-start-sites';
import { parseSpeakerNamesBySession, type SpeakerNamesBySession } from '../../transcript/speaker-names';
import { defineParsedItem, type ParsedItem } from './parsed-item';

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Every setting but the token: follows the user's browsers. */
export const syncedSettingsItem = defineParsedItem<SyncedSettings>('sync:settings', { version: 1, parse: parseSyncedSettings });

/** The proxy token: a secret, stays on this computer; null when none was ever saved. */
export const proxyTokenItem = defineParsedItem<string | null>('local:proxyToken', {
  version: 1,
  parse: (stored) => (typeof stored === 'string' ? stored : null),
});

/**
 * Before settings synced, everything (token included) was one `settings` object in storage.local.
 * lib/storage.ts moves it to the two items above once and removes it (a move across areas, which
 * @wxt-dev/storage's per-key migrations cannot express).
 */
export const legacyLocalSettingsItem = defineParsedItem<Record<string, unknown> | null>('local:settings', {
  version: 1,
  parse: objectOrNull,
});

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

export function parseConnectionCheck(stored: unknown): StoredConnectionCheck | null {
  const { proxyUrl, ok, engine, checkedAt } = objectOrNull(stored) ?? {};
  if (typeof proxyUrl !== 'string' || typeof ok !== 'boolean' || typeof checkedAt !== 'number') return null;
  return { proxyUrl, ok, engine: typeof engine === 'string' ? engine : null, checkedAt };
}

export const connectionCheckItem = defineParsedItem<StoredConnectionCheck | null>('local:connectionCheck', {
  version: 1,
  parse: parseConnectionCheck,
});

/** How much transcript history is kept (device-local like the transcripts it governs). */
export const historyRetentionItem = defineParsedItem<RetentionPolicy>('local:historyRetention', { version: 1, parse: normalizeRetention });

/** The caption box's look: not secret, so it follows the user's browsers. */
export const overlayAppearanceItem = defineParsedItem<OverlayAppearance>('sync:overlayAppearance', {
  version: 1,
  parse: normalizeOverlayAppearance,
});

/**
 * The start time of the session whose captions the user hid (lib/overlay-settings.ts,
 * hiddenForSession, says why that scope), or null.
 */
export const overlayHiddenSessionItem = defineParsedItem<number | null>('local:overlayHiddenSession', {
  version: 1,
  parse: (stored) => (typeof stored === 'number' && Number.isFinite(stored) ? stored : null),
});

/** The bare key of speakerNamesItem (tests read the fake browser's storage.local with it). */
export const SPEAKER_NAMES_STORAGE_KEY = 'speakerNames';

/** Renamed speakers, per session (lib/speaker-names-store.ts). */
export const speakerNamesItem = defineParsedItem<SpeakerNamesBySession>(`local:${SPEAKER_NAMES_STORAGE_KEY}`, {
  version: 1,
  parse: parseSpeakerNamesBySession,
});

/**
 * The source the user last asked to caption, so the keyboard shortcut starts that one and the
 * popup offers it (lib/background/last-source.ts); null before any start, and after a new default
 * source is saved in Options.
 */
export const lastCaptureSourceItem = defineParsedItem<CaptureSource | null>('local:lastCaptureSource', {
  version: 1,
  parse: (stored) => (isCaptureSource(stored) ? stored : null),
});

/**
 * Sites where captions start when a page of theirs loads (lib/auto-start-sites.ts), by origin.
 * Local, not synced: the host permission each needs is granted to this browser only.
 */
export const autoStartSitesItem = defineParsedItem<string[]>('local:autoStartSites', { version: 1, parse: parseAutoStartSites });

/** The background's only state (lib/background/background-state.ts). */
export const backgroundStateItem = defineParsedItem<BackgroundState>('session:backgroundState', { version: 1, parse: parseBackgroundState });

/** A site's caption-box position with when it was last put there (for placement retention). */
export interface StoredPlacement extends OverlayPlacement {
  /** Epoch ms; absent on positions saved before it was recorded (lib/overlay/placement-retention.ts). */
  savedAt?: number;
}

export function parseStoredPlacement(stored: unknown): StoredPlacement | null {
  const placement = normalizePlacement(stored);
  if (!placement) return null;
  const savedAt = objectOrNull(stored)?.savedAt;
  return typeof savedAt === 'number' && Number.isFinite(savedAt) ? { ...placement, savedAt } : placement;
}

export const OVERLAY_PLACEMENT_PREFIX = 'overlayPlacement:';

/**
 * Where the box sits, one key per site (`overlayPlacement:<origin>`, lib/overlay-settings.ts
 * overlaySiteKey), so nothing per-site syncs and sites never overwrite each other.
 */
export const overlayPlacements = {
  item(site: string): ParsedItem<StoredPlacement | null> {
    return defineParsedItem<StoredPlacement | null>(`local:${OVERLAY_PLACEMENT_PREFIX}${site}`, { version: 1, parse: parseStoredPlacement });
  },
  /** Every stored position by site, as stored (the pruner also meets unparseable ones). */
  async all(): Promise<Map<string, unknown>> {
    const everything = await storage.snapshot('local');
    const bySite = new Map<string, unknown>();
    for (const [key, value] of Object.entries(everything)) {
      if (key.startsWith(OVERLAY_PLACEMENT_PREFIX)) bySite.set(key.slice(OVERLAY_PLACEMENT_PREFIX.length), value);
    }
    return bySite;
  },
  async set(entries: ReadonlyMap<string, StoredPlacement>): Promise<void> {
    if (entries.size === 0) return;
    await storage.setItems([...entries].map(([site, value]) => ({ key: `local:${OVERLAY_PLACEMENT_PREFIX}${site}` as const, value })));
  },
  async remove(sites: readonly string[]): Promise<void> {
    if (sites.length > 0) await storage.removeItems(sites.map((site) => `local:${OVERLAY_PLACEMENT_PREFIX}${site}` as const));
  },
};
