/**
 * The only state the background keeps, in storage.session: it survives Chrome stopping the
 * service worker (which it may do at any moment), and is cleared when the browser exits or the
 * extension reloads. Nothing the background needs lives in a module variable.
 */
import type { CaptureSource, SessionState } from '../contract/messages';

export interface BackgroundState {
  /** The captured tab (tab source) or the overlay's tab (mic source) of the running session. */
  captureTabId: number | null;
  captureSource: CaptureSource | null;
  /** The captured page's origin when capture started: leaving it ends a tab capture. */
  captureOrigin: string | null;
  /** How the last session ended (or why a start failed), shown while no session runs. */
  lastState: SessionState | null;
}

export const EMPTY_BACKGROUND_STATE: BackgroundState = {
  captureTabId: null,
  captureSource: null,
  captureOrigin: null,
  lastState: null,
};

/** The part of a storage area we use (browser.storage.session fits). */
export interface StorageAreaLike {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

const KEY = 'backgroundState';

export interface BackgroundStateStore {
  load(): Promise<BackgroundState>;
  save(patch: Partial<BackgroundState>): Promise<void>;
}

function isState(value: unknown): value is SessionState {
  return typeof value === 'object' && value !== null && typeof (value as { phase?: unknown }).phase === 'string';
}

/** Reads defensively: a damaged or older value never breaks the background. */
export function parseBackgroundState(value: unknown): BackgroundState {
  if (typeof value !== 'object' || value === null) return { ...EMPTY_BACKGROUND_STATE };
  const record = value as Record<string, unknown>;
  const tabId = record.captureTabId;
  const source = record.captureSource;
  const origin = record.captureOrigin;
  return {
    captureTabId: typeof tabId === 'number' && Number.isInteger(tabId) ? tabId : null,
    captureSource: source === 'tab' || source === 'mic' ? source : null,
    captureOrigin: typeof origin === 'string' ? origin : null,
    lastState: isState(record.lastState) ? record.lastState : null,
  };
}

export function backgroundStateStore(area: StorageAreaLike): BackgroundStateStore {
  return {
    async load() {
      return parseBackgroundState((await area.get(KEY))[KEY]);
    },
    async save(patch) {
      const current = parseBackgroundState((await area.get(KEY))[KEY]);
      await area.set({ [KEY]: { ...current, ...patch } });
    },
  };
}
