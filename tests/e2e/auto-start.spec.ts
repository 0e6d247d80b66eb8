/**
 * "Start captions when I open this site": the popup's switch on a local page, what happens when
 * the page loads again (a tab's audio needs the user's key press or click: the toolbar button
 * invites it; the microphone starts by itself), and removal in Options, after which nothing starts.
 *
 * Chrome asks the user for the site's host permission when the switch is turned on, in a dialog
 * that automation cannot answer. This test's copy of the build is granted the loopback host up
 * front, so the request resolves at once as it does after a user's "Allow"; everything else is the
 * real build.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { EXTENSION_DIR, grantToExtension, launchWithExtension, type LaunchedBrowser } from '../../testkit/browser/launch';
import { configureExtension } from '../../testkit/browser/options-page';
import type { ActionPopup, PopupPhase } from '../../testkit/browser/popup';
import { startStaticServer } from '../../testkit/browser/static-server';
import { clickToolbarButton, pressStart, stopCaptions } from '../../testkit/captions/start-captions';
import { expect, test } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';

async function buildGrantingLoopback(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'captionist-autostart-build-'));
  await cp(EXTENSION_DIR, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest.host_permissions = ['http://127.0.0.1/*'];
  await writeFile(manifestPath, JSON.stringify(manifest));
  return dir;
}

async function screenshotPopup(app: LaunchedBrowser, popup: ActionPopup, testInfo: TestInfo, name: string, scheme: 'light' | 'dark'): Promise<void> {
  await app.cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] }, popup.sessionId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const shot = (await app.cdp.send('Page.captureScreenshot', { format: 'png' }, popup.sessionId)) as { data: string };
  const file = testInfo.outputPath(`${name}.png`);
  await writeFile(file, Buffer.from(shot.data, 'base64'));
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** The tab's own badge text and tooltip, as the service worker reads them. */
async function actionOf(app: LaunchedBrowser, url: string): Promise<{ badge: string; title: string }> {
  return app.serviceWorker.evaluate(async (pageUrl) => {
    interface Api {
      tabs: { query(q: { url: string }): Promise<{ id?: number }[]> };
      action: { getBadgeText(d: { tabId: number }): Promise<string>; getTitle(d: { tabId: number }): Promise<string> };
    }
    const api = (globalThis as unknown as { chrome: Api }).chrome;
    const [tab] = await api.tabs.query({ url: pageUrl });
    if (tab?.id === undefined) return { badge: '(no tab)', title: '' };
    return { badge: await api.action.getBadgeText({ tabId: tab.id }), title: await api.action.getTitle({ tabId: tab.id }) };
  }, url);
}

async function phaseOn(app: LaunchedBrowser, page: Page, phases: PopupPhase[], timeoutMs: number): Promise<string> {
  const popup = await clickToolbarButton(app, page);
  try {
    const seen = await popup.waitForPhase(phases, timeoutMs);
    expect(seen.ok, `popup phase ${seen.status.phase}: ${seen.status.text}`).toBe(true);
    return seen.status.text;
  } finally {
    await popup.close();
  }
}

