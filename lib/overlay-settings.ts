/**
 * The caption overlay's settings, shared by the overlay (content script) and the options page.
 *
 * - Appearance (lines, text size, background opacity, lock) is one small object in
 *   storage.sync under `overlayAppearance`: it is not secret, so it follows the user's browsers.
 * - Where the box sits is remembered per site, in storage.local under `overlayPlacement:<origin>`
 *   (one key per site, so two tabs never overwrite each other's sites, and nothing per-site syncs),
 *   with the time it was saved; lib/overlay/placement-retention.ts expires it.
 * - Hidden captions are remembered for the session they were hidden in, in storage.local under
 *   `overlayHiddenSession` (see hiddenForSession for why that scope).
 *
 * Pure but for the form check's sentences (lib/i18n.ts): the items are defined in lib/contract/storage/items.ts, read and written by
 * lib/overlay-store.ts in extension pages and the background. The overlay (a content script) cannot
 * read storage: the background serves it (lib/background/overlay-view.ts).
 *
 * Stored values are never trusted: every read goes through `normalize*`, which keeps valid fields,
 * clamps numbers into range and fills the rest from the defaults.
 *
 * No zod here on purpose: the content script imports this module and has a 20 kB budget (even
 * zod/mini's core would take a large share of it). The checks are small and covered by tests/unit/overlay.
 */
import { t, type MessageKey } from './i18n';
export type { OverlayPlacement } from './overlay/placement';

/** Slider ranges, for the overlay's own controls and the options page's preview. */
export const OVERLAY_LIMITS = {
  lines: { min: 1, max: 5, step: 1 },
  /** CSS pixels. */
  fontSize: { min: 14, max: 64, step: 2 },
  /**
   * 0.4..1. Below 0.8 the box draws a dark outline around the letters, because the speaker
   * colours' 4.5:1 contrast is proven for the box at 0.8 over a white page (speaker-colors.ts).
   */
  backgroundOpacity: { min: 0.4, max: 1, step: 0.05 },
} as const;

export interface OverlayAppearance {
  /** How many caption lines the box shows (1..5); older lines scroll away above. */
  lines: number;
  /** Text size in CSS pixels (14..64, whole). */
  fontSize: number;
  /** Opacity of the box's black background (0.4..1). */
  backgroundOpacity: number;
  /** Locked: the box cannot be dragged or resized (its buttons still work). */
  locked: boolean;
}

type NumericField = 'lines' | 'fontSize' | 'backgroundOpacity';

export const DEFAULT_OVERLAY_APPEARANCE: Readonly<OverlayAppearance> = Object.freeze({
  lines: 3,
  fontSize: 24,
  backgroundOpacity: 0.8,
  locked: false,
});

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function numberIn(value: unknown, limits: { min: number; max: number }, integer: boolean): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const clamped = clamp(value, limits.min, limits.max);
  return integer ? Math.round(clamped) : Math.round(clamped * 100) / 100;
}

/**
 * Whatever was stored (or sent by another version) becomes valid appearance: out-of-range
 * numbers are clamped, wrong types and missing fields take the default.
 */
export function normalizeOverlayAppearance(stored: unknown): OverlayAppearance {
  const source = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  return {
    lines: numberIn(source.lines, OVERLAY_LIMITS.lines, true) ?? DEFAULT_OVERLAY_APPEARANCE.lines,
    fontSize: numberIn(source.fontSize, OVERLAY_LIMITS.fontSize, true) ?? DEFAULT_OVERLAY_APPEARANCE.fontSize,
    backgroundOpacity:
      numberIn(source.backgroundOpacity, OVERLAY_LIMITS.backgroundOpacity, false) ?? DEFAULT_OVERLAY_APPEARANCE.backgroundOpacity,
    locked: typeof source.locked === 'boolean' ? source.locked : DEFAULT_OVERLAY_APPEARANCE.locked,
  };
}

export type OverlayAppearanceCheck =
  | { ok: true; value: OverlayAppearance }
  | { ok: false; field: keyof OverlayAppearance | null; message: string };

const FIELD_NAMES: Record<keyof OverlayAppearance, MessageKey> = {
  lines: 'overlayLines',
  fontSize: 'overlayTextSize',
  backgroundOpacity: 'overlayBackgroundOpacity',
  locked: 'overlayLock',
};

/**
 * Strict check for a form: unlike normalize, nothing is clamped; the first bad field is named
 * with the allowed range, so the options page can show the message next to the control.
 */
export function checkOverlayAppearance(input: unknown): OverlayAppearanceCheck {
  if (typeof input !== 'object' || input === null) return { ok: false, field: null, message: t('overlayCheckInvalid') };
  const source = input as Record<string, unknown>;
  for (const field of ['lines', 'fontSize', 'backgroundOpacity'] as const satisfies readonly NumericField[]) {
    const value = source[field];
    const limits = OVERLAY_LIMITS[field];
    const whole = field !== 'backgroundOpacity';
    const fits =
      typeof value === 'number' && Number.isFinite(value) && value >= limits.min && value <= limits.max && (!whole || Number.isInteger(value));
    if (!fits) {
      return { ok: false, field, message: t(whole ? 'overlayCheckWholeRange' : 'overlayCheckRange', t(FIELD_NAMES[field]), limits.min, limits.max) };
    }
  }
  if (typeof source.locked !== 'boolean') return { ok: false, field: 'locked', message: t('overlayCheckOnOff', t(FIELD_NAMES.locked)) };
  return {
    ok: true,
    value: {
      lines: source.lines as number,
      fontSize: source.fontSize as number,
      backgroundOpacity: source.backgroundOpacity as number,
      locked: source.locked,
    },
  };
}

/**
 * The key a site's position is remembered under: the page's origin (scheme, host, port). Pages
 * with an opaque origin (file:, data:, sandboxed) share one entry per scheme.
 */
export function overlaySiteKey(pageUrl: string): string {
  try {
    const url = new URL(pageUrl);
    return url.origin !== 'null' ? url.origin : `${url.protocol}//`;
  } catch {
    return 'unknown:';
  }
}

/**
 * Captions hidden by the user stay hidden for the rest of that session: across reloads and
 * navigation within the captured tab (the background injects the overlay again each time), until
 * the user shows them (the shortcut, or the popup's Show captions). The value is the hidden
 * session's start time (SessionState.startedAt).
 *
 * Why per session, not per site next to the position: hiding is about what is on screen now
 * ("not during this video"), while a position is a preference. Remembered per site, captions
 * hidden on a site weeks ago would not appear when the user presses Start there again, and
 * captions that do not come look broken. Pressing Start is asking for captions, so a new session
 * shows them; one that is running keeps them hidden.
 *
 * Kept in storage.local (the background writes it for the overlay, which reads no storage): a
 * value left from an old session is harmless, since no later session has its start time.
 *
 * Whether `stored` (the overlayHiddenSession value) hides captions for the session that began at
 * `sessionStartedAt`.
 */
export function hiddenForSession(stored: unknown, sessionStartedAt: number | null): boolean {
  return sessionStartedAt !== null && typeof stored === 'number' && stored === sessionStartedAt;
}
