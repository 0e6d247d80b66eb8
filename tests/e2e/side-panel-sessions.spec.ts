/**
 * A side panel left open from one session into the next: it shows the second session only (as a
 * panel opened afresh does, and Copy all copies just that), and the first is under past sessions.
 * Each session's utterances used to be numbered from `u1` again and the open panel never dropped
 * the last session's rows, so the new `u1` replaced the old one and the rest of the old session
 * stayed on screen (lib/contract/session-feed.ts, lib/transcript/utterance-ids.ts).
 */
import type { Page } from '@playwright/test';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { copyTranscript, openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-side-panel-sessions-e2e';
const PAGE_TITLE = 'Two sessions';
/** Session 1 runs until the panel holds this many rows; session 2 stops at its first. */
const FIRST_SESSION_ROWS = 6;

const test = testWithFakeDeepgram(DEEPGRAM_KEY, [
  { speaker: 0, words: ['alpha', 'one'] },
  { speaker: 1, words: ['bravo', 'two'] },
  { speaker: 0, words: ['charlie', 'three'] },
  { speaker: 1, words: ['delta', 'four'] },
]);

const rowTexts = async (panel: Page) => (await readUtterances(panel)).map((u) => `${u.speaker}|${u.time}|${u.text}`);

test.describe('side panel across sessions', () => {
  test.setTimeout(150_000);

  test('a panel kept open into a second session shows only the second; the first is under past sessions', async ({ app, audio }, testInfo) => {
    const speech = await startSpeechPage(audio.page, PAGE_TITLE);
    try {
      const panel = await openSidePanel(app.context, app.extensionId);
      const status = panel.locator('[data-testid=status]');

      // Session 1, followed live by the open panel.
      const tab = await startCaptionsOnPlayingPage(app, speech.url);
      await expect
        .poll(async () => (await readUtterances(panel)).length, { timeout: 45_000, message: 'session 1 rows in the open panel' })
        .toBeGreaterThanOrEqual(FIRST_SESSION_ROWS);
      await stopFromPopup(app, tab);
      await expect(status).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
      // The rows once the last words are in (a stop flushes what was still being said).
      let firstSession: string[] = [];
      await expect
        .poll(
          async () => {
            const before = firstSession;
            firstSession = await rowTexts(panel);
            return before.length > 0 && before.join('\n') === firstSession.join('\n');
          },
          { timeout: 10_000, intervals: [500], message: 'session 1 rows settle after the stop' },
        )
        .toBe(true);

      // Session 2 (from another tab), stopped as soon as it has a row: fewer rows than session 1 had.
      const secondTab = await startCaptionsOnPlayingPage(app, `${speech.url}?session=2`);
      await expect(status).toHaveAttribute('data-phase', 'live', { timeout: 20_000 });
      await expect
        .poll(async () => (await panel.evaluate<{ utterances: unknown[] }>('chrome.runtime.sendMessage({ type: "transcript/get" })')).utterances.length, {
          timeout: 30_000,
          intervals: [250],
          message: 'a first utterance in session 2',
        })
        .toBeGreaterThanOrEqual(1);
      await stopFromPopup(app, secondTab);
      await expect(status).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });

      // What a panel opened now shows is session 2 alone; the open panel must show the same.
      const fresh = await openSidePanel(app.context, app.extensionId);
      await fresh.locator('[data-testid=utterance]').first().waitFor({ timeout: 10_000 });
      let secondSession: string[] = [];
      await expect
        .poll(
          async () => {
            const before = secondSession;
            secondSession = await rowTexts(fresh);
            return before.length > 0 && before.join('\n') === secondSession.join('\n');
          },
          { timeout: 10_000, intervals: [500], message: 'session 2 rows settle in a fresh panel' },
        )
        .toBe(true);
      await fresh.close();
      expect(secondSession.length, 'session 2 is shorter than session 1').toBeLessThan(firstSession.length);
      await expect.poll(() => rowTexts(panel), { timeout: 10_000, message: 'the open panel shows session 2 only' }).toEqual(secondSession);
      await saveScreenshot(panel, testInfo, 'side-panel-second-session');

      const copied = await copyTranscript(panel);
      expect(copied.status).toBe('Copied');
      expect(copied.clipboard.split('\n')).toHaveLength(secondSession.length);

      // Past sessions: both, newest first; the older one opens with session 1's rows.
      await panel.locator('[data-testid=tab-history]').click();
      const items = panel.locator('[data-testid=history-item]');
      await expect(items).toHaveCount(2, { timeout: 10_000 });
      await items.nth(1).locator('[data-testid=history-open]').click();
      await expect(panel.locator('[data-testid=saved-banner]')).toContainText(PAGE_TITLE);
      await expect.poll(() => rowTexts(panel), { message: 'session 1 under past sessions' }).toEqual(firstSession);
      await panel.close();
    } finally {
      await speech.server.close();
    }
  });
});
