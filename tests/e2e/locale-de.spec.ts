/**
 * The extension in German: Chromium started with --lang=de (and LANGUAGE=de) picks
 * public/_locales/de, and the popup, the side panel, the words lib/transcript writes ("Sprecher 1",
 * export headings) and the dates (Intl, in the UI language) are German. A real session against a
 * fake Deepgram upstream gives the panel two speakers and something to export. Screenshots kept.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { CHROMIUM_BIN } from '../../testkit/browser/launch';
import { clickToolbarButton, startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-german-e2e';
const PAGE_TITLE = 'Wochenbesprechung';
/** "25.11.2026, 14:03": how German writes a date and time (the panel's history, export headers). */
const GERMAN_DATE_TIME = /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/;

const test = testWithFakeDeepgram(DEEPGRAM_KEY, [
  { speaker: 0, words: ['guten', 'morgen', 'zusammen'] },
  { speaker: 1, words: ['danke', 'das', 'budget', 'steht'] },
]);
test.use({ browserLanguage: 'de' });

async function exportMarkdown(panel: Page): Promise<{ name: string; content: string }> {
  await panel.locator('[data-testid=export-menu] summary').click();
  const [download] = await Promise.all([panel.waitForEvent('download', { timeout: 10_000 }), panel.locator('[data-testid=export-md]').click()]);
  return { name: download.suggestedFilename(), content: await readFile(await download.path(), 'utf8') };
}

test.describe('German locale', () => {
  test.setTimeout(150_000);

  test('popup, side panel, labels, dates and an export are German', async ({ app, audio }, testInfo) => {
    // Chromium's UI language (and so chrome.i18n's) can only be one it has resources for: Debian
    // ships them apart from the browser (scripts/install-deps.sh installs chromium-l10n).
    const germanPak = path.join(path.dirname(CHROMIUM_BIN), 'locales', 'de.pak');
    expect(existsSync(germanPak), `${germanPak} is missing: apt-get install chromium-l10n`).toBe(true);
    const speech = await startSpeechPage(audio.page, PAGE_TITLE);
    try {
      const page = await startCaptionsOnPlayingPage(app, speech.url);

      // The real popup, live: its document and its buttons speak German.
      const popup = await clickToolbarButton(app, page);
      try {
        await popup.waitForEnabled('[data-testid=stop]');
        expect(await popup.evaluate<string>('document.documentElement.lang')).toMatch(/^de/);
        expect(await popup.evaluate<string>('document.querySelector("[data-testid=stop]").textContent')).toBe('Untertitel beenden');
        expect(await popup.evaluate<string>('document.querySelector("[data-testid=open-transcript]").textContent')).toBe('Transkript öffnen');
        expect((await popup.status()).text).toContain('Live');
      } finally {
        await popup.close();
      }

      const panel = await openSidePanel(app.context, app.extensionId);
      await panel.setViewportSize({ width: 420, height: 640 });
      await expect(panel).toHaveTitle('Captionist-Transkript');
      await expect(panel.locator('html')).toHaveAttribute('lang', /^de/);
      await expect(panel.locator('h1')).toHaveText('Transkript');
      await expect(panel.locator('[data-testid=tab-history]')).toHaveText('Frühere Sitzungen');
      await expect
        .poll(async () => new Set((await readUtterances(panel)).map((u) => u.label)), { timeout: 60_000, message: 'both scripted speakers, labelled in German' })
        .toEqual(new Set(['Sprecher 1', 'Sprecher 2']));
      await saveScreenshot(panel, testInfo, 'side-panel-de-live');

      await stopFromPopup(app, page);
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
      await expect(panel.locator('[data-testid=status]')).toContainText('Keine Untertitel');

      // The export: German heading and labels, the date as German writes it; the file name keeps
      // the sortable year-month-day.
      const md = await exportMarkdown(panel);
      await saveText(testInfo, 'export-de.md', md.content);
      expect(md.name).toMatch(new RegExp(`^${PAGE_TITLE} \\d{4}-\\d{2}-\\d{2}\\.md$`));
      const lines = md.content.split('\n');
      expect(lines[0]).toBe(`# ${PAGE_TITLE}`);
      expect(lines[2]).toMatch(new RegExp(`^Aufgenommen am ${GERMAN_DATE_TIME.source}$`));
      expect(md.content).toContain('**Sprecher 1**');
      expect(md.content).toContain('**Sprecher 2**');
      await expect(panel.locator('[data-testid=copy-status]')).toContainText('gespeichert');

      // Past sessions: the date in German.
      await panel.locator('[data-testid=tab-history]').click();
      const item = panel.locator('[data-testid=history-item]').first();
      await expect(item).toContainText(PAGE_TITLE);
      await expect(item.locator('time')).toHaveText(new RegExp(`^${GERMAN_DATE_TIME.source}$`));
      await expect(item.locator('[data-testid=history-open]')).toHaveText('Öffnen');
      await saveScreenshot(panel, testInfo, 'side-panel-de-history');

      // The popup document, idle, for the picture (the real popup is not a page Playwright can shoot).
      const popupPage = await app.context.newPage();
      await popupPage.setViewportSize({ width: 360, height: 420 });
      await popupPage.goto(`chrome-extension://${app.extensionId}/popup.html`);
      await expect(popupPage.locator('[data-testid=start]')).toHaveText('Untertitel starten');
      await saveScreenshot(popupPage, testInfo, 'popup-de');
    } finally {
      await speech.server.close();
    }
  });
});
