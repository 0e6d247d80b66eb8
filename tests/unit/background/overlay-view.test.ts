/**
 * The background serves the overlay's stored view to the captured tab's top frame only, keyed by
 * that frame's own origin, and pushes changes made elsewhere to that tab alone. Requests go
 * through the real receiver (lib/contract/messaging.ts), senders described as Chrome describes them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { overlayViewHandlers, pushOverlayViewChanges, type OverlayViewDeps } from '@/lib/background/overlay-view';
import { IDLE_STATE, type OverlayRequest, type TabPush } from '@/lib/contract/messages';
import { answerOverlayRequests } from '@/lib/contract/messaging';
import { DEFAULT_OVERLAY_APPEARANCE } from '@/lib/overlay-settings';
import { loadOverlayPlacement, saveOverlayAppearance, saveOverlayPlacement } from '@/lib/overlay-store';
import { speakerNamesKey, speakerNamesStore } from '@/lib/speaker-names-store';

const CAPTURED = 7;
const START = 1_764_000_000_000;
type Sender = Pick<Browser.runtime.MessageSender, 'tab' | 'frameId' | 'url'>;
const topFrame = (tabId: number, url = 'https://video.example/watch'): Sender => ({ tab: { id: tabId } as Browser.tabs.Tab, frameId: 0, url });

let sent: { tabId: number; message: TabPush }[];
let deps: OverlayViewDeps;
let stopAnswering: () => void;

beforeEach(() => {
  fakeBrowser.reset();
  sent = [];
  deps = {
    captureTabId: async () => CAPTURED,
    sessionStartedAt: async () => START,
    speakerNames: speakerNamesStore(),
    sendToTab: (tabId, message) => sent.push({ tabId, message }),
  };
  stopAnswering = answerOverlayRequests({
    'overlay/live-session': async () => ({ state: IDLE_STATE, transcript: { utterances: [], interims: [] } }),
    ...overlayViewHandlers(deps),
  });
});
afterEach(() => stopAnswering());

/** The receiver's answer, or undefined when it did not answer at all. */
async function ask(message: OverlayRequest, sender: Sender): Promise<unknown> {
  const answers = (await fakeBrowser.runtime.onMessage.trigger(message, { ...sender, id: fakeBrowser.runtime.id })) as unknown[];
  return answers.find((answer) => answer !== undefined);
}

describe('the overlay view served by the background', () => {
  it("answers the captured tab's top frame with its own site's position", async () => {
    await saveOverlayPlacement('https://video.example', { x: 0.2, y: 0.3, width: 400 });
    await saveOverlayPlacement('https://other.example', { x: 0.9, y: 0.9, width: null });
    expect(await ask({ type: 'overlay/view-get' }, topFrame(CAPTURED))).toEqual({
      appearance: DEFAULT_OVERLAY_APPEARANCE,
      placement: { x: 0.2, y: 0.3, width: 400 },
      hiddenSession: null,
    });
  });

  it('refuses another tab and a frame inside the captured tab, for reads and writes', async () => {
    const requests: OverlayRequest[] = [
      { type: 'overlay/view-get' },
      { type: 'overlay/names-get', sessionStartedAt: START },
      { type: 'overlay/appearance-save', patch: { fontSize: 40 } },
      { type: 'overlay/placement-save', placement: { x: 0.1, y: 0.1, width: null } },
      { type: 'overlay/hidden-save', sessionStartedAt: START, hidden: true },
    ];
    // Another tab's overlay is answered "no".
    for (const [request, refused] of requests.map((r, i) => [r, i < 3 ? null : { ok: false }] as const)) {
      expect(await ask(request, topFrame(8))).toEqual(refused);
    }
    // A frame inside the captured page, or a sender with no tab, is not answered at all.
    for (const sender of [{ ...topFrame(CAPTURED), frameId: 3 }, { url: 'https://video.example/' }]) {
      for (const request of requests) expect(await ask(request, sender)).toBeUndefined();
    }
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
  });

  it("saves a position under the asking frame's origin, whatever page it is on", async () => {
    expect(await ask({ type: 'overlay/placement-save', placement: { x: 0.4, y: 0.5, width: null } }, topFrame(CAPTURED, 'https://video.example/a?b'))).toEqual({ ok: true });
    expect(await loadOverlayPlacement('https://video.example')).toEqual({ x: 0.4, y: 0.5, width: null });
  });

  it("gives the running session's speaker names only, never an older session's", async () => {
    await speakerNamesStore().rename(speakerNamesKey(START), 0, 'Dana');
    await speakerNamesStore().rename(speakerNamesKey(START - 86_400_000), 0, 'Yesterday');
    expect(await ask({ type: 'overlay/names-get', sessionStartedAt: START }, topFrame(CAPTURED))).toEqual({ 0: 'Dana' });
    expect(await ask({ type: 'overlay/names-get', sessionStartedAt: START - 86_400_000 }, topFrame(CAPTURED))).toBeNull();
  });

  it('leaves every other message to the other handlers', async () => {
    expect(await ask({ type: 'session/get' } as unknown as OverlayRequest, topFrame(CAPTURED))).toBeUndefined();
  });

  it('pushes appearance changes and renames of the running session to the captured tab', async () => {
    const off = pushOverlayViewChanges(deps);
    await saveOverlayAppearance({ fontSize: 40 });
    await speakerNamesStore().rename(speakerNamesKey(START), 1, 'Lee');
    await expect.poll(() => sent.length).toBe(2);
    off();
    expect(sent).toEqual([
      { tabId: CAPTURED, message: { type: 'tab/overlay-view-changed', change: { appearance: { ...DEFAULT_OVERLAY_APPEARANCE, fontSize: 40 } } } },
      { tabId: CAPTURED, message: { type: 'tab/overlay-view-changed', change: { names: { sessionStartedAt: START, names: { 1: 'Lee' } } } } },
    ]);
  });
});
