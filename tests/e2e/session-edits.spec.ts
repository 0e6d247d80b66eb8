/**
 * Past sessions after the fact, on two real sessions (the built extension, the real proxy, a fake
 * Deepgram upstream scripted with a misheard word): search across both sessions, open one at the
 * matching line, correct that line from the keyboard (Enter saves, Escape cancels), rename the
 * session, and read the correction back in every export and in a panel opened afresh.
 * Screenshots: the search results, the session opened at the line, the line being edited.
 *
 * And while a session runs: a line corrected in the Live tab shows there at once and on the page's
 * overlay, stays corrected as later results arrive, is what Copy all copies; a line corrected in
 * the running session opened from History shows in the Live tab; and after Stop all of them are in
 * the History list's preview, the saved session and its exports.
 * Screenshots: the corrected live line, the overlay with the corrected line.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { readOverlay } from '../../testkit/browser/captions';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { copyTranscript, openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-session-edits-e2e';
const PAGE_TITLE = 'Planning call';
const NEW_NAME = 'Budget review';
const MISHEARD = ['the', 'budgie', 'is', 'ready'];
/** The fake upstream punctuates: the line reads "The budgie is ready." */
const CORRECTED = 'The budget is ready.';
/** The other scripted line ("Thanks see you monday."), corrected while it is still on the overlay. */
const CORRECTED_LATER = 'Thanks, see you Tuesday.';
/** Another line, corrected in the running session opened from History. */
const CORRECTED_ELSEWHERE = 'Thanks, see you Wednesday.';

const test = testWithFakeDeepgram(DEEPGRAM_KEY, [
  { speaker: 0, words: MISHEARD },
  { speaker: 1, words: ['thanks', 'see', 'you', 'monday'] },
]);

/** The same script spoken slower, so a corrected line is still on the page's overlay (3 lines) when the correction arrives. */
const slowTest = testWithFakeDeepgram(
  DEEPGRAM_KEY,
  [
    { speaker: 0, words: MISHEARD },
    { speaker: 1, words: ['thanks', 'see', 'you', 'monday'] },
  ],
  undefined,
  { msPerWord: 800 },
);

async function exportAs(panel: Page, menu: Locator, format: string): Promise<string> {
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) await menu.locator('summary').click();
  const [download] = await Promise.all([panel.waitForEvent('download', { timeout: 10_000 }), menu.locator(`[data-testid^=export-${format}]`).click()]);
  return readFile(await download.path(), 'utf8');
}

/** A session: started on its own tab, stopped once the panel's live view has `rows` rows. */
async function captureSession(app: LaunchedBrowser, panel: Page, url: string, rows: number): Promise<void> {
  const tab = await startCaptionsOnPlayingPage(app, url);
  await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'live', { timeout: 20_000 });
  await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 45_000, message: `${rows} rows of ${url}` }).toBeGreaterThanOrEqual(rows);
  await stopFromPopup(app, tab);
  await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
  await tab.close();
}

