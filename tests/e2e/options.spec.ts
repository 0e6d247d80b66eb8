/**
 * The options page and the popup in the built extension: validation messages, settings that
 * persist and are split between storage.sync and storage.local (the token never syncs), "Test
 * connection" against the real proxy and against servers that fail in each way, and screenshots
 * of both pages in light and dark.
 */
import { writeFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import type { ActionPopup } from '../../testkit/browser/popup';
import { clickToolbarButton, pressStart } from '../../testkit/captions/start-captions';
import { expectPhase, stopFromPopup } from './support/caption-flow';
import { expect, test } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { startSpeechPage, waitForPlayback } from '../../testkit/captions/speech-page';
import { closedPort, startPlainHttpServer, startUntrustedTlsServer } from '../unit/connection-test-kit';
import { evaluateInOverlayWorld } from '../../testkit/browser/overlay-world';

const optionsUrl = (app: LaunchedBrowser) => `chrome-extension://${app.extensionId}/options.html`;

async function openOptions(app: LaunchedBrowser): Promise<Page> {
  const page = await app.context.newPage();
  await page.goto(optionsUrl(app));
  await expect(page.locator('#proxy-url')).toBeVisible();
  return page;
}

/** Everything in the extension's storage areas, read from one of its pages. */
async function readStorage(page: Page): Promise<{ sync: Record<string, unknown>; local: Record<string, unknown> }> {
  return page.evaluate(async () => {
    interface Area { get(keys: null): Promise<Record<string, unknown>> }
    const api = (globalThis as unknown as { chrome: { storage: { sync: Area; local: Area } } }).chrome;
    return { sync: await api.storage.sync.get(null), local: await api.storage.local.get(null) };
  });
}

/** Presses Test connection and returns the result's kind and text once it is done. */
async function testConnection(page: Page): Promise<{ kind: string; text: string }> {
  await page.locator('#test-connection').click();
  const result = page.locator('[data-testid=connection-result]');
  await expect(result).not.toHaveAttribute('data-kind', /^(running|idle)$/, { timeout: 20_000 });
  return { kind: (await result.getAttribute('data-kind')) ?? '', text: (await result.textContent()) ?? '' };
}

async function screenshotPopupTarget(app: LaunchedBrowser, popup: ActionPopup, testInfo: TestInfo, name: string, scheme: 'light' | 'dark') {
  await app.cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] }, popup.sessionId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const shot = (await app.cdp.send('Page.captureScreenshot', { format: 'png' }, popup.sessionId)) as { data: string };
  const file = testInfo.outputPath(`${name}.png`);
  await writeFile(file, Buffer.from(shot.data, 'base64'));
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

