/**
 * The overlay's stored view, served by the background. The overlay is a content script, and
 * content scripts may not read storage.local or storage.sync (lib/contract/storage/access.ts): the
 * token and the history live there. So the background reads and writes what the overlay shows
 * (appearance, its site's position, hidden captions, the running session's speaker names) and
 * pushes changes made elsewhere.
 *
 * Only the captured tab's top frame is answered (the background injects the overlay there and
 * nowhere else): another page's content script, or a frame inside the captured page, gets null.
 * The site whose position is read or saved is the asking frame's own origin, never a claim in the message.
 */
import type { Browser } from 'wxt/browser';
import type { Message, OverlayStorageResponses, OverlayViewChange } from '../messages';
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
import { speakerNamesItem } from '../contract/storage/items';
import { speakerNamesKey, type SpeakerNamesStore } from '../speaker-names-store';
import { NO_SPEAKER_NAMES } from '../transcript/speaker-names';

export interface OverlayViewDeps {
  /** The tab the running session shows its overlay on (background-state), or null. */
  captureTabId(): Promise<number | null>;
  /** When the running session began (its speaker names' key), or null. */
  sessionStartedAt(): Promise<number | null>;
  speakerNames: SpeakerNamesStore;
  sendToTab(tabId: number, message: Message): void;
}

type Sender = Pick<Browser.runtime.MessageSender, 'tab' | 'frameId' | 'url'>;

async function fromCapturedOverlay(deps: OverlayViewDeps, sender: Sender): Promise<boolean> {
  const tabId = sender.tab?.id;
  return tabId !== undefined && sender.frameId === 0 && tabId === (await deps.captureTabId());
}

async function answer<T extends keyof OverlayStorageResponses>(
  deps: OverlayViewDeps,
  sender: Sender,
  refused: OverlayStorageResponses[T],
  work: () => Promise<OverlayStorageResponses[T]>,
): Promise<OverlayStorageResponses[T]> {
  return (await fromCapturedOverlay(deps, sender)) ? work() : refused;
}

/** The answer to an overlay storage request, or undefined for any other message (left to others). */
export function answerOverlayRequest(deps: OverlayViewDeps, message: Message, sender: Sender): Promise<unknown> | undefined {
  const site = overlaySiteKey(sender.url ?? '');
  switch (message.type) {
    case 'overlay/view-get':
      return answer<'overlay/view-get'>(deps, sender, null, async () => {
        const [appearance, placement, hiddenSession] = await Promise.all([
          loadOverlayAppearance(),
          loadOverlayPlacement(site),
          loadOverlayHiddenSession(),
        ]);
        return { appearance, placement, hiddenSession };
      });
    case 'overlay/names-get':
      return answer<'overlay/names-get'>(deps, sender, null, async () => {
        // Only the running session's names: the others are history.
        if (message.sessionStartedAt !== (await deps.sessionStartedAt())) return null;
        return deps.speakerNames.load(speakerNamesKey(message.sessionStartedAt));
      });
    case 'overlay/appearance-save':
      return answer<'overlay/appearance-save'>(deps, sender, null, () => saveOverlayAppearance(message.patch));
    case 'overlay/placement-save':
      return answer<'overlay/placement-save'>(deps, sender, { ok: false }, async () => {
        await saveOverlayPlacement(site, message.placement);
        return { ok: true };
      });
    case 'overlay/hidden-save':
      return answer<'overlay/hidden-save'>(deps, sender, { ok: false }, async () => {
        await saveOverlayHidden(message.sessionStartedAt, message.hidden);
        return { ok: true };
      });
    default:
      return undefined;
  }
}

/**
 * Pushes stored changes to the captured tab's overlay (the options page's appearance, a rename in the
 * side panel; the popup's Show captions arrives as overlay/toggle). Registered when the background starts, so a change
 * wakes the worker. Returns the unsubscribe.
 */
export function pushOverlayViewChanges(deps: OverlayViewDeps): () => void {
  const push = async (change: () => Promise<OverlayViewChange | null>) => {
    const tabId = await deps.captureTabId();
    if (tabId === null) return;
    const ready = await change();
    if (ready) deps.sendToTab(tabId, { type: 'overlay/view-changed', change: ready });
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
