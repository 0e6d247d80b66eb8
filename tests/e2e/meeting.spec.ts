/**
 * A meeting (issue 13): the tab plays the others, Chromium's fake microphone plays you, and one
 * session captions both through the real proxy and its local engine, one channel each. The side
 * panel must show each source's words under its own label ("You" for the microphone), each
 * channel about as accurate as the engine on the clips' own files; with the others' audio leaking
 * into the microphone (speakers, not headphones), the echo guard must keep their words out of "You".
 */
import type { Page } from '@playwright/test';
import { grantToExtension, type LaunchedBrowser } from '../../testkit/browser/launch';
import { startStaticServer } from '../../testkit/browser/static-server';
import { OverlayWatcher } from '../../testkit/browser/captions';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { recognizeFile } from '../../testkit/speech/direct-decode';
import { buildMeetingAudio, ECHO_DB, ECHO_DELAY_S, meetingAudioFiles, type MeetingAudio } from '../../testkit/speech/meeting-audio';
import { formatWer, normalizeWords, wordErrorRate, type WerResult } from '../../lib/wer';
import { stopFromPopup } from './support/caption-flow';
import { expect, test } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances, type PanelUtterance } from './support/side-panel';

/** Allowed WER above the engine on the files, per channel, in points (issue 13). */
const MAX_EXTRA_POINTS = 2;
/**
 * The same allowance as a count of extra errors, and at least one: the microphone's reference is
 * 27 words, where 2 points is half a word, so "within 2 points" would demand not one word more than
 * the files, which the browser's resampling and gating need not give word for word.
 */
const allowedExtraErrors = (reference: WerResult) => Math.max(1, Math.floor((reference.referenceWords * MAX_EXTRA_POINTS) / 100));
/**
 * The microphone starts playing its file when the session opens it; the test starts the tab's
 * playback once the session is live, about this much later. The echo in mic-echo.wav is placed
 * after this lead, so it lines up with the tab's audio as an acoustic echo would (the measured
 * offset is reported).
 */