test.describe('options page', () => {
  test.setTimeout(120_000);

  test('validates fields with clear messages, persists settings, and keeps the token out of sync', async ({ app, captionProxy, proxyToken }, testInfo) => {
    const page = await openOptions(app);
    // The fixture configured the proxy through this page (#proxy-url, #token, #save, "Saved").
    await expect(page.locator('#proxy-url')).toHaveValue(captionProxy.url);
    await expect(page.locator('#token')).toHaveValue(proxyToken);

    // The language is a menu now (nothing to mistype there): the proxy URL is the first field to fix.
    await page.locator('#proxy-url').fill('http://captions.example.com');
    await page.locator('#endpointing').fill('99999');
    await page.locator('#keep-days').fill('0');
    await page.locator('#save').click();
    const status = page.locator('[data-testid=options-status]');
    await expect(status).toHaveText('Not saved: 3 fields need fixing. The first has the focus; each says what is wrong.');
    await expect(page.locator('#proxy-url')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#proxy-url-help')).toHaveText(/must start with wss:\/\//);
    await expect(page.locator('#endpointing-help')).toHaveText('Enter a whole number of milliseconds from 10 to 5000.');
    await expect(page.locator('#keep-days-help')).toHaveText('Enter a whole number of days from 1 to 3650.');
    await expect(page.locator('#proxy-url')).toBeFocused();
    await saveScreenshot(page, testInfo, 'options-validation-light');

    // Fixed fields clear at once; the rest is done with the keyboard only.
    await page.locator('#proxy-url').fill(captionProxy.url);
    await expect(page.locator('#proxy-url')).toHaveAttribute('aria-invalid', 'false');
    await page.locator('#language').selectOption('en-GB');
    await expect(page.locator('#language option:checked')).toHaveText('British English');
    await page.locator('#endpointing').fill('450');
    await page.locator('#keep-days').fill('14');
    await page.locator('#keyterms').fill('Dana Scully\nCaptionist, WXT');
    await page.locator('#diarize').focus();
    await page.keyboard.press('Space');
    await page.locator('#caption-font-size').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('output[for=caption-font-size]')).toHaveText('28 px');
    await expect(status).toHaveText('');
    await page.locator('#endpointing').press('Enter'); // Enter in a field submits the form
    await expect(status).toHaveText('Saved');

    await page.reload();
    await expect(page.locator('#language')).toHaveValue('en-GB');
    await expect(page.locator('#endpointing')).toHaveValue('450');
    await expect(page.locator('#keyterms')).toHaveValue('Dana Scully\nCaptionist\nWXT');
    await expect(page.locator('#diarize')).not.toBeChecked();
    await expect(page.locator('#keep-days')).toHaveValue('14');
    await expect(page.locator('output[for=caption-font-size]')).toHaveText('28 px');

    const stored = await readStorage(page);
    expect(JSON.stringify(stored.sync)).not.toContain(proxyToken);
    expect(stored.sync.settings).toMatchObject({
      proxyUrl: captionProxy.url,
      language: 'en-GB',
      endpointingMs: 450,
      keyterms: ['Dana Scully', 'Captionist', 'WXT'],
      diarize: false,
    });
    expect(stored.sync.settings).not.toHaveProperty('token');
    expect(stored.sync.overlayAppearance).toMatchObject({ fontSize: 28 });
    expect(stored.local.historyRetention).toMatchObject({ maxDays: 14 });
    expect(stored.local.proxyToken).toBe(proxyToken);
    expect(stored.local).not.toHaveProperty('settings');
    await page.close();
  });

  test('the default source and the microphone settings are saved, and the popup offers the third source from them or from the last start', async ({
    app,
  }, testInfo) => {
    const page = await openOptions(app);
    await expect(page.locator('#default-capture-source input[value=tab]')).toBeChecked();
    await expect(page.locator('#default-capture-source')).toContainText('This tab and my microphone');
    for (const id of ['mic-echo-cancellation', 'mic-noise-suppression', 'mic-auto-gain-control']) {
      await expect(page.locator(`#${id}`), id).toBeChecked();
      await expect(page.locator(`#${id}-help`), id).toHaveText(/\w+ .+\.$/);
    }
    await page.locator('#default-capture-source input[value=tab-and-mic]').check();
    await page.locator('#mic-noise-suppression').uncheck();
    await page.locator('#save').click();
    await expect(page.locator('[data-testid=options-status]')).toHaveText('Saved');
    expect((await readStorage(page)).sync.settings).toMatchObject({
      defaultCaptureSource: 'tab-and-mic',
      micEchoCancellation: true,
      micNoiseSuppression: false,
      micAutoGainControl: true,
    });
    await page.locator('#audio-title').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'options-audio-light');

    // The popup offers the saved default, with the three sources and a word on headphones.
    const popup = await app.context.newPage();
    await popup.setViewportSize({ width: 320, height: 360 });
    await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
    await expect(popup.locator('input[name=source]')).toHaveCount(3);
    await expect(popup.locator('input[name=source][value=tab-and-mic]')).toBeChecked();
    await expect(popup.locator('[data-testid=meeting-hint]')).toContainText('Headphones');
    for (const scheme of ['light', 'dark'] as const) {
      await popup.emulateMedia({ colorScheme: scheme });
      await saveScreenshot(popup, testInfo, `popup-meeting-idle-${scheme}`);
    }
    await popup.emulateMedia({ colorScheme: 'light' });

    // A microphone session was started since (as the background records every start): the popup
    // offers the microphone again rather than the default.
    await popup.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome.storage.local.set({ lastCaptureSource: 'mic' }));
    await popup.reload();
    await expect(popup.locator('input[name=source][value=mic]')).toBeChecked();
    await expect(popup.locator('[data-testid=meeting-hint]')).toHaveCount(0);

    // A new default saved in Options is the newest choice: the popup follows it.
    await page.locator('#default-capture-source input[value=tab]').check();
    await page.locator('#save').click();
    await expect(page.locator('[data-testid=options-status]')).toHaveText('Saved');
    expect((await readStorage(page)).local).not.toHaveProperty('lastCaptureSource');
    await popup.reload();
    await expect(popup.locator('input[name=source][value=tab]')).toBeChecked();
    await popup.close();
    await page.close();
  });

  test('Test connection says what works and exactly what fails', async ({ app, captionProxy, proxyToken }, testInfo) => {
    const page = await openOptions(app);
    const host = new URL(captionProxy.url).host;
    const ok = await testConnection(page);
    expect(ok.kind, ok.text).toBe('ok');
    expect(ok.text).toContain(`Connected to ${host}: the token works, and the proxy uses its local offline engine.`);
    expect(ok.text).toMatch(/much less accurate than Deepgram/);
    await saveScreenshot(page, testInfo, 'options-test-ok');

    await page.locator('#token').fill('not-the-right-token');
    const bad = await testConnection(page);
    expect(bad.kind, bad.text).toBe('unauthorized');
    expect(bad.text).toContain(`Token refused (401): ${host} refused the token.`);
    await saveScreenshot(page, testInfo, 'options-test-bad-token');
    await page.locator('#token').fill(proxyToken);

    const port = await closedPort();
    await page.locator('#proxy-url').fill(`ws://127.0.0.1:${port}/v1/listen`);
    const unreachable = await testConnection(page);
    expect(unreachable.kind, unreachable.text).toBe('unreachable');
    expect(unreachable.text).toContain(`Nothing answers at 127.0.0.1:${port}`);

    await page.locator('#proxy-url').fill('wss://captions.invalid/v1/listen');
    const unknownHost = await testConnection(page);
    expect(unknownHost.kind, unknownHost.text).toBe('unreachable');

    const tls = await startUntrustedTlsServer();
    const web = await startPlainHttpServer();
    try {
      await page.locator('#proxy-url').fill(`wss://127.0.0.1:${tls.port}/v1/listen`);
      const untrusted = await testConnection(page);
      expect(untrusted.kind, untrusted.text).toBe('tls');
      await saveScreenshot(page, testInfo, 'options-test-tls');

      await page.locator('#proxy-url').fill(`ws://127.0.0.1:${web.port}/v1/listen`);
      const wrong = await testConnection(page);
      expect(wrong.kind, wrong.text).toBe('wrong-protocol');
    } finally {
      await tls.close();
      await web.close();
    }
    await page.close();
  });

  test('first run: the popup says "Set up Captionist first", its button opens the welcome, which walks to a passing Test connection', async ({ app, captionProxy, proxyToken }, testInfo) => {
    // A fresh install: nothing stored (the fixture's settings go), so the default proxy URL, no
    // token, and no check ever made.
    const blank = await openOptions(app);
    await blank.evaluate(async () => {
      interface Area { clear(): Promise<void> }
      const api = (globalThis as unknown as { chrome: { storage: { sync: Area; local: Area } } }).chrome;
      await api.storage.sync.clear();
      await api.storage.local.clear();
    });
    await blank.close();

    const popup = await app.context.newPage();
    await popup.setViewportSize({ width: 320, height: 420 });
    await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
    const setup = popup.locator('[data-testid=setup-needed]');
    await expect(setup).toContainText('Set up Captionist first.');
    // Nothing answers at the default address: the note stays once the popup's own check is done.
    await popup.waitForTimeout(3_500);
    await expect(setup).toBeVisible();
    await saveScreenshot(popup, testInfo, 'popup-first-run-light');
    await popup.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(popup, testInfo, 'popup-first-run-dark');

    const opened = app.context.waitForEvent('page');
    await popup.locator('[data-testid=set-up]').click();
    const welcome = await opened;
    await expect(welcome).toHaveURL(/options\.html#welcome$/);
    const section = welcome.locator('[data-testid=welcome]');
    await expect(section).toContainText('captions proxy');
    await expect(section).toContainText('local engine');
    await expect(section.locator('li')).toHaveCount(4);
    await saveScreenshot(welcome, testInfo, 'options-welcome-light');

    await welcome.locator('#proxy-url').fill(captionProxy.url);
    await welcome.locator('#token').fill(proxyToken);
    const passed = await testConnection(welcome);
    expect(passed.kind, passed.text).toBe('ok');
    await expect(welcome.locator('[data-testid=welcome-done]')).toContainText('Captionist is set up.');
    await welcome.locator('#save').click();
    await expect(welcome.locator('[data-testid=options-status]')).toHaveText('Saved');
    await welcome.emulateMedia({ colorScheme: 'dark' });
    await section.scrollIntoViewIfNeeded();
    await saveScreenshot(welcome, testInfo, 'options-welcome-done-dark');
    await welcome.close();

    // Set up: the popup no longer asks, and Start is there.
    await popup.reload();
    await expect(popup.locator('[data-testid=start]')).toBeEnabled();
    await popup.waitForTimeout(1_000);
    await expect(setup).toHaveCount(0);
    await popup.close();
  });

  test('the popup warns before Start when the proxy refuses the saved token', async ({ app, captionProxy }, testInfo) => {
    const options = await openOptions(app);
    await options.locator('#token').fill('revoked-token-42');
    await options.locator('#save').click();
    await expect(options.locator('[data-testid=options-status]')).toHaveText('Saved');
    await options.close();

    const popup = await app.context.newPage();
    await popup.setViewportSize({ width: 320, height: 420 });
    await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
    const problem = popup.locator('[data-testid=proxy-problem]');
    await expect(problem).toContainText(`${new URL(captionProxy.url).host} refused the token.`);
    await expect(problem.getByRole('button', { name: 'Open settings' })).toBeVisible();
    await expect(popup.locator('[data-testid=engine-note]')).toHaveCount(0);
    await saveScreenshot(popup, testInfo, 'popup-token-refused-light');
    await popup.close();
  });

  test('a refused token reads the same in the popup and the overlay, and the error goes once the token is fixed', async ({ app, audio, captionProxy, proxyToken }) => {
    test.setTimeout(150_000);
    const host = new URL(captionProxy.url).host;
    const options = await openOptions(app);
    await options.locator('#token').fill('revoked-token-42');
    await options.locator('#save').click();
    await expect(options.locator('[data-testid=options-status]')).toHaveText('Saved');
    const speech = await startSpeechPage(audio.page, 'Captionist refused token');
    try {
      const page = await app.context.newPage();
      await page.goto(speech.url);
      await waitForPlayback(page);
      const popup = await clickToolbarButton(app, page);
      try {
        await pressStart(popup, 'tab');
        // The browser hides the 401; the session asks the proxy why before it fails.
        const failed = await expectPhase(popup, ['error'], 30_000);
        expect(failed.text).toContain(`${host} refused the token.`);
        expect(failed.text).not.toMatch(/Could not connect/);
      } finally {
        await popup.close();
      }
      const notice = () =>
        evaluateInOverlayWorld(page, (overlay) => overlay?.root.querySelector('[data-testid="caption-notice"]')?.textContent ?? '', undefined, '');
      await expect.poll(notice, { timeout: 10_000 }).toContain(`${host} refused the token.`);

      // The token is fixed in Options: the overlay and the popup no longer show the old error.
      await options.locator('#token').fill(proxyToken);
      await options.locator('#save').click();
      await expect(options.locator('[data-testid=options-status]')).toHaveText('Saved');
      await expect.poll(notice, { timeout: 10_000 }).toBe('');
      const after = await clickToolbarButton(app, page);
      try {
        await expectPhase(after, ['idle'], 10_000);
      } finally {
        await after.close();
      }
    } finally {
      await speech.server.close();
      await options.close();
    }
  });

  test('screenshots: options and popup in light and dark, idle, live and reconnecting', async ({ app, audio, captionProxy }, testInfo) => {
    test.setTimeout(150_000);
    const options = await openOptions(app);
    await options.locator('#test-connection').click();
    await expect(options.locator('[data-testid=connection-result]')).toHaveAttribute('data-kind', 'ok', { timeout: 20_000 });
    for (const scheme of ['light', 'dark'] as const) {
      await options.emulateMedia({ colorScheme: scheme });
      await options.locator('#language').focus(); // a visible focus ring in the picture
      // A viewport as tall as the page (not fullPage), so the sticky Save bar sits at the bottom.
      const height = await options.evaluate(() => document.documentElement.scrollHeight);
      await options.setViewportSize({ width: 900, height: Math.min(height + 20, 4000) });
      const file = testInfo.outputPath(`options-${scheme}.png`);
      await options.screenshot({ path: file });
      await testInfo.attach(`options-${scheme}`, { path: file, contentType: 'image/png' });
    }
    await options.close();

    const idle = await app.context.newPage();
    await idle.setViewportSize({ width: 320, height: 380 });
    await idle.goto(`chrome-extension://${app.extensionId}/popup.html`);
    await expect(idle.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'idle');
    // Test connection found the local engine for this proxy URL: the popup says so plainly.
    await expect(idle.locator('[data-testid=engine-note]')).toContainText('much less accurate than with Deepgram');
    for (const scheme of ['light', 'dark'] as const) {
      await idle.emulateMedia({ colorScheme: scheme });
      await saveScreenshot(idle, testInfo, `popup-idle-${scheme}`);
    }
    await idle.close();

    const speech = await startSpeechPage(audio.page, 'Captionist popup screenshots');
    try {
      const page = await app.context.newPage();
      await page.goto(speech.url);
      await waitForPlayback(page);
      const popup = await clickToolbarButton(app, page);
      try {
        await pressStart(popup, 'tab');
        await expectPhase(popup, ['live'], 20_000);
        // Let the clock and the level meter move.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const live = await popup.evaluate<{ elapsed: string; level: number }>(
          `({ elapsed: document.querySelector('[data-testid=elapsed]')?.textContent ?? '', level: Number(document.querySelector('[data-testid=level]')?.getAttribute('data-peak') ?? 0) })`,
        );
        expect(live.elapsed).toMatch(/0:0[1-9]$/);
        await screenshotPopupTarget(app, popup, testInfo, 'popup-live-light', 'light');
        await screenshotPopupTarget(app, popup, testInfo, 'popup-live-dark', 'dark');

        // The proxy goes away: the popup says it is reconnecting, and why.
        await captionProxy.stop();
        const lost = await expectPhase(popup, ['connecting', 'error'], 20_000);
        const shown = await popup.evaluate<string>(`document.querySelector('[data-testid=status]').getAttribute('data-status')`);
        testInfo.annotations.push({ type: 'popup after the proxy stopped', description: `${shown}: ${lost.text}` });
        expect(shown).toMatch(/reconnecting|error/);
        await screenshotPopupTarget(app, popup, testInfo, 'popup-reconnecting-light', 'light');
        await screenshotPopupTarget(app, popup, testInfo, 'popup-reconnecting-dark', 'dark');
      } finally {
        await popup.close();
      }
      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });
});
