/**
 * The overlay's content script runs inside pages the user does not control: whatever it can send,
 * a compromised page renderer can send too. Here it is driven from its own isolated world
 * (testkit/browser/overlay-world.ts), in a real Chromium, and what it sends is refused:
 *
 * - session/start (the microphone), session/stop: nothing starts or stops;
 * - session/state and session/ended, forged: the toolbar badge and title do not change, and the
 *   session goes on;
 * - transcript/get and session/get: no answer, live or saved; the overlay's own request
 *   (overlay/live-session) answers the captured tab only, and nothing when no session runs.
 *
 * An extension page may ask the background, but not command the offscreen document.
 * (lib/contract/senders.ts has the rules; tests/unit/contract/senders.test.ts the same with fakes.)
 */
import type { Page } from '@playwright/test';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import { evaluateInOverlayWorld } from '../../testkit/browser/overlay-world';
import { readOverlay } from '../../testkit/browser/captions';
import { startStaticServer } from '../../testkit/browser/static-server';
import { clickToolbarButton, pressStart } from '../../testkit/captions/start-captions';
import { waitForPlayback } from '../../testkit/captions/speech-page';
import type { FakeUtterance } from '../../testkit/upstream';
import { expectPhase, stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-forgery-e2e';
const SECRET = 'quillwort';
const SCRIPT: FakeUtterance[] = [{ speaker: 0, words: ['nobody', 'else', 'reads', SECRET] }];

const test = testWithFakeDeepgram(DEEPGRAM_KEY, SCRIPT);

/** What came back to a message sent from the content script: `answered` false when refused. */
interface Outcome {
  answered: boolean;
  value?: unknown;
  error?: string;
}

/** Sends `message` with chrome.runtime.sendMessage from `page`'s content-script world. */
async function sendFromContentScript(page: Page, message: object): Promise<Outcome> {
  return evaluateInOverlayWorld(
    page,
    async (_overlay, m) => {
      try {
        const value: unknown = await chrome.runtime.sendMessage(m);
        return value === undefined ? { answered: false } : { answered: true, value };
      } catch (error) {
        return { answered: false, error: String(error) };
      }
    },
    message,
    { answered: false, error: 'no content script in this page' },
  );
}

/** An extension page to read the toolbar and ask the background from, as the side panel does. */
async function extensionPage(app: LaunchedBrowser) {
  const page = await app.context.newPage();
  await page.goto(`chrome-extension://${app.extensionId}/options.html`);
  const toolbar = () => page.evaluate(async () => ({ badge: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) }));
  const send = (message: object) =>
    page.evaluate(async (m) => {
      try {
        return (await chrome.runtime.sendMessage(m));
      } catch {
        return undefined;
      }
    }, message);
  return { page, toolbar, send };
}

async function startOn(app: LaunchedBrowser, page: Page): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await pressStart(popup, 'tab');
    await expectPhase(popup, ['live'], 20_000);
  } finally {
    await popup.close();
  }
}

async function waitForSecret(page: Page): Promise<void> {
  await expect
    .poll(async () => (await readOverlay(page)).lines.some((line) => line.final && line.text.includes(SECRET)), { timeout: 45_000 })
    .toBe(true);
}

declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  action: { getBadgeText(details: object): Promise<string>; getTitle(details: object): Promise<string> };
};

test.describe('a content script', () => {
  test.setTimeout(180_000);

  test('cannot start, stop, forge or read: only its own tab hears of the live session', async ({ app, audio }) => {
    const server = await startStaticServer({
      '/talk.html': { html: '<!doctype html><title>Talk</title><audio id="speech" src="/speech.wav" autoplay loop></audio>' },
      '/speech.wav': { file: audio.page, contentType: 'audio/wav' },
    });
    const ext = await extensionPage(app);
    try {
      // Captions on tab B first, then on tab A: B keeps its content script, no longer captured.
      const other = await app.context.newPage();
      await other.goto(`${server.origin}/talk.html?tab=b`);
      await waitForPlayback(other);
      await startOn(app, other);
      await waitForSecret(other);
      await stopFromPopup(app, other);

      const captured = await app.context.newPage();
      await captured.goto(`${server.origin}/talk.html?tab=a`);
      await waitForPlayback(captured);
      await startOn(app, captured);
      await waitForSecret(captured);

      // The captured tab's overlay gets its live session through its one request (the channel works).
      const live = await sendFromContentScript(captured, { type: 'overlay/live-session' });
      expect(live.answered).toBe(true);
      expect(JSON.stringify(live.value)).toContain(SECRET);
      expect((live.value as { state: { phase: string } }).state.phase).toBe('live');

      // Another tab's content script learns nothing of it.
      expect(await sendFromContentScript(other, { type: 'overlay/live-session' })).toMatchObject({
        answered: true,
        value: { state: { phase: 'idle', startedAt: null }, transcript: { utterances: [], interims: [] } },
      });
      // Pages' requests, from content scripts: no answer at all.
      for (const page of [captured, other]) {
        for (const type of ['transcript/get', 'session/get']) {
          expect(await sendFromContentScript(page, { type }), `${type} from a content script`).toMatchObject({ answered: false });
        }
      }

      // Forged state and end: the toolbar stays as it was, the session goes on.
      const before = await ext.toolbar();
      expect(before.badge).not.toBe('');
      const forgedState = { phase: 'error', source: 'tab', tabId: null, startedAt: 1, error: { code: 'internal', message: 'FORGED by the page' }, warning: null };
      expect(await sendFromContentScript(captured, { type: 'session/state', state: forgedState })).toMatchObject({ answered: false });
      expect(await sendFromContentScript(captured, { type: 'session/ended', state: forgedState })).toMatchObject({ answered: false });
      expect(await sendFromContentScript(captured, { type: 'session/stop' })).toMatchObject({ answered: false });
      // An extension page may ask the background, but may not command the capture document.
      expect(await ext.send({ type: 'offscreen/get-transcript' })).toBeUndefined();
      expect(await ext.send({ type: 'offscreen/stop' })).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything forged would have landed by now
      expect(await ext.toolbar()).toEqual(before);
      expect(await ext.send({ type: 'session/get' })).toMatchObject({ phase: 'live' });

      await stopFromPopup(app, captured);
      const idle = await ext.toolbar();
      expect(idle.badge).toBe('');

      // Nothing live: the saved transcript is not for content scripts, and no start is obeyed.
      expect(JSON.stringify(await ext.send({ type: 'transcript/get' })), 'the saved transcript, as an extension page reads it').toContain(SECRET);
      expect(await sendFromContentScript(captured, { type: 'transcript/get' })).toMatchObject({ answered: false });
      expect(await sendFromContentScript(captured, { type: 'overlay/live-session' })).toMatchObject({
        answered: true,
        value: { state: { phase: 'idle' }, transcript: { utterances: [] } },
      });
      const tabId = (live.value as { state: { tabId: number } }).state.tabId;
      for (const message of [
        { type: 'session/start', source: 'mic', tabId },
        { type: 'session/start', source: 'tab', tabId },
        { type: 'permission/mic-granted' },
      ]) {
        expect(await sendFromContentScript(captured, message), message.type).toMatchObject({ answered: false });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await ext.toolbar()).toEqual(idle);
      expect(await ext.send({ type: 'session/get' })).toMatchObject({ phase: 'idle' });
    } finally {
      await ext.page.close();
      await server.close();
    }
  });
});