test.describe('past sessions: search, corrections, names', () => {
  test.setTimeout(180_000);

  test('searches every session, opens one at the line, corrects it and renames it, in every export', async ({ app, audio }, testInfo) => {
    const speech = await startSpeechPage(audio.page, PAGE_TITLE);
    try {
      const panel = await openSidePanel(app.context, app.extensionId);
      await panel.setViewportSize({ width: 420, height: 760 });
      await captureSession(app, panel, speech.url, 4);
      await captureSession(app, panel, `${speech.url}?session=2`, 1);

      // Search across both saved sessions: grouped newest first, each match in its words.
      await panel.locator('[data-testid=tab-history]').click();
      await expect(panel.locator('[data-testid=history-item]')).toHaveCount(2, { timeout: 10_000 });
      const search = panel.locator('[data-testid=history-search]');
      await expect(search).toHaveAttribute('aria-label', 'Search all saved sessions');
      await search.fill('BUDGIE');
      const groups = panel.locator('[data-testid=history-search-group]');
      await expect(groups).toHaveCount(2, { timeout: 10_000 });
      await expect(panel.locator('[data-testid=history-search-status]')).toHaveText(/^\d+ matches in 2 sessions$/);
      const olderGroup = groups.nth(1);
      const hit = olderGroup.locator('[data-testid=history-search-hit]').first();
      await expect(hit.locator('mark')).toHaveText('budgie');
      await expect(hit).toContainText('budgie is ready');
      const lineId = await hit.getAttribute('data-utterance-id');
      expect(lineId).toBeTruthy();
      await saveScreenshot(panel, testInfo, 'history-search');

      // Opening the result: the older session, its search on this match, the line in view.
      await hit.click();
      await expect(panel.locator('[data-testid=saved-banner]')).toContainText(PAGE_TITLE);
      await expect(panel.locator('[data-testid=search]')).toHaveValue('BUDGIE');
      const row = panel.locator(`[data-testid=utterance][data-utterance-id="${lineId}"]`);
      await expect(row.locator('mark[data-current=true]')).toHaveText('budgie');
      await expect(row).toBeInViewport();
      const before = { speaker: await row.getAttribute('data-speaker'), time: await row.locator('[data-testid=utterance-time]').textContent() };
      await saveScreenshot(panel, testInfo, 'session-opened-at-line');

      // Correct the line from the keyboard: Edit, type, Enter; focus comes back to Edit.
      const edit = row.locator('[data-testid=utterance-edit]');
      await expect(edit).toHaveAttribute('aria-label', `Edit the line at ${before.time ?? ''}`);
      await edit.focus();
      await panel.keyboard.press('Enter');
      const field = row.locator('[data-testid=utterance-edit-input]');
      await expect(field).toBeFocused();
      await expect(field).toHaveAttribute('aria-label', /^Text of the line at .*Enter saves, Escape cancels/);
      await field.fill(CORRECTED);
      await saveScreenshot(panel, testInfo, 'line-being-edited');
      await field.press('Enter');
      await expect(row.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED);
      await expect(panel.locator('[data-testid=copy-status]')).toHaveText('Line corrected');
      await expect(edit).toBeFocused();
      expect(await row.getAttribute('data-speaker')).toBe(before.speaker);
      await expect(row.locator('[data-testid=utterance-time]')).toHaveText(before.time ?? '');

      // Escape cancels: another line keeps its words.
      const other = panel.locator('[data-testid=utterance]').filter({ hasNot: panel.locator(`[data-utterance-id="${lineId}"]`) }).first();
      const otherText = await other.locator('[data-testid=utterance-text]').textContent();
      await other.locator('[data-testid=utterance-edit]').click();
      await other.locator('[data-testid=utterance-edit-input]').fill('not kept');
      await panel.keyboard.press('Escape');
      await expect(other.locator('[data-testid=utterance-text]')).toHaveText(otherText ?? '');
      await expect(other.locator('[data-testid=utterance-edit]')).toBeFocused();

      // Every export of the opened session carries the correction.
      const exportMenu = panel.locator('[data-testid=export-menu]');
      for (const format of ['txt', 'md', 'srt', 'vtt', 'json']) {
        const content = await exportAs(panel, exportMenu, format);
        await saveText(testInfo, `corrected.${format}`, content);
        expect(content, format).toContain(format === 'srt' || format === 'vtt' ? 'budget is ready' : CORRECTED);
      }

      // Rename from the keyboard; Escape leaves a name as it was.
      await panel.locator('[data-testid=tab-history]').click();
      await search.fill('');
      const older = panel.locator('[data-testid=history-item]').nth(1);
      const rename = older.locator('[data-testid=history-rename]');
      await rename.focus();
      await panel.keyboard.press('Enter');
      const nameField = older.locator('[data-testid=history-rename-input]');
      await expect(nameField).toBeFocused();
      await expect(nameField).toHaveAttribute('aria-label', /^Session name/);
      await nameField.fill(NEW_NAME);
      await nameField.press('Enter');
      await expect(older.locator('[data-testid=history-title]')).toHaveText(NEW_NAME);
      await expect(rename).toBeFocused();
      const newer = panel.locator('[data-testid=history-item]').first();
      const newerTitle = await newer.locator('[data-testid=history-title]').textContent();
      await newer.locator('[data-testid=history-rename]').click();
      await newer.locator('[data-testid=history-rename-input]').fill('dropped');
      await panel.keyboard.press('Escape');
      await expect(newer.locator('[data-testid=history-title]')).toHaveText(newerTitle ?? '');

      // A panel opened afresh: the name and the correction were saved; the search finds the
      // corrected words, and the list's own export of that session has them too.
      await panel.close();
      const fresh = await openSidePanel(app.context, app.extensionId);
      await fresh.setViewportSize({ width: 420, height: 760 });
      await fresh.locator('[data-testid=tab-history]').click();
      await expect(fresh.locator('[data-testid=history-item]').nth(1).locator('[data-testid=history-title]')).toHaveText(NEW_NAME);
      await fresh.locator('[data-testid=history-search]').fill(CORRECTED);
      const found = fresh.locator('[data-testid=history-search-group]');
      await expect(found).toHaveCount(1, { timeout: 10_000 });
      await expect(found.locator('.history-title')).toHaveText(NEW_NAME);
      await expect(found.locator('[data-testid=history-search-hit]')).toHaveAttribute('data-utterance-id', lineId ?? '');
      await fresh.locator('[data-testid=history-search]').fill('');
      const listMenu = fresh.locator('[data-testid=history-item]').nth(1).locator('[data-testid^=export-menu]');
      const json = JSON.parse(await exportAs(fresh, listMenu, 'json')) as { title: string; utterances: { id: string; text: string; speaker: number }[] };
      expect(json.title).toBe(NEW_NAME);
      const line = json.utterances.find((u) => u.id === lineId);
      expect(line?.text).toBe(CORRECTED);
      expect(String(line?.speaker)).toBe(before.speaker);
      await fresh.close();
    } finally {
      await speech.server.close();
    }
  });
});