test.describe('per-site start', () => {
  test.setTimeout(240_000);

  test('the switch lists the site; a tab capture is invited on the next load, the microphone starts by itself; removal in Options stops it', async ({ captionProxy, proxyToken, audio }, testInfo) => {
    const dir = await buildGrantingLoopback();
    const server = await startStaticServer({ '/weekly.html': { html: '<!doctype html><title>Weekly meeting</title><h1>Weekly meeting</h1><p>The meeting page.</p>' } });
    const launched = await launchWithExtension({ headless: true, extensionDir: dir, fakeMic: { wav: audio.mic, once: false } });
    if (!launched.ok) throw new Error(launched.message);
    const app = launched.browser;
    try {
      const configured = await configureExtension(app.context, app.extensionId, { proxyUrl: captionProxy.url, token: proxyToken });
      if (!configured.ok) throw new Error(configured.message);
      await grantToExtension(app, ['microphone']);
      const url = `${server.origin}/weekly.html`;
      let page = await app.context.newPage();
      await page.goto(url);

      // Off by default; on with one click (the host permission is granted, see above).
      const popup = await clickToolbarButton(app, page);
      try {
        await popup.waitForEnabled('[data-testid=auto-start-switch]');
        expect(await popup.evaluate<boolean>(`document.querySelector('[data-testid=auto-start-switch]').checked`)).toBe(false);
        await popup.click('[data-testid=auto-start-switch]');
        await expect.poll(() => popup.evaluate<boolean>(`document.querySelector('[data-testid=auto-start-switch]').checked`), { timeout: 5_000 }).toBe(true);
        await screenshotPopup(app, popup, testInfo, 'auto-start-popup-light', 'light');
        await screenshotPopup(app, popup, testInfo, 'auto-start-popup-dark', 'dark');
      } finally {
        await popup.close();
      }

      // Next week's meeting, in a new tab. The source is the default, the tab: Chrome refuses a tab
      // nobody invoked the extension on, so the load ends with the invitation on the tab's button,
      // and nothing captured. (The tab clicked above would start: Chrome keeps a click's grant
      // across a reload on the same site.)
      await page.close();
      page = await app.context.newPage();
      await page.goto(url);
      await expect.poll(async () => (await actionOf(app, url)).badge, { timeout: 15_000, message: 'the tab invites a key press' }).toBe('▶');
      expect((await actionOf(app, url)).title).toContain('Alt+Shift+O');
      await saveScreenshot(page, testInfo, 'auto-start-tab-invited');
      // Taking it up (the toolbar button and Start, as Alt+Shift+O would): live, the invitation gone.
      const start = await clickToolbarButton(app, page);
      try {
        await pressStart(start, 'tab');
        const live = await start.waitForPhase(['live'], 30_000);
        expect(live.ok, live.status.text).toBe(true);
      } finally {
        await start.close();
      }
      await expect.poll(async () => (await actionOf(app, url)).badge, { timeout: 5_000 }).toBe('ON');
      await stopCaptions(app, page);

      // The microphone, once started by the user, is the source from now on: the next load starts it alone.
      const mic = await clickToolbarButton(app, page);
      try {
        await pressStart(mic, 'mic');
        expect((await mic.waitForPhase(['live'], 30_000)).ok).toBe(true);
      } finally {
        await mic.close();
      }
      await stopCaptions(app, page);
      await page.close();
      page = await app.context.newPage();
      await page.goto(url);
      // Live without a click: checked on the tab's own badge before the popup (a click) is opened.
      await expect.poll(async () => (await actionOf(app, url)).badge, { timeout: 30_000, message: 'the microphone starts by itself' }).toBe('ON');
      await phaseOn(app, page, ['live'], 30_000);
      await saveScreenshot(page, testInfo, 'auto-start-mic-live');
      await stopCaptions(app, page);

      // Options lists the site; Remove takes it away at once, and the next load starts nothing.
      const options = await app.context.newPage();
      await options.goto(`chrome-extension://${app.extensionId}/options.html`);
      const list = options.locator('[data-testid=auto-start-sites]');
      await expect(list).toContainText(server.origin);
      await list.scrollIntoViewIfNeeded();
      await saveScreenshot(options, testInfo, 'auto-start-options-light');
      await options.emulateMedia({ colorScheme: 'dark' });
      await saveScreenshot(options, testInfo, 'auto-start-options-dark');
      await options.getByRole('button', { name: `Remove ${server.origin}` }).click();
      await expect(options.locator('[data-testid=auto-start-empty]')).toBeVisible();
      const stored = await options.evaluate(async () => {
        const api = (globalThis as unknown as { chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome;
        return (await api.storage.local.get('autoStartSites')).autoStartSites;
      });
      expect(stored).toEqual([]);
      await page.close();
      page = await app.context.newPage();
      await page.goto(url);
      await page.waitForTimeout(3_000);
      expect((await actionOf(app, url)).badge).toBe('');
      await phaseOn(app, page, ['idle'], 5_000);
    } finally {
      await app.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
