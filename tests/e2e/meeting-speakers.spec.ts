/**
 * A meeting through the Deepgram path (the proxy relays to a fake Deepgram that answers each
 * channel of the multichannel stream on its own): two diarized speakers in the tab and "You" on
 * the microphone. What a user sees: three labelled colours in the overlay and the side panel, and
 * a meter per input in the popup, in light and dark.
 */
import type { Page } from '@playwright/test';
import { grantToExtension } from '../../testkit/browser/launch';
import { installCaptionRecorder, readCaptionRecord, readOverlay } from '../../testkit/browser/captions';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-e2e';
const DANA = ['good', 'morning', 'everyone', 'shall', 'we', 'begin'];
const LEE = ['yes', 'the', 'budget', 'is', 'ready', 'for', 'review'];
const MINE = ['thanks', 'I', 'have', 'two', 'questions'];

const test = testWithFakeDeepgram(
  DEEPGRAM_KEY,
  [],
  [
    [
      { speaker: 0, words: DANA },
      { speaker: 1, words: LEE },
    ],
    [{ speaker: 0, words: MINE }],
  ],
);
test.use({ fakeMic: true });

const sentence = (words: string[]) => new RegExp(words.join('\\W+'), 'i');

async function bothSchemes(page: Page, shoot: (suffix: string) => Promise<unknown>): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await shoot(scheme);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('a meeting with diarized speakers in the tab', () => {
  test.setTimeout(120_000);

  test('labels the microphone "You" in its own colour beside the tab\'s Speaker 1 and Speaker 2', async ({ app, audio, captionProxy }, testInfo) => {
    expect(captionProxy.engine).toMatch(/deepgram/i);
    await grantToExtension(app, ['microphone']);
    const speech = await startSpeechPage(audio.page, 'Weekly meeting');
    try {
      const page = await app.context.newPage();
      await page.goto(speech.url);
      await installCaptionRecorder(page);
      await startCaptionsOnPlayingPage(app, page, { source: 'tab-and-mic' });

      // The popup while live: one meter per input.
      const popup = await app.context.newPage();
      await popup.setViewportSize({ width: 380, height: 460 });
      await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
      await expect(popup.locator('[data-testid=level]')).toHaveCount(2);
      await bothSchemes(popup, (scheme) => saveScreenshot(popup, testInfo, `popup-two-meters-${scheme}`));
      await popup.close();

      // Lines scroll away: the recorder keeps every line the overlay ever showed.
      await expect
        .poll(
          async () => {
            const finals = (await readCaptionRecord(page)).filter((r) => r.final);
            return [DANA, LEE, MINE].map((words) => finals.some((r) => sentence(words).test(r.text)));
          },
          { timeout: 45_000, message: 'final lines of both tab speakers and of you in the overlay' },
        )
        .toEqual([true, true, true]);
      const record = await readCaptionRecord(page);
      const speakerOf = (words: string[]) => record.find((r) => r.final && sentence(words).test(r.text))?.speaker;
      expect([speakerOf(DANA), speakerOf(LEE), speakerOf(MINE)]).toEqual(['0', '1', '1000']);
      // A moment when you and one of the others are on screen together, for the colours and the screenshots.
      await expect
        .poll(async () => new Set((await readOverlay(page)).lines.filter((l) => l.final).map((l) => l.speaker)).has('1000'), {
          timeout: 30_000,
          message: 'a line of yours on screen',
        })
        .toBe(true);
      const { lines } = await readOverlay(page);
      const colors = new Map(lines.filter((l) => l.final).map((l) => [l.speaker, l.color]));
      expect(new Set(colors.values()).size, 'a colour per speaker on screen').toBe(colors.size);
      await bothSchemes(page, (scheme) => saveScreenshot(page, testInfo, `overlay-you-and-two-speakers-${scheme}`));

      const panel = await openSidePanel(app.context, app.extensionId);
      try {
        await expect
          .poll(async () => [...new Set((await readUtterances(panel)).map((u) => u.label))].sort(), { timeout: 10_000 })
          .toEqual(['Speaker 1', 'Speaker 2', 'You']);
        const utterances = await readUtterances(panel);
        expect(utterances.find((u) => sentence(MINE).test(u.text))?.label).toBe('You');
        expect(utterances.find((u) => sentence(DANA).test(u.text))?.label).toBe('Speaker 1');
        await bothSchemes(panel, (scheme) => saveScreenshot(panel, testInfo, `side-panel-you-and-two-speakers-${scheme}`));
      } finally {
        await panel.close();
      }
      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });
});
