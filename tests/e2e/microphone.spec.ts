/**
 * The microphone path: Chromium's fake microphone plays the recorded speech (once per capture).
 * The first start has no permission yet, so the extension opens its permission page; granting
 * there starts captions on the tab the user started from.
 */
import { OverlayWatcher } from '../../scripts/browser/captions';
import { startStaticServer } from '../../scripts/browser/static-server';
import { checkSidePanelAndCopy, clickToolbarButton, expectPhase, startFromPopup, stopFromPopup, waitForReferenceWords } from './support/caption-flow';
import { expect, test } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';

const MIN_CONTENT_WORDS = 5;

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
      const permissionOpened = app.context.waitForEvent('page', {
        predicate: (p) => p.url().startsWith(`chrome-extension://${app.extensionId}/permission.html`),
        timeout: 15_000,
      });
      const popup = await clickToolbarButton(app, page);
      let firstStatus;
      try {
        await startFromPopup(popup, 'mic');
        firstStatus = await expectPhase(popup, ['error'], 15_000);
      } finally {
        await popup.close();
      }
      expect(firstStatus.text).toMatch(/allow the microphone/i);
      const permissionPage = await permissionOpened;
      await permissionPage.locator('[data-testid=grant-mic]').click();

      // Granting starts captions on the tab the user started from.
      const watcher = new OverlayWatcher(page);
      const { matched, lines } = await waitForReferenceWords(watcher, audio.referenceWords, MIN_CONTENT_WORDS, 60_000);
      testInfo.annotations.push({ type: 'overlay words matched', description: matched.join(' ') });
      await testInfo.attach('overlay-lines.txt', { body: lines.join('\n'), contentType: 'text/plain' });
      await saveScreenshot(page, testInfo, 'page-with-overlay');

      await checkSidePanelAndCopy(app, testInfo, audio.referenceWords, MIN_CONTENT_WORDS);
      await stopFromPopup(app, page);

      // Second start: the grant is remembered, so capture goes live with no permission page.
      const pagesBefore = new Set(app.context.pages());
      const again = await clickToolbarButton(app, page);
      try {
        await startFromPopup(again, 'mic');
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
});