const ECHO_LEAD_S = 0.6;
const YOU = 'You';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly meeting</title>
<style>body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; background: #eef2f6; color: #222; }</style></head>
<body><h1>Weekly meeting</h1><p>The others speak from this tab (LibriVox clips, public domain).</p>
<audio id="speech" src="/others.wav" preload="auto" controls></audio></body></html>`;

interface ChannelWords {
  you: string[];
  others: string[];
  utterances: PanelUtterance[];
}

/** Opens the page, starts a meeting on it, plays the others once, stops, and reads the side panel. */
async function captionMeeting(app: LaunchedBrowser, audio: MeetingAudio, shoot: (page: Page, name: string) => Promise<void>): Promise<ChannelWords> {
  const server = await startStaticServer({ '/meeting.html': { html: PAGE }, '/others.wav': { file: audio.tab, contentType: 'audio/wav' } });
  try {
    const page = await app.context.newPage();
    await page.goto(`${server.origin}/meeting.html`);
    await page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('#speech')?.readyState ?? 0) >= 4, undefined, { timeout: 10_000 });
    await startCaptionsOnPlayingPage(app, page, { source: 'tab-and-mic', waitForPlayback: false });
    await page.evaluate(() => document.querySelector<HTMLAudioElement>('#speech')?.play());
    const watcher = new OverlayWatcher(page);
    await expect
      .poll(async () => (await watcher.poll())?.lines.filter((l) => l.final && l.text).length ?? 0, { timeout: 40_000, message: 'captions over the page' })
      .toBeGreaterThan(0);
    await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('#speech')?.ended === true, undefined, {
      timeout: (audio.seconds + 30) * 1000,
      polling: 250,
    });
    await shoot(page, 'page-with-overlay');
    await stopFromPopup(app, page);
    const panel = await openSidePanel(app.context, app.extensionId);
    try {
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 10_000, message: 'utterances in the side panel' }).toBeGreaterThan(0);
      await panel.waitForTimeout(500);
      const utterances = await readUtterances(panel);
      await shoot(panel, 'side-panel');
      const words = (mine: boolean) => normalizeWords(utterances.filter((u) => (u.label === YOU) === mine).map((u) => u.text).join(' '));
      await page.close();
      return { you: words(true), others: words(false), utterances };
    } finally {
      await panel.close();
    }
  } finally {
    await server.close();
  }
}

async function engineOnFiles(files: readonly string[]): Promise<string[]> {
  const words: string[] = [];
  for (const file of files) words.push(...normalizeWords((await recognizeFile(file)).join(' ')));
  return words;
}

/**
 * Short function words: the microphone's own speech, garbled by the recognizer, produces them
 * whatever the tab says, so finding one under "You" says nothing about echo.
 */
const FUNCTION_WORDS = new Set(
  'a an the and or but if of to in on at by for with from as is are was were be been being it its he she his her him they them their i you we my your our this that these those there here not no so do does did have has had how what when where who which than then too very can will would could should may might must shall'.split(' '),
);

/**
 * Of the others' content words (words of the tab's reference that the microphone's reference
 * never uses, and not function words) that the tab channel recognised, the share that also shows
 * up under "You".
 */
function echoShare(audio: MeetingAudio, heard: ChannelWords): { share: number; leaked: string[]; counted: number } {
  const micVocabulary = new Set([...normalizeWords(audio.micReference.join(' ')), ...FUNCTION_WORDS]);
  const count = (words: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const word of words) if (!micVocabulary.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    return counts;
  };
  const others = count(heard.others);
  const you = count(heard.you);
  let counted = 0;
  const leaked: string[] = [];
  for (const [word, n] of others) {
    counted += n;
    const inYou = Math.min(n, you.get(word) ?? 0);
    for (let i = 0; i < inYou; i++) leaked.push(word);
  }
  return { share: counted === 0 ? 0 : leaked.length / counted, leaked, counted };
}

const line = (label: string, result: WerResult) => `${label}: WER ${formatWer(result)}`;

test.describe('meeting: the tab and the microphone at once', () => {
  test.setTimeout(240_000);
  let audio: MeetingAudio;
  test.beforeAll(async () => {
    audio = await buildMeetingAudio(ECHO_LEAD_S);
  });

  test.describe('on headphones', () => {
    test.use({ fakeMic: true, fakeMicFile: meetingAudioFiles(ECHO_LEAD_S).mic });

    test('captions both sides, the microphone as "You", each channel within 2 WER points of the engine on the files', async ({ app, captionProxy }, testInfo) => {
      expect(captionProxy.engine).toMatch(/local|pocketsphinx/i);
      await grantToExtension(app, ['microphone']);
      const heard = await captionMeeting(app, audio, (page, name) => saveScreenshot(page, testInfo, name).then(() => undefined));
      const tabReference = normalizeWords(audio.tabReference.join(' '));
      const micReference = normalizeWords(audio.micReference.join(' '));
      const [tabFiles, micFiles] = [await engineOnFiles(audio.tabClips), await engineOnFiles(audio.micClips)];
      const results = {
        tabFiles: wordErrorRate(tabReference, tabFiles),
        tab: wordErrorRate(tabReference, heard.others),
        micFiles: wordErrorRate(micReference, micFiles),
        mic: wordErrorRate(micReference, heard.you),
      };
      const report = [
        line('tab (the others) on the files', results.tabFiles),
        line('tab channel in the meeting', results.tab),
        line('microphone (you) on the files', results.micFiles),
        line('microphone channel in the meeting', results.mic),
        '',
        ...heard.utterances.map((u) => `[${u.time}] ${u.label || '-'}: ${u.text}`),
      ].join('\n');
      console.log(report);
      await saveText(testInfo, 'meeting-wer.txt', report);
      testInfo.annotations.push({ type: 'tab WER (files / meeting)', description: `${formatWer(results.tabFiles)} / ${formatWer(results.tab)}` });
      testInfo.annotations.push({ type: 'mic WER (files / meeting)', description: `${formatWer(results.micFiles)} / ${formatWer(results.mic)}` });

      expect(heard.you.length, `words under "${YOU}"\n${report}`).toBeGreaterThan(micReference.length / 2);
      expect(heard.others.length, `words under the others' labels\n${report}`).toBeGreaterThan(tabReference.length / 2);
      expect(results.tab.errors, report).toBeLessThanOrEqual(results.tabFiles.errors + allowedExtraErrors(results.tabFiles));
      expect(results.mic.errors, report).toBeLessThanOrEqual(results.micFiles.errors + allowedExtraErrors(results.micFiles));
    });
  });

  test.describe('with the microphone blocked', () => {
    test.use({ fakeMic: true, fakeMicFile: meetingAudioFiles(ECHO_LEAD_S).mic });

    test('captions the tab alone and says the microphone is not captioned, rather than failing the start', async ({ app }, testInfo) => {
      // The user blocked the microphone for Captionist (as "Block" in Chrome's prompt or site settings).
      await grantToExtension(app, ['microphone'], 'denied');
      const server = await startStaticServer({ '/meeting.html': { html: PAGE }, '/others.wav': { file: audio.tab, contentType: 'audio/wav' } });
      try {
        const page = await app.context.newPage();
        await page.goto(`${server.origin}/meeting.html`);
        await page.evaluate(() => document.querySelector<HTMLAudioElement>('#speech')?.play());
        await startCaptionsOnPlayingPage(app, page, { source: 'tab-and-mic' });
        const watcher = new OverlayWatcher(page);
        await expect
          .poll(async () => (await watcher.poll())?.notice ?? '', { timeout: 15_000, message: 'the notice over the page' })
          .toMatch(/microphone is not captioned.*only the tab is/i);
        await expect
          .poll(async () => (await watcher.poll())?.lines.filter((l) => l.final && l.text).length ?? 0, { timeout: 40_000, message: "the tab's captions" })
          .toBeGreaterThan(0);
        await saveScreenshot(page, testInfo, 'tab-alone-with-notice');
        const popup = await app.context.newPage();
        await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
        await expect(popup.locator('[data-testid=warning]')).toContainText(/microphone is not captioned/i);
        await saveScreenshot(popup, testInfo, 'popup-tab-alone');
        await popup.close();
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });
  });

  test.describe('on speakers', () => {
    test.use({ fakeMic: true, fakeMicFile: meetingAudioFiles(ECHO_LEAD_S).micEcho });

    test(`keeps the others' words out of "You" when their audio leaks into the microphone (${ECHO_DB} dB, ${ECHO_DELAY_S * 1000} ms)`, async ({ app }, testInfo) => {
      await grantToExtension(app, ['microphone']);
      const shoot = (name: string) => (page: Page, suffix: string) => saveScreenshot(page, testInfo, `${name}-${suffix}`).then(() => undefined);
      const guarded = await captionMeeting(app, audio, shoot('guard-on'));
      await setEchoGuard(app, false);
      const unguarded = await captionMeeting(app, audio, shoot('guard-off'));

      const micReference = normalizeWords(audio.micReference.join(' '));
      const on = { echo: echoShare(audio, guarded), wer: wordErrorRate(micReference, guarded.you) };
      const off = { echo: echoShare(audio, unguarded), wer: wordErrorRate(micReference, unguarded.you) };
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      const report = [
        `others' content words heard under "You": guard on ${pct(on.echo.share)} (${on.echo.leaked.length} of ${on.echo.counted}), off ${pct(off.echo.share)} (${off.echo.leaked.length} of ${off.echo.counted})`,
        `microphone WER: guard on ${formatWer(on.wer)}, off ${formatWer(off.wer)}`,
        `leaked with the guard on: ${on.echo.leaked.join(' ')}`,
        `leaked with the guard off: ${off.echo.leaked.join(' ')}`,
        '',
        'guard on:',
        ...guarded.utterances.map((u) => `[${u.time}] ${u.label || '-'}: ${u.text}`),
        '',
        'guard off:',
        ...unguarded.utterances.map((u) => `[${u.time}] ${u.label || '-'}: ${u.text}`),
      ].join('\n');
      console.log(report);
      await saveText(testInfo, 'echo.txt', report);
      testInfo.annotations.push({ type: 'echo share (guard on / off)', description: `${pct(on.echo.share)} / ${pct(off.echo.share)}` });
      testInfo.annotations.push({ type: 'mic WER (guard on / off)', description: `${formatWer(on.wer)} / ${formatWer(off.wer)}` });

      expect(on.echo.counted, report).toBeGreaterThan(8);
      expect(on.echo.share, report).toBeLessThan(0.02);
      // The guard drops echoes, not you: the microphone's own words survive it.
      expect(on.wer.rate * 100, report).toBeLessThanOrEqual(off.wer.rate * 100 + MAX_EXTRA_POINTS);
    });
  });
});

/** Options: the echo guard's checkbox, as a user on headphones would turn it off. */
async function setEchoGuard(app: LaunchedBrowser, on: boolean): Promise<void> {
  const options = await app.context.newPage();
  try {
    await options.goto(`chrome-extension://${app.extensionId}/options.html`);
    await options.locator('#echo-guard').setChecked(on);
    await options.locator('#save').click();
    await expect(options.locator('[data-testid=options-status]')).toContainText('Saved');
  } finally {
    await options.close();
  }
}
