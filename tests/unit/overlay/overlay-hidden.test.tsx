// @vitest-environment happy-dom
/**
 * Hiding the captions is remembered for the session it happened in: the overlay of a reloaded
 * page (a fresh OverlayApp, as after a navigation) stays hidden, and the shortcut, the popup's
 * Show captions (both arrive as overlay/toggle) or a new session show it again.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OverlayApp, SHOW_EVENT } from '@/components/overlay-app';
import type { OverlaySessionSource } from '@/components/overlay-session';
import { IDLE_STATE, type TabPush } from '@/lib/contract/messages';
import { EMPTY_TRANSCRIPT } from '@/lib/views/transcript-view';
import { hiddenForSession } from '@/lib/overlay-settings';
import { fakeOverlayBackground, type FakeOverlayBackground } from './fake-overlay-background';

/** Where the background keeps it (lib/contract/storage/items.ts overlayHiddenSessionItem). */
const OVERLAY_HIDDEN_KEY = 'overlayHiddenSession';

const SITE = 'https://video.example';
let container: HTMLElement;
let showRequests: EventTarget;
let background: FakeOverlayBackground;

beforeEach(() => {
  fakeBrowser.reset();
  background = fakeOverlayBackground(7, `${SITE}/watch`);
  container = document.createElement('div');
  showRequests = new EventTarget();
  document.body.append(container);
});
afterEach(() => {
  act(() => render(null, container));
  background.stop();
  container.remove();
});

/** A session source that is already live (as when the background's first state has arrived). */
function liveSource(startedAt: number): OverlaySessionSource {
  const current = { state: { ...IDLE_STATE, phase: 'live' as const, source: 'tab' as const, tabId: 7, startedAt }, transcript: EMPTY_TRANSCRIPT, sessionStartedAt: startedAt };
  return { current, announcements: [], subscribe: () => () => undefined, refresh: () => undefined, setNames: () => undefined };
}

/** Renders the overlay as a fresh page would get it, and lets its stored settings load. */
async function openPage(startedAt: number): Promise<void> {
  act(() => render(null, container));
  await act(async () => {
    render(<OverlayApp site={SITE} showRequests={showRequests} source={liveSource(startedAt)} />, container);
  });
  await settle();
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
}

const box = () => container.querySelector('[data-testid=captions]');
const stored = async () => (await fakeBrowser.storage.local.get(OVERLAY_HIDDEN_KEY))[OVERLAY_HIDDEN_KEY];

/** A push from the service worker, described as Chrome describes it to a content script. */
async function send(message: TabPush): Promise<void> {
  const worker = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/background.js') };
  await act(async () => {
    // A push wants no answer; act() and settle() let whatever the listener started finish.
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the listeners' answers are dropped on purpose
    await fakeBrowser.runtime.onMessage.trigger(message, worker);
  });
  await settle();
}

async function clickHide(): Promise<void> {
  await act(async () => container.querySelector<HTMLButtonElement>('[data-testid=caption-hide]')!.click());
  await settle();
}

describe('hidden captions', () => {
  it('stay hidden when the page reloads during the same session, without showing for a moment first', async () => {
    await openPage(1_000);
    expect(box()).not.toBeNull();
    await clickHide();
    expect(box()).toBeNull();
    expect(await stored()).toBe(1_000);

    // The reloaded page: nothing is drawn before the stored answer is in, nor after.
    act(() => render(null, container));
    act(() => render(<OverlayApp site={SITE} showRequests={showRequests} source={liveSource(1_000)} />, container));
    expect(box()).toBeNull();
    await settle();
    expect(box()).toBeNull();
  });

  it('come back with the keyboard shortcut (overlay/toggle), which also forgets them hidden', async () => {
    await openPage(1_000);
    await clickHide();
    await send({ type: 'tab/overlay-toggle' });
    expect(box()).not.toBeNull();
    expect(await stored()).toBeUndefined();
    await openPage(1_000);
    expect(box()).not.toBeNull();

    // The shortcut hides too, and that is remembered the same way.
    await send({ type: 'tab/overlay-toggle' });
    expect(box()).toBeNull();
    await openPage(1_000);
    expect(box()).toBeNull();
  });

  it('come back with the popup Show captions (overlay/toggle visible: true), which never hides', async () => {
    await openPage(1_000);
    await send({ type: 'tab/overlay-toggle', visible: true });
    expect(box()).not.toBeNull();
    await clickHide();
    await send({ type: 'tab/overlay-toggle', visible: true });
    expect(box()).not.toBeNull();
    await send({ type: 'tab/overlay-toggle', visible: true });
    expect(box()).not.toBeNull();
    await send({ type: 'tab/overlay-toggle', visible: false });
    expect(box()).toBeNull();
  });

  it('show again for a new session: pressing Start asks for captions', async () => {
    await openPage(1_000);
    await clickHide();
    await openPage(2_000);
    expect(box()).not.toBeNull();
  });

  it('stay hidden when the background injects the overlay again into the same page (a navigation the page made itself)', async () => {
    await openPage(1_000);
    await clickHide();
    await act(async () => {
      showRequests.dispatchEvent(new Event(SHOW_EVENT));
    });
    await settle();
    expect(box()).toBeNull();
  });
});

describe('hiddenForSession', () => {
  it('hides only the session whose start time was stored', () => {
    expect(hiddenForSession(1_000, 1_000)).toBe(true);
    expect(hiddenForSession(1_000, 2_000)).toBe(false);
    expect(hiddenForSession(undefined, 1_000)).toBe(false);
    expect(hiddenForSession('1000', 1_000)).toBe(false);
    expect(hiddenForSession(null, null)).toBe(false);
  });
});
