/**
 * The microphone path: Chromium's fake microphone plays the recorded speech (once per capture).
 * The first start has no permission yet (state "prompt"), so the extension opens its permission
 * page; allowing there starts captions on the tab the user started from.
 */
import { OverlayWatcher } from '../../testkit/browser/captions';
import { grantToExtension } from '../../testkit/browser/launch';
import { startStaticServer } from '../../testkit/browser/static-server';
import { startXvfb, typeKeys, type XDisplay } from '../../testkit/browser/x-display';
import { clickToolbarButton, pressStart } from '../../testkit/captions/start-captions';
import { checkSidePanelAndCopy, expectPhase, stopFromPopup, waitForReferenceWords } from './support/caption-flow';
import { openSidePanel } from './support/side-panel';
import { expect, test } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';

/** 6 of the reference's 13 content words (the fake mic's first clip alone gave 6 in trials). */
const MIN_CONTENT_WORDS = 6;

const NOTES_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meeting notes</title>
<style>body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; background: #eef2f6; color: #222; }</style></head>
<body><h1>Meeting notes</h1><p>Captions of the microphone should appear over this page.</p></body></html>`;

test.use({ fakeMic: true });

test.describe('microphone with the local engine', () => {
  test.setTimeout(150_000);

  test('asks for the microphone on a permission page the first time, then captions the fake microphone over the tab', async ({
    app,
    audio,
  }, testInfo) => {
    const server = await startStaticServer({ '/notes.html': { html: NOTES_PAGE } });
    try {
      const page = await app.context.newPage();
      await page.goto(`${server.origin}/notes.html`);

      // First start: no permission yet; the extension opens its permission page.
      const popup = await clickToolbarButton(app, page);
      try {
        await pressStart(popup, 'mic');
      } finally {
        // Chrome closes the popup itself when the permission tab takes focus.
        await popup.close();
      }
      const permissionUrl = `chrome-extension://${app.extensionId}/permission.html`;
      await expect
        .poll(() => app.context.pages().some((p) => p.url().startsWith(permissionUrl)), { timeout: 15_000, message: 'permission page opened' })
        .toBe(true);
      const permissionPage = app.context.pages().find((p) => p.url().startsWith(permissionUrl))!;
      await expect(permissionPage.locator('[data-testid=grant-mic]')).toBeVisible();
      await saveScreenshot(permissionPage, testInfo, 'permission-page');
      // Left unanswered, the popup says what to do once: the reason is a fact, the advice the step.
      // (The popup's page opened in a tab, to be screenshotted; it shows the same state.)
      const waiting = await app.context.newPage();
      try {
        await waiting.setViewportSize({ width: 380, height: 420 });
        await waiting.goto(`chrome-extension://${app.extensionId}/popup.html`);
        await expect(waiting.locator('[data-testid=status-advice]')).toContainText('Allow the microphone');
        await expect(waiting.locator('[data-testid=status]')).toContainText('no access to the microphone');
        await expect(waiting.locator('[data-testid=status]')).not.toContainText(/allow/i);
        await saveScreenshot(waiting, testInfo, 'popup-mic-unanswered');
      } finally {
        await waiting.close();
      }
      // Headless Chromium shows no prompt to click: the user's "Allow" is the permission set for
      // the extension's origin; the page's own getUserMedia then succeeds as after a real Allow.
      await grantToExtension(app, ['microphone']);
      await permissionPage.locator('[data-testid=grant-mic]').click();

      // Granting starts captions on the tab the user started from.
      const watcher = new OverlayWatcher(page);
      const { matched, lines } = await waitForReferenceWords(watcher, audio.referenceWords, MIN_CONTENT_WORDS, 60_000);
      testInfo.annotations.push({ type: 'overlay words matched', description: matched.join(' ') });
      await saveText(testInfo, 'overlay-lines.txt', lines.join('\n'));
      await saveScreenshot(page, testInfo, 'page-with-overlay');

      await checkSidePanelAndCopy(app, testInfo, audio.referenceWords, MIN_CONTENT_WORDS);
      await stopFromPopup(app, page);

      // Second start: the grant is remembered, so capture goes live with no permission page.
      const pagesBefore = new Set(app.context.pages());
      const again = await clickToolbarButton(app, page);
      try {
        await pressStart(again, 'mic');
        await expectPhase(again, ['live'], 20_000);
      } finally {
        await again.close();
      }
      const newPages = app.context.pages().filter((p) => !pagesBefore.has(p));
      expect(newPages.map((p) => p.url()).filter((url) => url.includes('/permission.html'))).toEqual([]);
      await stopFromPopup(app, page);
    } finally {
      await server.close();
    }
  });

  test('a first meeting start asks for the microphone, then starts the meeting on the tab it was started from, with a meter per input', async ({
    app,
  }, testInfo) => {
    const server = await startStaticServer({ '/notes.html': { html: NOTES_PAGE } });
    try {
      const page = await app.context.newPage();
      await page.goto(`${server.origin}/notes.html`);

      const popup = await clickToolbarButton(app, page);
      try {
        await pressStart(popup, 'tab-and-mic');
      } finally {
        await popup.close();
      }
      // The permission page carries the meeting, not only the tab.
      const permissionUrl = `chrome-extension://${app.extensionId}/permission.html`;
      await expect
        .poll(() => app.context.pages().some((p) => p.url().startsWith(permissionUrl)), { timeout: 15_000, message: 'permission page opened' })
        .toBe(true);
      const permissionPage = app.context.pages().find((p) => p.url().startsWith(permissionUrl))!;
      expect(new URL(permissionPage.url()).searchParams.get('source')).toBe('tab-and-mic');
      await expect(permissionPage.locator('[data-testid=meeting-explain]')).toContainText('"You"');
      await saveScreenshot(permissionPage, testInfo, 'permission-page-meeting');
      await grantToExtension(app, ['microphone']);
      await permissionPage.locator('[data-testid=grant-mic]').click();

      // The background starts the meeting from the permission page: the tab's stream id is asked for
      // again, with the permission tab in front and no new click on the toolbar button. The popup's
      // page (opened in a tab, which grants nothing) shows the outcome.
      const shown = await app.context.newPage();
      try {
        await shown.setViewportSize({ width: 320, height: 330 });
        await shown.goto(`chrome-extension://${app.extensionId}/popup.html`);
        const status = shown.locator('[data-testid=status]');
        // The phase with the status text, so a refused start says why (a tab capture error, for one).
        await expect
          .poll(async () => `${(await status.getAttribute('data-phase')) ?? ''}: ${(await status.textContent()) ?? ''}`, { timeout: 30_000 })
          .toMatch(/^live:/);
        await expect(shown.locator('input[name=source][value=tab-and-mic]')).toBeChecked();
        const meters = shown.locator('[data-testid=input-levels] [data-testid=level]');
        await expect(meters).toHaveCount(2);
        expect(await meters.evaluateAll((els) => els.map((el) => [el.getAttribute('data-input'), el.getAttribute('aria-label')]))).toEqual([
          ['tab', 'Tab input level'],
          ['mic', 'Your microphone input level'],
        ]);
        await expect(shown.locator('[data-testid=input-levels]')).toContainText('Your microphone');
        for (const scheme of ['light', 'dark'] as const) {
          await shown.emulateMedia({ colorScheme: scheme });
          await saveScreenshot(shown, testInfo, `popup-meeting-live-${scheme}`);
        }
      } finally {
        await shown.close();
      }
      const panel = await openSidePanel(app.context, app.extensionId);
      try {
        await expect(panel.locator('[data-testid=input-levels] [data-testid=level]')).toHaveCount(2);
        await saveScreenshot(panel, testInfo, 'side-panel-meeting-live');
      } finally {
        await panel.close();
      }
      await stopFromPopup(app, page);
    } finally {
      await server.close();
    }
  });
});

