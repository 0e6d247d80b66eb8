/**
 * The background as the overlay meets it, inside one Vitest process: the overlay's runtime
 * requests go to the real lib/background/overlay-view.ts handler (over WXT's fake browser
 * storage), as if sent from the captured tab's top frame, and its pushes come back as runtime
 * messages. WXT's fake runtime passes no sender, so the captured tab's sender is supplied here.
 */
import { vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { answerOverlayRequest, pushOverlayViewChanges, type OverlayViewDeps } from '@/lib/background/overlay-view';
import type { Message } from '@/lib/messages';
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
    sendToTab: (_tabId, message) => void fakeBrowser.runtime.onMessage.trigger(message, { id: fakeBrowser.runtime.id }),
  };
  const send = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation(async (message: unknown) =>
    answerOverlayRequest(deps, message as Message, fake.sender),
  );
  const off = pushOverlayViewChanges(deps);
  fake.stop = () => {
    off();
    send.mockRestore();
  };
  return fake;
}
