/**
 * The only state the background keeps, in storage.session (`backgroundState`, defined in
 * lib/contract/storage/items.ts): it survives Chrome stopping the
 * service worker (which it may do at any moment), and is cleared when the browser exits or the
 * extension reloads. Nothing the background needs lives in a module variable.
 */
import { isCaptureSource, type CaptureSource, type SessionState } from '../contract/messages';

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
    captureSource: isCaptureSource(source) ? source : null,
    captureOrigin: typeof origin === 'string' ? origin : null,
    lastState: isState(record.lastState) ? record.lastState : null,
  };
}

/** The item the state lives in (lib/contract/storage/items.ts backgroundStateItem; tests may pass their own). */
export interface BackgroundStateItem {
  getValue(): Promise<BackgroundState>;
  setValue(value: BackgroundState): Promise<void>;
}

export function backgroundStateStore(item: BackgroundStateItem): BackgroundStateStore {
  return {
    load() {
      return item.getValue();
    },
    async save(patch) {
      await item.setValue({ ...(await item.getValue()), ...patch });
    },
  };
}
