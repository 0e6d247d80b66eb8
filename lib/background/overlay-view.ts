/**
 * The overlay's stored view, served by the background. The overlay is a content script, and
 * content scripts may not read storage.local or storage.sync (lib/contract/storage/access.ts): the
 * token and the history live there. So the background reads and writes what the overlay shows
 * (appearance, its site's position, hidden captions, the running session's speaker names) and
 * pushes changes made elsewhere.
 *
 * lib/contract/messaging.ts lets only a content script in a tab's top frame ask; here only the
 * captured tab is answered (the background injects the overlay there and nowhere else), so another
 * page's content script gets null. The site whose position is read or saved is the asking frame's
 * own URL as the browser reports it, never a claim in the message.
 */
import type { OverlayRequest, OverlayResponses, OverlayViewChange, TabPush } from '../contract/messages';
import type { ContentScriptSender } from '../contract/messaging';
import { speakerNamesItem } from '../contract/storage/items';
import { overlaySiteKey } from '../overlay-settings';
import {
  loadOverlayAppearance,
  loadOverlayHiddenSession,
  loadOverlayPlacement,
  saveOverlayAppearance,
  saveOverlayHidden,
  saveOverlayPlacement,
  watchOverlayAppearance,
} from '../overlay-store';
import { speakerNamesKey, type SpeakerNamesStore } from '../speaker-names-store';
import { NO_SPEAKER_NAMES } from '../transcript/speaker-names';

export interface OverlayViewDeps {
  /** The tab the running session shows its overlay on (background-state), or null. */
  captureTabId: () => Promise<number | null>;
  /** When the running session began (its speaker names' key), or null. */
  sessionStartedAt: () => Promise<number | null>;
  speakerNames: SpeakerNamesStore;
  sendToTab: (tabId: number, push: TabPush) => void;
}

type StorageRequestType = Exclude<OverlayRequest['type'], 'overlay/live-session'>;
type Handler<T extends StorageRequestType> = (message: Extract<OverlayRequest, { type: T }>, from: ContentScriptSender) => Promise<OverlayResponses[T]>;

/** The overlay's storage requests, each answered for the captured tab only (`refused` for anyone else). */
export function overlayViewHandlers(deps: OverlayViewDeps): { [T in StorageRequestType]: Handler<T> } {
  const forCaptured =
    <T extends StorageRequestType>(refused: OverlayResponses[T], work: Handler<T>): Handler<T> =>
    async (message, from) =>
      from.tabId === (await deps.captureTabId()) ? work(message, from) : refused;
  const siteOf = (from: ContentScriptSender) => overlaySiteKey(from.url.href);
  return {
    'overlay/view-get': forCaptured<'overlay/view-get'>(null, async (_message, from) => {
      const [appearance, placement, hiddenSession] = await Promise.all([
        loadOverlayAppearance(),
        loadOverlayPlacement(siteOf(from)),
        loadOverlayHiddenSession(),
      ]);
      return { appearance, placement, hiddenSession };
    }),
    'overlay/names-get': forCaptured<'overlay/names-get'>(null, async (message) => {
      // Only the running session's names: the others are history.
      if (message.sessionStartedAt !== (await deps.sessionStartedAt())) return null;
      return deps.speakerNames.load(speakerNamesKey(message.sessionStartedAt));
    }),
    'overlay/appearance-save': forCaptured<'overlay/appearance-save'>(null, (message) => saveOverlayAppearance(message.patch)),
    'overlay/placement-save': forCaptured<'overlay/placement-save'>({ ok: false }, async (message, from) => {
      await saveOverlayPlacement(siteOf(from), message.placement);
      return { ok: true };
    }),
    'overlay/hidden-save': forCaptured<'overlay/hidden-save'>({ ok: false }, async (message) => {
      await saveOverlayHidden(message.sessionStartedAt, message.hidden);
      return { ok: true };
    }),
  };
}

/**
 * Pushes stored changes to the captured tab's overlay (the options page's appearance, a rename in the
 * side panel; the popup's Show captions arrives as tab/overlay-toggle). Registered when the background
 * starts, so a change wakes the worker. Returns the unsubscribe.
 */
export function pushOverlayViewChanges(deps: OverlayViewDeps): () => void {
  const push = async (change: () => Promise<OverlayViewChange | null>) => {
    const tabId = await deps.captureTabId();
    if (tabId === null) return;
    const ready = await change();
    if (ready) deps.sendToTab(tabId, { type: 'tab/overlay-view-changed', change: ready });
  };
  const failed = (error: unknown) => console.warn('[captionist] overlay not told of a change', error);
  const offs = [
    watchOverlayAppearance((appearance) => void push(async () => ({ appearance })).catch(failed)),
    // A rename (side panel) of any session: the overlay needs the running session's names only.
    speakerNamesItem.watch(
      (entries) =>
        void push(async () => {
          const startedAt = await deps.sessionStartedAt();
          if (startedAt === null) return null;
          return { names: { sessionStartedAt: startedAt, names: entries[speakerNamesKey(startedAt)]?.names ?? NO_SPEAKER_NAMES } };
        }).catch(failed),
    ),
  ];
  return () => offs.forEach((off) => off());
}
