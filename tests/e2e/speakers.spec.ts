/**
 * Two speakers through the Deepgram path: the proxy relays to a fake Deepgram (the real one is out
 * of reach here) that follows the documented protocol and answers with a two-speaker script.
 * The overlay must show each speaker's line in its own colour, and interim text that is then
 * replaced by the final line.
 */
import { installCaptionRecorder, readCaptionRecord, readOverlay } from '../../testkit/browser/captions';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startSpeechPage, waitForPlayback } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-e2e';
const SPEAKER_0 = ['good', 'morning', 'everyone', 'shall', 'we', 'begin'];
const SPEAKER_1 = ['yes', 'the', 'budget', 'is', 'ready', 'for', 'review'];

const test = testWithFakeDeepgram(DEEPGRAM_KEY, [
  { speaker: 0, words: SPEAKER_0 },
  { speaker: 1, words: SPEAKER_1 },
]);

const sentence = (words: string[]) => new RegExp(words.join('\\W+'), 'i');

test.describe('speakers through the Deepgram upstream (fake)', () => {
  test.setTimeout(120_000);

  test('shows two speakers in two colours, and interim text replaced in place by the final line', async ({
    app,
    audio,
    captionProxy,
    fakeDeepgram,
  }, testInfo) => {
    expect(captionProxy.engine).toMatch(/deepgram/i);
    const speech = await startSpeechPage(audio.page, 'Captionist speakers test');
    try {
      const page = await app.context.newPage();
      await page.goto(speech.url);
      await waitForPlayback(page);
      await installCaptionRecorder(page);
      await startCaptionsOnPlayingPage(app, page);

      // Both speakers' final lines on screen at once, each with its speaker number.
      await expect
        .poll(
          async () => {
            const { lines } = await readOverlay(page);
            const finals = lines.filter((l) => l.final);
            return [finals.some((l) => sentence(SPEAKER_0).test(l.text)), finals.some((l) => sentence(SPEAKER_1).test(l.text))];
          },
          { timeout: 45_000, message: 'final lines of both scripted speakers in the overlay' },
        )
        .toEqual([true, true]);
      expect(fakeDeepgram.connections.length, 'the proxy opened the fake upstream').toBeGreaterThan(0);

      const { lines } = await readOverlay(page);
      const first = lines.find((l) => l.final && sentence(SPEAKER_0).test(l.text));
      const second = lines.find((l) => l.final && sentence(SPEAKER_1).test(l.text));
      expect(first?.speaker).toBe('0');
      expect(second?.speaker).toBe('1');
      expect(first?.color).toMatch(/^rgb/);
      expect(second?.color, 'the two speakers have different colours').not.toBe(first?.color);
      await saveScreenshot(page, testInfo, 'page-with-overlay');

      // Interim text was shown first, then replaced by the final line: the record shows interim
      // entries (data-final=false) for a speaker's words before that speaker's final line, and
      // the interim element is gone (or holds other words) once the final line is there.
      const record = await readCaptionRecord(page);
      await saveText(testInfo, 'caption-record.json', JSON.stringify(record, null, 2));
      for (const words of [SPEAKER_0, SPEAKER_1]) {
        const finalAt = record.find((r) => r.final && sentence(words).test(r.text));
        const interimBefore = record.find(
          (r) => !r.final && r.t <= (finalAt?.t ?? -1) && r.text.toLowerCase().includes(words[0] ?? '') && !sentence(words).test(r.text),
        );
        expect(finalAt, `final line for "${words.join(' ')}"`).toBeDefined();
        expect(interimBefore, `interim text for "${words.join(' ')}" before its final line`).toBeDefined();
      }
      const interimNow = lines.filter((l) => !l.final).map((l) => l.text);
      for (const text of interimNow) expect(sentence(SPEAKER_1).test(text)).toBe(false);

      // The side panel keeps both speakers' utterances, labelled apart.
      const panel = await openSidePanel(app.context, app.extensionId);
      try {
        await expect
          .poll(async () => [...new Set((await readUtterances(panel)).map((u) => u.speaker))].sort(), { timeout: 10_000 })
          .toEqual(['0', '1']);
        await saveScreenshot(panel, testInfo, 'side-panel');
      } finally {
        await panel.close();
      }

      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });
});