test.describe('the start shortcut after a meeting', () => {
  test.setTimeout(150_000);
  // Headed Chromium on its own Xvfb: only keys typed on the X display reach extension shortcuts
  // (tests/e2e/overlay.spec.ts says why).
  const keyboardTest = test.extend<{ xvfb: XDisplay }>({
    xvfb: async ({}, use) => {
      const started = await startXvfb();
      if (!started.ok) throw new Error(started.message);
      try {
        await use(started.x);
      } finally {
        await started.x.stop();
      }
    },
    xDisplay: async ({ xvfb }, use) => {
      await use(xvfb.display);
    },
  });

  keyboardTest('Alt+Shift+O starts a meeting again when the last start was a meeting, and stops it', async ({ app, xvfb }) => {
    const server = await startStaticServer({ '/notes.html': { html: NOTES_PAGE } });
    try {
      await grantToExtension(app, ['microphone']);
      const page = await app.context.newPage();
      await page.goto(`${server.origin}/notes.html`);
      const popup = await clickToolbarButton(app, page);
      try {
        await pressStart(popup, 'tab-and-mic');
        await expectPhase(popup, ['live'], 20_000);
      } finally {
        await popup.close();
      }
      await stopFromPopup(app, page);

      // The shortcut starts the last source on the tab in front; the popup opened afterwards shows
      // the running session (a click after the start grants nothing the start needed).
      await typeKeys(xvfb.display, await page.title(), 'alt+shift+o');
      const again = await clickToolbarButton(app, page);
      try {
        await expectPhase(again, ['live'], 20_000);
        expect(await again.evaluate<boolean>(`document.querySelector('input[name=source][value=tab-and-mic]').checked`)).toBe(true);
        expect(await again.evaluate<number>(`document.querySelectorAll('[data-testid=input-levels] [data-testid=level]').length`)).toBe(2);
      } finally {
        await again.close();
      }
      await typeKeys(xvfb.display, await page.title(), 'alt+shift+o');
      const after = await clickToolbarButton(app, page);
      try {
        await expectPhase(after, ['idle'], 15_000);
      } finally {
        await after.close();
      }
    } finally {
      await server.close();
    }
  });
});
