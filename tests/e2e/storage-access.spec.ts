/**
 * The token, the settings and the history are out of the overlay's reach: storage.local and
 * storage.sync are closed to content scripts (lib/contract/storage/access.ts), and the overlay is
 * served what it shows by the background (lib/background/overlay-view.ts).
 *
 * Checked where it matters, in the content script's own isolated world in the captured page
 * (testkit/browser/overlay-world.ts): every read fails, and a settings save (a new token) raises
 * no storage.onChanged there. The appearance saved at the same time still reaches the overlay,
 * through the background.
 */
import type { Worker } from '@playwright/test';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import { closedShadowHostCount, evaluateInOverlayWorld, type OverlayInWorld } from '../../testkit/browser/overlay-world';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';

const test = testWithFakeDeepgram('fake-deepgram-key-for-storage-access-e2e', [{ speaker: 0, words: ['storage', 'stays', 'closed'] }]);

/** What the content script's world gets for each read: the keys it saw, or the error. */
type ReadOutcome = { read: string[] } | { error: string };

/** Run in the isolated world: read every area whole and the secret keys by name. */
async function tryToRead(): Promise<Record<string, ReadOutcome>> {
  interface Area {
    get(keys: string | null): Promise<Record<string, unknown>>;
  }
  const storage = (globalThis as unknown as { chrome: { storage: Record<'local' | 'sync' | 'session', Area> } }).chrome.storage;
  const attempts: [string, () => Promise<Record<string, unknown>>][] = [
    ['local (everything)', () => storage.local.get(null)],
    ['local proxyToken', () => storage.local.get('proxyToken')],
    ['local speakerNames', () => storage.local.get('speakerNames')],
    ['local historyRetention', () => storage.local.get('historyRetention')],
    ['sync (everything)', () => storage.sync.get(null)],
    ['sync settings', () => storage.sync.get('settings')],
    ['session (everything)', () => storage.session.get(null)],
  ];
  const outcomes: Record<string, ReadOutcome> = {};
  for (const [name, attempt] of attempts) {
    try {
      outcomes[name] = { read: Object.keys(await attempt()) };
    } catch (error) {
      outcomes[name] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return outcomes;
}

/** Run in the isolated world: count storage.onChanged events there from now on. */
function countStorageEvents(): boolean {
  const world = globalThis as unknown as {
    chrome: { storage: { onChanged: { addListener(listener: () => void): void } } };
    storageEventsSeen?: number;
  };
  world.storageEventsSeen = 0;
  world.chrome.storage.onChanged.addListener(() => {
    world.storageEventsSeen = (world.storageEventsSeen ?? 0) + 1;
  });
  return true;
}

async function serviceWorker(app: LaunchedBrowser): Promise<Worker> {
  return app.context.serviceWorkers()[0] ?? (await app.context.waitForEvent('serviceworker'));
}

test.describe('storage and the content script', () => {
  test.setTimeout(120_000);

  test("the token, settings and history cannot be read from the overlay's world", async ({ app, audio }) => {
    const speech = await startSpeechPage(audio.page, 'Captionist storage access');
    try {
      const page = await startCaptionsOnPlayingPage(app, speech.url);
      await expect.poll(() => closedShadowHostCount(page), { timeout: 20_000, message: 'the overlay mounted' }).toBe(1);

      const outcomes = await evaluateInOverlayWorld(page, tryToRead, undefined, {});
      expect(Object.keys(outcomes)).toHaveLength(7);
      for (const [name, outcome] of Object.entries(outcomes)) {
        expect(outcome, name).toEqual({ error: expect.stringMatching(/not allowed/i) });
      }

      // A settings save (a rotated token, a new look) reaches no storage listener in the page...
      expect(await evaluateInOverlayWorld(page, countStorageEvents, undefined, false)).toBe(true);
      const worker = await serviceWorker(app);
      await worker.evaluate(async () => {
        const api = (globalThis as unknown as { chrome: { storage: Record<'local' | 'sync', { set(items: object): Promise<void> }> } }).chrome;
        await api.storage.local.set({ proxyToken: 'rotated-token-the-page-must-not-see' });
        await api.storage.sync.set({ overlayAppearance: { lines: 2, fontSize: 40, backgroundOpacity: 0.8, locked: false } });
      });
      // ...while the new look does reach the overlay, through the background.
      const fontSize = (overlay: OverlayInWorld | null) =>
        overlay?.root.querySelector<HTMLElement>('[data-testid=captions]')?.style.getPropertyValue('--font-size') ?? null;
      await expect.poll(() => evaluateInOverlayWorld(page, fontSize, undefined, null), { timeout: 10_000 }).toBe('40px');
      const seen = (_overlay: OverlayInWorld | null) => (globalThis as unknown as { storageEventsSeen?: number }).storageEventsSeen ?? -1;
      expect(await evaluateInOverlayWorld(page, seen, undefined, -1), 'storage.onChanged events in the page').toBe(0);

      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });
});