slowTest.describe('the running session: corrections in the Live tab', () => {
  slowTest.setTimeout(150_000);

  slowTest('a finished live line is corrected, shown everywhere at once, kept as results arrive, and saved in History and exports', async ({ app, audio }, testInfo) => {
    const speech = await startSpeechPage(audio.page, PAGE_TITLE);
    try {
      const panel = await openSidePanel(app.context, app.extensionId);
      await panel.setViewportSize({ width: 420, height: 760 });
      const tab = await startCaptionsOnPlayingPage(app, speech.url);
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'live', { timeout: 20_000 });
      const rows = panel.locator('[data-testid=utterance]');
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 45_000 }).toBeGreaterThanOrEqual(3);

      // The first line (it opens the History preview): Edit, type, Enter, while the session runs.
      const first = rows.first();
      await expect(first.locator('[data-testid=utterance-text]')).toContainText('budgie');
      const firstId = await first.getAttribute('data-utterance-id');
      expect(firstId).toMatch(/^s\d+-u1$/);
      const firstRow = panel.locator(`[data-testid=utterance][data-utterance-id="${firstId}"]`);
      await firstRow.locator('[data-testid=utterance-edit]').click();
      const field = firstRow.locator('[data-testid=utterance-edit-input]');
      await expect(field).toBeFocused();
      await field.fill(CORRECTED);
      await field.press('Enter');
      await expect(firstRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED);
      await expect(panel.locator('[data-testid=copy-status]')).toHaveText('Line corrected');
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'live');
      // Interim text is never offered for correction.
      await expect(panel.locator('[data-testid=interim] [data-testid=utterance-edit]')).toHaveCount(0);

      // The newest finished "monday" line, corrected while the overlay still shows it: the page's
      // reader sees the correction too.
      const newest = rows.filter({ hasText: 'monday' }).filter({ has: panel.locator('[data-testid=utterance-edit]') }).last();
      await newest.waitFor({ timeout: 20_000 });
      const newestId = await newest.getAttribute('data-utterance-id');
      const newestRow = panel.locator(`[data-testid=utterance][data-utterance-id="${newestId}"]`);
      await newestRow.locator('[data-testid=utterance-edit]').click();
      await newestRow.locator('[data-testid=utterance-edit-input]').fill(CORRECTED_LATER);
      await newestRow.locator('[data-testid=utterance-edit-input]').press('Enter');
      await expect(newestRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED_LATER);
      await expect
        .poll(async () => (await readOverlay(tab)).lines.some((line) => line.final && line.text.includes(CORRECTED_LATER)), { timeout: 5_000, intervals: [100] })
        .toBe(true);
      await saveScreenshot(tab, testInfo, 'overlay-with-corrected-line');

      // Later results arrive; the corrected lines stay as the user wrote them.
      const count = (await readUtterances(panel)).length;
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(count + 2);
      await expect(firstRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED);
      await expect(newestRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED_LATER);
      await firstRow.scrollIntoViewIfNeeded();
      await saveScreenshot(panel, testInfo, 'live-line-corrected');

      // Copy all copies the corrected text.
      const copied = await copyTranscript(panel);
      await saveText(testInfo, 'live-clipboard.txt', copied.clipboard);
      expect(copied.clipboard.split('\n')[0]).toContain(CORRECTED);
      expect(copied.clipboard).toContain(CORRECTED_LATER);

      // Corrected elsewhere: the running session opened from History, a line corrected there
      // shows in the Live tab.
      const liveIds = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-utterance-id')));
      // An early line (long finished), neither of the two corrected above.
      const elsewhereId = liveIds.find((id) => id !== firstId && id !== newestId) ?? '';
      expect(elsewhereId).toMatch(/-u\d+$/);
      await panel.locator('[data-testid=tab-history]').click();
      await expect(panel.locator('[data-testid=history-item]')).toHaveCount(1, { timeout: 10_000 });
      await panel.locator('[data-testid=history-item] [data-testid=history-open]').click();
      await expect(panel.locator('[data-testid=saved-banner]')).toContainText(PAGE_TITLE);
      const savedRow = panel.locator(`[data-testid=utterance][data-utterance-id="${elsewhereId}"]`);
      await savedRow.locator('[data-testid=utterance-edit]').click();
      await savedRow.locator('[data-testid=utterance-edit-input]').fill(CORRECTED_ELSEWHERE);
      await savedRow.locator('[data-testid=utterance-edit-input]').press('Enter');
      await expect(savedRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED_ELSEWHERE);
      await panel.locator('[data-testid=tab-live]').click();
      await expect(panel.locator('[data-testid=saved-banner]')).toHaveCount(0);
      await expect(savedRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED_ELSEWHERE);
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'live');

      await stopFromPopup(app, tab);
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
      await tab.close();
      await expect(firstRow.locator('[data-testid=utterance-text]')).toHaveText(CORRECTED);

      // History: the preview starts with the corrected line; the saved session and its exports have both corrections.
      await panel.locator('[data-testid=tab-history]').click();
      const item = panel.locator('[data-testid=history-item]');
      await expect(item).toHaveCount(1, { timeout: 10_000 });
      await expect(item.locator('.history-preview')).toHaveText(new RegExp(`^${CORRECTED.replace('.', '\\.')} `));
      const listMenu = item.locator('[data-testid^=export-menu]');
      const json = JSON.parse(await exportAs(panel, listMenu, 'json')) as { utterances: { id: string; text: string }[] };
      expect(json.utterances.find((u) => u.id === firstId)?.text).toBe(CORRECTED);
      expect(json.utterances.find((u) => u.id === newestId)?.text).toBe(CORRECTED_LATER);
      expect(json.utterances.find((u) => u.id === elsewhereId)?.text).toBe(CORRECTED_ELSEWHERE);
      for (const format of ['txt', 'md', 'srt', 'vtt']) {
        const content = await exportAs(panel, listMenu, format);
        await saveText(testInfo, `live-corrected.${format}`, content);
        expect(content, format).toContain(format === 'srt' || format === 'vtt' ? 'budget is ready' : CORRECTED);
        expect(content, format).toContain(format === 'srt' || format === 'vtt' ? 'see you Tuesday' : CORRECTED_LATER);
      }
      await item.locator('[data-testid=history-open]').click();
      await expect(panel.locator(`[data-testid=utterance][data-utterance-id="${firstId}"] [data-testid=utterance-text]`)).toHaveText(CORRECTED);
      await expect(panel.locator(`[data-testid=utterance][data-utterance-id="${newestId}"] [data-testid=utterance-text]`)).toHaveText(CORRECTED_LATER);
      await panel.close();
    } finally {
      await speech.server.close();
    }
  });
});
