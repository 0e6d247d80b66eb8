/**
 * First run, end to end, as a new user meets it: the install opens the welcome, the user fills in
 * the proxy URL and token, Test connection passes (and saves), "Try it on this sample" opens the
 * sample page, the toolbar button and Start caption it, and its words appear on the page. Then
 * the welcome stays reachable from the popup and from Options. Screenshots light and dark.
 */
import type { Page } from '@playwright/test';
import { launchWithExtension, type LaunchedBrowser } from '../../testkit/browser/launch';
import { clickToolbarButton, stopCaptions } from '../../testkit/captions/start-captions';
import { expect, test } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';

/** Words of the recording (public/sample/NOTICE.txt names it) that the local engine hears. */
const SAMPLE_WORDS = ['young', 'man', 'rather', 'cold', 'hearted', 'selfish', 'disposed', 'himself', 'might', 'even'];

async function pageAt(app: LaunchedBrowser, url: RegExp, timeoutMs: number): Promise<Page> {
  await expect.poll(() => app.context.pages().some((page) => url.test(page.url())), { timeout: timeoutMs, message: `a tab at ${url}` }).toBe(true);
  return app.context.pages().find((page) => url.test(page.url()))!;
}

test.describe('first run', () => {
  test.setTimeout(240_000);

  test('install opens the welcome; URL, token and a passing test set it up; the sample is captioned on its own page', async ({ captionProxy, proxyToken }, testInfo) => {
    const launched = await launchWithExtension({ headless: true });
    if (!launched.ok) throw new Error(launched.message);
    const app = launched.browser;
    try {
      // The install itself opened the welcome: nothing was clicked.
      const welcome = await pageAt(app, /options\.html#welcome$/, 15_000);
      const section = welcome.locator('[data-testid=welcome]');
      await expect(section).toContainText('captions proxy');
      await expect(section).toContainText('local engine');
      await expect(welcome.locator('[data-testid=try-sample]')).toHaveClass(/secondary/);
      await saveScreenshot(welcome, testInfo, 'first-run-welcome-light');

      await welcome.locator('#proxy-url').fill(captionProxy.url);
      await welcome.locator('#token').fill(proxyToken);
      await welcome.locator('#test-connection').click();
      await expect(welcome.locator('[data-testid=connection-result]')).toHaveAttribute('data-kind', 'ok', { timeout: 20_000 });
      await expect(welcome.locator('[data-testid=welcome-done]')).toContainText('Your settings are saved');
      // Saved without pressing Save: the sample's session needs them.
      await expect(welcome.locator('[data-testid=options-status]')).toHaveText('Saved');
      const stored = await welcome.evaluate(async () => {
        interface Area { get(key: string): Promise<Record<string, unknown>> }
        const api = (globalThis as unknown as { chrome: { storage: { sync: Area; local: Area } } }).chrome;
        return { settings: (await api.storage.sync.get('settings')).settings as { proxyUrl?: string }, token: (await api.storage.local.get('proxyToken')).proxyToken };
      });
      expect(stored.settings.proxyUrl).toBe(captionProxy.url);
      expect(stored.token).toBe(proxyToken);
      await expect(welcome.locator('[data-testid=try-sample]')).toHaveClass(/primary/);
      await welcome.emulateMedia({ colorScheme: 'dark' });
      await section.scrollIntoViewIfNeeded();
      await saveScreenshot(welcome, testInfo, 'first-run-welcome-done-dark');

      const opened = app.context.waitForEvent('page');
      await welcome.locator('[data-testid=try-sample]').click();
      const sample = await opened;
      await expect(sample).toHaveURL(/\/sample\.html$/);
      await expect(sample.locator('h1')).toHaveText('Try Captionist on this sample');
      await expect(sample.locator('[data-testid=sample-captions]')).toHaveText('Not captioning this tab yet.');
      await saveScreenshot(sample, testInfo, 'first-run-sample-waiting-light');

      // The toolbar button on the sample tab: its popup offers "This tab" there (the last source
      // started is none, the default is the tab anyway; lib/background/first-run.ts sourceForTab).
      const popup = await clickToolbarButton(app, sample);
      try {
        await popup.waitForEnabled('[data-testid=start]');
        expect(await popup.evaluate<string>(`document.querySelector('input[name=source]:checked')?.value ?? ''`)).toBe('tab');
        await popup.click('[data-testid=start]');
        const live = await popup.waitForPhase(['live'], 30_000);
        expect(live.ok, live.status.text).toBe(true);
      } finally {
        await popup.close();
      }

      // Live: the page plays its recording by itself, and shows what is heard.
      await expect.poll(() => sample.locator('[data-testid=sample-audio]').evaluate((audio: HTMLAudioElement) => !audio.paused && audio.currentTime > 0), {
        timeout: 10_000,
        message: 'the recording plays once captions are live',
      }).toBe(true);
      expect(await sample.locator('[data-testid=sample-audio]').evaluate((audio: HTMLAudioElement) => audio.loop)).toBe(true);
      const captions = sample.locator('[data-testid=sample-captions]');
      const heard = async () => {
        const text = ((await captions.textContent()) ?? '').toLowerCase();
        return SAMPLE_WORDS.filter((word) => new RegExp(`\\b${word}\\b`).test(text)).length;
      };
      try {
        await expect.poll(heard, { timeout: 90_000, message: 'words of the recording appear on the sample page' }).toBeGreaterThanOrEqual(3);
      } finally {
        await saveText(testInfo, 'sample-page.txt', await sample.locator('main').innerText());
      }
      await saveScreenshot(sample, testInfo, 'first-run-sample-captioned-light');
      await sample.emulateMedia({ colorScheme: 'dark' });
      await saveScreenshot(sample, testInfo, 'first-run-sample-captioned-dark');
      await stopCaptions(app, sample);

      // Set up: the popup no longer asks, and its "Getting started" still leads to the welcome.
      const popupPage = await app.context.newPage();
      await popupPage.goto(`chrome-extension://${app.extensionId}/popup.html`);
      await expect(popupPage.locator('[data-testid=start]')).toBeEnabled();
      await expect(popupPage.locator('[data-testid=setup-needed]')).toHaveCount(0);
      const again = app.context.waitForEvent('page');
      await popupPage.locator('[data-testid=getting-started]').click();
      await expect(await again).toHaveURL(/options\.html#welcome$/);

      // Options without the hash, once set up, shows a "Getting started" link instead of the welcome.
      const options = await app.context.newPage();
      await options.goto(`chrome-extension://${app.extensionId}/options.html`);
      await expect(options.locator('#proxy-url')).toHaveValue(captionProxy.url);
      await expect(options.locator('[data-testid=welcome]')).toHaveCount(0);
      await options.locator('[data-testid=show-welcome]').click();
      await expect(options.locator('[data-testid=welcome]')).toBeVisible();
    } finally {
      await app.close();
    }
  });
});
