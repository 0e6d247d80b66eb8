/**
 * The extension's lifecycle in a real Chromium, with the real proxy in front of a deterministic
 * upstream (testkit/upstream/hostile.ts, no garbage): words arrive every half second of
 * speech, so "captions keep flowing" is quick to see.
 *
 * - Chrome stops the service worker (here: over CDP, several times) in the middle of a session:
 *   captions keep coming, and the popup and side panel show the right state after each restart.
 * - The transcript survives the capture document closing and a browser restart (IndexedDB).
 * - The captured tab navigating to another site ends capture, and the user is told why.
 * - Failed starts (wrong proxy URL, two starts in a row, a chrome:// page, microphone denied) say
 *   so clearly and leave no capture document and no badge.
 */
import { chromium, type Page } from '@playwright/test';
import { readOverlay } from '../../testkit/browser/captions';
import { getTargets } from '../../testkit/browser/cdp-client';
import { CHROMIUM_BIN, chromiumArgs, type LaunchedBrowser } from '../../testkit/browser/launch';
import { startStaticServer } from '../../testkit/browser/static-server';
import { startFakeUpstream, type HostileUpstream } from '../../testkit/upstream';
import { clickToolbarButton, pressStart, startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { expectPhase, stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startSpeechPage, waitForPlayback } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'lifecycle-upstream-key-for-e2e';

const test = base.extend<{ upstream: HostileUpstream }>({
  upstream: async ({}, use) => {
    const upstream = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY });
    try {
      await use(upstream);
    } finally {
      await upstream.close();
    }
  },
  proxyEnv: async ({ upstream }, use) => {
    await use({ DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: upstream.url });
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The offscreen document's targets (Chromium lists it once as a page and once as its "tab"). */
async function captureDocuments(app: LaunchedBrowser): Promise<number> {
  const targets = await getTargets(app.cdp);
  return targets.filter((t) => t.type !== 'tab' && t.url === `chrome-extension://${app.extensionId}/offscreen.html`).length;
}

async function captureDocumentOpen(app: LaunchedBrowser): Promise<boolean> {
  return (await captureDocuments(app)) > 0;
}

/** Reads extension state as an extension page can: the badge text and the background's answers. */
async function extensionView(app: LaunchedBrowser): Promise<{ page: Page; badge(): Promise<string>; ask<T>(message: object): Promise<T> }> {
  const page = await app.context.newPage();
  await page.goto(`chrome-extension://${app.extensionId}/sidepanel.html`);
  // The page's own extension API (no types for `chrome` on this Node side).
  interface Chrome { action: { getBadgeText(d: object): Promise<string> }; runtime: { sendMessage(m: object): Promise<unknown> } }
  return {
    page,
    badge: () => page.evaluate(() => (globalThis as unknown as { chrome: Chrome }).chrome.action.getBadgeText({})),
    ask: <T>(message: object) =>
      page.evaluate((m) => (globalThis as unknown as { chrome: Chrome }).chrome.runtime.sendMessage(m), message) as Promise<T>,
  };
}

/** Final caption words shown so far, collected across polls (lines scroll away). */
async function collectFinals(page: Page, into: Set<string>): Promise<number> {
  const { lines } = await readOverlay(page);
  for (const line of lines) if (line.final) for (const word of line.text.split(/\s+/)) if (word) into.add(word);
  return into.size;
}

test.describe('extension lifecycle', () => {
  test('the service worker stopped three times mid-session: captions keep flowing, views stay right, nothing lost across a browser restart', async ({
    app,
    audio,
  }, testInfo) => {
    test.setTimeout(150_000);
    const speech = await startSpeechPage(audio.page, 'Captionist lifecycle test');
    try {
      const tab = await startCaptionsOnPlayingPage(app, speech.url);
      const seen = new Set<string>();
      await expect.poll(() => collectFinals(tab, seen), { timeout: 20_000, message: 'first captions' }).toBeGreaterThan(3);
      const step = (text: string) => console.log(`[lifecycle] ${new Date().toISOString().slice(11, 19)} ${text}`);
      step('captions flowing');

      const restarts: number[] = [];
      const workerTarget = async () =>
        (await getTargets(app.cdp)).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${app.extensionId}/`));
      // A restarted worker can come back under the same target id faster than a poll sees the gap,
      // so a new worker is recognised by its own clock origin, which no two workers share.
      const workerTimeOrigin = async (targetId: string): Promise<number | null> => {
        try {
          const { sessionId } = (await app.cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
          try {
            const answer = (await app.cdp.send('Runtime.evaluate', { expression: 'performance.timeOrigin', returnByValue: true }, sessionId)) as {
              result?: { value?: unknown };
            };
            return typeof answer.result?.value === 'number' ? answer.result.value : null;
          } finally {
            await app.cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
          }
        } catch {
          return null; // the worker went away while we asked
        }
      };
      for (let round = 0; round < 3; round++) {
        const target = await workerTarget();
        expect(target, 'a running service worker to stop').toBeDefined();
        const originBefore = await workerTimeOrigin(target!.targetId);
        expect(originBefore, 'the running worker answers').not.toBeNull();
        const stoppedAt = Date.now();
        // What Chrome does to an idle worker, forced: the worker and all its memory are gone.
        await app.cdp.send('Target.closeTarget', { targetId: target!.targetId });
        // The capture document's next message starts a new worker.
        await expect
          .poll(
            async () => {
              const now = await workerTarget();
              if (!now) return false;
              const origin = await workerTimeOrigin(now.targetId);
              return origin !== null && origin !== originBefore;
            },
            { timeout: 10_000, intervals: [100], message: 'a new service worker' },
          )
          .toBe(true);
        restarts.push(Date.now() - stoppedAt);
        step(`service worker stopped and restarted (${round + 1})`);
        const before = seen.size;
        await expect
          .poll(() => collectFinals(tab, seen), { timeout: 15_000, message: `new captions after service worker stop ${round + 1}` })
          .toBeGreaterThan(before + 3);
      }

      // Right state everywhere after the restarts: popup live, side panel live with the transcript.
      const popup = await clickToolbarButton(app, tab);
      try {
        await expectPhase(popup, ['live'], 5_000);
      } finally {
        await popup.close();
      }
      const panel = await openSidePanel(app.context, app.extensionId);
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 10_000 }).toBeGreaterThan(0);
      await expect(panel.locator('[data-testid=status]').first()).toHaveAttribute('data-phase', 'live');
      await saveScreenshot(panel, testInfo, 'side-panel-after-worker-restarts');

      step('views checked');
      await stopFromPopup(app, tab);
      step('stopped');
      const view = await extensionView(app);
      await expect.poll(() => captureDocumentOpen(app), { timeout: 10_000, message: 'capture document closed after the stop' }).toBe(false);
      expect(await view.badge()).toBe('');
      const shownWords = [...seen].filter((w) => /^w[0-9a-f]{10}$/.test(w));
      const saved = await view.ask<{ utterances: { text: string }[] }>({ type: 'transcript/get' });
      const savedText = saved.utterances.map((u) => u.text).join(' ');
      for (const word of shownWords) expect(savedText, `caption word ${word} saved`).toContain(word);
      // The panel opened before the stop still shows the whole transcript.
      expect((await readUtterances(panel)).map((u) => u.text).join(' ')).toContain(shownWords.at(-1) ?? '');
      await saveText(testInfo, 'lifecycle-figures.json', JSON.stringify({ workerRestartsMs: restarts, captionWords: shownWords.length }, null, 2));

      // A browser restart (same profile): storage.session is gone, the saved transcript is not.
      step('restarting the browser');
      await app.context.close();
      const again = await chromium.launchPersistentContext(app.userDataDir, {
        executablePath: CHROMIUM_BIN,
        headless: true,
        ignoreDefaultArgs: ['--mute-audio', '--disable-extensions'],
        args: chromiumArgs({ headless: true }),
      });
      try {
        const reopened = await again.newPage();
        await reopened.goto(`chrome-extension://${app.extensionId}/sidepanel.html`);
        await expect
          .poll(async () => (await readUtterances(reopened)).map((u) => u.text).join(' '), { timeout: 15_000, message: 'saved transcript after restart' })
          .toContain(shownWords[0] ?? 'nothing');
        const after = (await readUtterances(reopened)).map((u) => u.text).join(' ');
        for (const word of shownWords) expect(after).toContain(word);
      } finally {
        await again.close();
      }
    } finally {
      await speech.server.close();
    }
  });

  test('the captured tab going to another site ends capture and says why', async ({ app, audio }, testInfo) => {
    test.setTimeout(90_000);
    const speech = await startSpeechPage(audio.page, 'Captionist navigation test');
    const elsewhere = await startStaticServer({ '/elsewhere.html': { html: '<!doctype html><title>Elsewhere</title><p>Another site.</p>' } });
    try {
      const tab = await startCaptionsOnPlayingPage(app, speech.url);
      const seen = new Set<string>();
      await expect.poll(() => collectFinals(tab, seen), { timeout: 20_000 }).toBeGreaterThan(0);
      await tab.goto(`${elsewhere.origin}/elsewhere.html`);

      const view = await extensionView(app);
      await expect
        .poll(async () => (await view.ask<{ phase: string; error: { code: string } | null }>({ type: 'session/get' })).error?.code, {
          timeout: 15_000,
          message: 'session ended because the tab left the site',
        })
        .toBe('tab-navigated');
      await expect.poll(() => captureDocumentOpen(app), { timeout: 10_000 }).toBe(false);
      expect(await view.badge()).toBe('');
      // The new site got no overlay.
      expect((await readOverlay(tab)).mounted).toBe(false);
      // The popup says why.
      const popup = await clickToolbarButton(app, tab);
      try {
        const { status } = await popup.waitForPhase(['error'], 5_000);
        expect(status.phase).toBe('error');
        expect(status.text).toMatch(/another site/i);
      } finally {
        await popup.close();
      }
      await saveScreenshot(view.page, testInfo, 'side-panel-after-navigation');
    } finally {
      await elsewhere.close();
      await speech.server.close();
    }
  });

  test('failed starts say why and leave no capture document and no badge', async ({ app, audio, captionProxy }) => {
    test.setTimeout(90_000);
    const speech = await startSpeechPage(audio.page, 'Captionist failed starts');
    const results: Record<string, string> = {};
    try {
      const tab = await app.context.newPage();
      await tab.goto(speech.url);
      await waitForPlayback(tab);
      const view = await extensionView(app);
      const clean = async (what: string) => {
        await expect.poll(() => captureDocumentOpen(app), { timeout: 10_000, message: `${what}: no capture document` }).toBe(false);
        expect(await view.badge(), `${what}: no badge`).toBe('');
      };
      const startIn = async (page: Page, source: 'tab' | 'mic') => {
        const popup = await clickToolbarButton(app, page);
        try {
          // The popup opens showing how the last attempt ended; wait for this attempt's outcome.
          await sleep(300);
          const previous = (await popup.status()).text;
          await pressStart(popup, source);
          let status = await popup.status();
          const deadline = Date.now() + 15_000;
          while (Date.now() < deadline && !(status.phase === 'live' || (status.phase === 'error' && status.text !== previous))) {
            await sleep(150);
            status = await popup.status();
          }
          return status;
        } finally {
          await popup.close();
        }
      };

      // 1. A proxy URL where nothing listens: the socket gives up after its tries and the session ends.
      const options = await app.context.newPage();
      const setProxy = async (url: string) => {
        await options.goto(`chrome-extension://${app.extensionId}/options.html`);
        await options.locator('#proxy-url').fill(url);
        await options.locator('#save').click();
        await expect(options.locator('[data-testid=options-status]')).toContainText('Saved');
      };
      await setProxy('ws://127.0.0.1:9/v1/listen');
      let status = await startIn(tab, 'tab');
      await expect
        .poll(async () => (await view.ask<{ phase: string; error: { code: string; message: string } | null }>({ type: 'session/get' })).error?.code, {
          timeout: 20_000,
        })
        .toBe('proxy-unreachable');
      results.wrongUrl = (await view.ask<{ error: { message: string } }>({ type: 'session/get' })).error.message;
      expect(results.wrongUrl).toMatch(/127\.0\.0\.1:9/);
      await clean('wrong proxy URL');
      await setProxy(captionProxy.url);
      await options.close();

      // 2. Two starts in a row: one runs, the other says so; one document.
      const popup = await clickToolbarButton(app, tab);
      let answers: { ok: boolean; error?: { code: string; message: string } }[] = [];
      try {
        const tabId = await popup.evaluate<number>(`chrome.tabs.query({ active: true, currentWindow: true }).then(([t]) => t.id)`);
        answers = await popup.evaluate(
          `Promise.all([1, 2].map(() => chrome.runtime.sendMessage({ type: 'session/start', source: 'tab', tabId: ${tabId} })))`,
        );
      } finally {
        await popup.close();
      }
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(answers.find((a) => !a.ok)?.error?.code).toBe('already-running');
      results.twoStarts = answers.find((a) => !a.ok)?.error?.message ?? '';
      expect(await captureDocuments(app)).toBe(1);
      await stopFromPopup(app, tab);
      await clean('two starts');

      // 3. A chrome:// page cannot be captured.
      const chromePage = await app.context.newPage();
      await chromePage.goto('chrome://version/');
      status = await startIn(chromePage, 'tab');
      expect(status.phase).toBe('error');
      expect(status.text).toMatch(/chrome/i);
      results.chromePage = status.text;
      await clean('chrome:// page');
      await chromePage.close();

      // 4. The microphone blocked for the extension: a clear sentence, no permission tab opened.
      await app.cdp.send('Browser.setPermission', {
        permission: { name: 'microphone' },
        setting: 'denied',
        origin: `chrome-extension://${app.extensionId}`,
      });
      const pagesBefore = app.context.pages().length;
      status = await startIn(tab, 'mic');
      expect(status.phase).toBe('error');
      expect((await view.ask<{ error: { code: string } | null }>({ type: 'session/get' })).error?.code).toBe('mic-permission-denied');
      // Said from the capture document, which has no browser.i18n: a sentence, not a message key.
      expect(status.text).toMatch(/microphone/i);
      results.micDenied = status.text;
      await clean('microphone denied');
      await sleep(500);
      expect(app.context.pages().length).toBe(pagesBefore);
      console.log('[lifecycle] failed-start messages:', JSON.stringify(results));
    } finally {
      await speech.server.close();
    }
  });
});
