/**
 * The background as the overlay meets it, inside one Vitest process: the overlay's runtime
 * requests go through the real receiver (lib/contract/messaging.ts) to the real
 * lib/background/overlay-view.ts handlers (over WXT's fake browser storage), as if sent from the
 * captured tab's top frame, and its pushes come back as runtime messages from the service worker.
 * WXT's fake runtime passes no sender, so the senders are supplied here.
 */
import { vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { overlayViewHandlers, pushOverlayViewChanges, type OverlayViewDeps } from '@/lib/background/overlay-view';
import { IDLE_STATE } from '@/lib/contract/messages';
import { answerOverlayRequests } from '@/lib/contract/messaging';
import { speakerNamesStore } from '@/lib/speaker-names-store';

export interface FakeOverlayBackground {
  /** Who asks: by default the captured tab's top frame. */
  sender: Pick<Browser.runtime.MessageSender, 'tab' | 'frameId' | 'url'>;
  /** The running session's start, as the background would find it. */
  sessionStartedAt: number | null;
  stop(): void;
}

export function fakeOverlayBackground(captureTabId: number, pageUrl: string): FakeOverlayBackground {
  const fake: FakeOverlayBackground = {
    sender: { tab: { id: captureTabId } as Browser.tabs.Tab, frameId: 0, url: pageUrl },
    sessionStartedAt: null,
    stop: () => undefined,
  };
  const deps: OverlayViewDeps = {
    captureTabId: async () => captureTabId,
    sessionStartedAt: async () => fake.sessionStartedAt,
    speakerNames: speakerNamesStore(),
    sendToTab: (_tabId, message) =>
      void fakeBrowser.runtime.onMessage.trigger(message, { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/background.js') }),
  };
  const stopAnswering = answerOverlayRequests({
    'overlay/live-session': async () => ({ state: IDLE_STATE, transcript: { utterances: [], interims: [] } }),
    ...overlayViewHandlers(deps),
  });
  const send = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation(async (message: unknown) => {
    const answers = (await fakeBrowser.runtime.onMessage.trigger(message, { ...fake.sender, id: fakeBrowser.runtime.id })) as unknown[];
    return answers.find((answer) => answer !== undefined);
  });
  const off = pushOverlayViewChanges(deps);
  fake.stop = () => {
    off();
    stopAnswering();
    send.mockRestore();
  };
  return fake;
}
