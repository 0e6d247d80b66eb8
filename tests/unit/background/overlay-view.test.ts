/**
 * The background serves the overlay's stored view to the captured tab's top frame only, keyed by
 * that frame's own origin, and pushes changes made elsewhere to that tab alone.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { answerOverlayRequest, pushOverlayViewChanges, type OverlayViewDeps } from '@/lib/background/overlay-view';
import type { Message } from '@/lib/messages';
import { DEFAULT_OVERLAY_APPEARANCE } from '@/lib/overlay-settings';
import { loadOverlayPlacement, saveOverlayAppearance, saveOverlayPlacement } from '@/lib/overlay-store';
import { speakerNamesKey, speakerNamesStore } from '@/lib/speaker-names-store';

const CAPTURED = 7;
const START = 1_764_000_000_000;
type Sender = Pick<Browser.runtime.MessageSender, 'tab' | 'frameId' | 'url'>;
const topFrame = (tabId: number, url = 'https://video.example/watch'): Sender => ({ tab: { id: tabId } as Browser.tabs.Tab, frameId: 0, url });

let sent: { tabId: number; message: Message }[];
let deps: OverlayViewDeps;

beforeEach(() => {
  fakeBrowser.reset();
  sent = [];
  deps = {
    captureTabId: async () => CAPTURED,
    sessionStartedAt: async () => START,
    speakerNames: speakerNamesStore(),
    sendToTab: (tabId, message) => sent.push({ tabId, message }),
  };
});

const ask = (message: Message, sender: Sender) => answerOverlayRequest(deps, message, sender);

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
    const subframe: Sender = { ...topFrame(CAPTURED), frameId: 3 };
    for (const sender of [topFrame(8), subframe, { url: 'https://video.example/' }]) {
      expect(await ask({ type: 'overlay/view-get' }, sender)).toBeNull();
      expect(await ask({ type: 'overlay/names-get', sessionStartedAt: START }, sender)).toBeNull();
      expect(await ask({ type: 'overlay/appearance-save', patch: { fontSize: 40 } }, sender)).toBeNull();
      expect(await ask({ type: 'overlay/placement-save', placement: { x: 0.1, y: 0.1, width: null } }, sender)).toEqual({ ok: false });
      expect(await ask({ type: 'overlay/hidden-save', sessionStartedAt: START, hidden: true }, sender)).toEqual({ ok: false });
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

  it('leaves every other message to the other handlers', () => {
    expect(ask({ type: 'session/get' }, topFrame(CAPTURED))).toBeUndefined();
  });

  it('pushes appearance changes and renames of the running session to the captured tab', async () => {
    const off = pushOverlayViewChanges(deps);
    await saveOverlayAppearance({ fontSize: 40 });
    await speakerNamesStore().rename(speakerNamesKey(START), 1, 'Lee');
    await expect.poll(() => sent.length).toBe(2);
    off();
    expect(sent).toEqual([
      { tabId: CAPTURED, message: { type: 'overlay/view-changed', change: { appearance: { ...DEFAULT_OVERLAY_APPEARANCE, fontSize: 40 } } } },
      { tabId: CAPTURED, message: { type: 'overlay/view-changed', change: { names: { sessionStartedAt: START, names: { 1: 'Lee' } } } } },
    ]);
  });
});
