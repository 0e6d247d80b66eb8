/**
 * Pipeline fidelity (issue 3): what the browser path sends is all the recognizer ever hears, so it
 * must not make recognition worse. The five LibriVox clips are played by a tab (48 kHz stereo),
 * captured, resampled to 16 kHz, gated by the VAD and sent through the real proxy to its local
 * pocketsphinx engine; the words that come back are scored against the reference transcript.
 * The same clips fed to pocketsphinx straight from their 16 kHz files give the bar: the browser
 * path's word error rate may be at most 1 point above it.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../testkit/browser/launch';
import { LIBRIVOX_DIR, readReferenceTranscripts } from '../../scripts/prepare-audio';
import { recognizeFile } from '../../testkit/speech/direct-decode';
import { formatWer, normalizeWords, wordErrorRate, type WerResult } from '../../lib/wer';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { expect, test } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startStaticServer } from '../../testkit/browser/static-server';

const run = promisify(execFile);

/** All five clips of pocketsphinx-testdata (about 25 s of speech). */
const CLIPS = ['0870', '0880', '0890', '0920', '0930'].map((n) => `sense_and_sensibility_01_austen_64kb-${n}`);
/**
 * Silence around the clips. Gaps are long enough that the engine ends an utterance at each one
 * even after the VAD has cut the middle of the gap (hangover 600 ms + pre-roll 400 ms are sent),
 * so both paths segment the speech the same way.
 */
const LEAD_S = 1.0;
const GAP_S = 1.5;
const TAIL_S = 2.5;
/** The allowed difference, in WER points. */
const MAX_EXTRA_POINTS = 1;

const FIDELITY_DIR = path.join(REPO_ROOT, '.cache', 'fidelity');
const PAGE_WAV = path.join(FIDELITY_DIR, 'clips-48k-stereo.wav');

const clipFile = (clip: string) => path.join(LIBRIVOX_DIR, `${clip}.wav`);

/** The five clips with silences, as a page would play them (48 kHz stereo, sox's HQ resampler). */
async function buildPageAudio(): Promise<{ file: string; seconds: number }> {
  await mkdir(FIDELITY_DIR, { recursive: true });
  const newest = Math.max(...CLIPS.map((clip) => statSync(clipFile(clip)).mtimeMs), statSync(new URL(import.meta.url)).mtimeMs);
  if (!existsSync(PAGE_WAV) || statSync(PAGE_WAV).mtimeMs < newest) {
    const silence = (seconds: number, name: string) => {
      const file = path.join(FIDELITY_DIR, name);
      return run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', file, 'trim', '0', String(seconds)]).then(() => file);
    };
    const [lead, gap, tail] = await Promise.all([silence(LEAD_S, 'lead.wav'), silence(GAP_S, 'gap.wav'), silence(TAIL_S, 'tail.wav')]);
    const inputs = [lead, ...CLIPS.flatMap((clip, i) => (i === 0 ? [clipFile(clip)] : [gap, clipFile(clip)])), tail];
    const tmp = `${PAGE_WAV}.tmp.wav`;
    await run('sox', [...inputs, '-b', '16', '-c', '2', tmp, 'rate', '-v', '48000']);
    await rename(tmp, PAGE_WAV);
    await Promise.all([lead, gap, tail].map((file) => rm(file, { force: true })));
  }
  const { stdout } = await run('soxi', ['-D', PAGE_WAV]);
  return { file: PAGE_WAV, seconds: Number.parseFloat(stdout) };
}

const FIDELITY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Captionist pipeline fidelity</title></head>
<body><h1>Pipeline fidelity</h1><p>Five LibriVox clips (public domain), played once when the test says so.</p>
<audio id="speech" src="/clips.wav" preload="auto" controls></audio></body></html>`;

const describe = (label: string, result: WerResult) => `${label}: WER ${formatWer(result)}`;

test.describe('pipeline fidelity', () => {
  test.setTimeout(180_000);

  test('tab capture -> resampler -> VAD -> local engine scores within 1 WER point of the engine on the files', async ({
    app,
    captionProxy,
  }, testInfo) => {
    expect(captionProxy.engine).toMatch(/local|pocketsphinx/i);
    const transcripts = readReferenceTranscripts();
    const reference = CLIPS.flatMap((clip) => {
      const words = transcripts.get(clip);
      if (!words) throw new Error(`No reference transcript for ${clip} in ${LIBRIVOX_DIR}/transcription`);
      return normalizeWords(words.join(' '));
    });

    // The bar: each clip straight from its file (one at a time; the machine is small).
    const direct: string[] = [];
    for (const clip of CLIPS) direct.push(...normalizeWords((await recognizeFile(clipFile(clip))).join(' ')));
    const directWer = wordErrorRate(reference, direct);

    const audio = await buildPageAudio();
    // No autoplay: the tab is silent until capture is live, so the recognizer hears each clip
    // from its start (a fragment of speech cut by a rewind garbles pocketsphinx's first utterance).
    const speech = await startStaticServer({
      '/fidelity.html': { html: FIDELITY_PAGE },
      '/clips.wav': { file: audio.file, contentType: 'audio/wav' },
    });
    try {
      const page = await app.context.newPage();
      await page.goto(`${speech.origin}/fidelity.html`);
      await page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('#speech')?.readyState ?? 0) >= 4, undefined, { timeout: 10_000 });
      // The page plays nothing until capture is live (below), so there is no playback to wait for.
      await startCaptionsOnPlayingPage(app, page, { waitForPlayback: false });
      // Live: play the clips once from the start, all of it heard through the capture.
      await page.evaluate(() => {
        const element = document.querySelector<HTMLAudioElement>('#speech');
        if (!element) throw new Error('no #speech element');
        return element.play();
      });
      await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('#speech')?.ended === true, undefined, {
        timeout: (audio.seconds + 30) * 1000,
        polling: 250,
      });
      await saveScreenshot(page, testInfo, 'page-with-overlay');
      // Stop sends CloseStream: the engine finishes its last utterance before the session ends.
      await stopFromPopup(app, page);

      const panel = await openSidePanel(app.context, app.extensionId);
      let utterances: Awaited<ReturnType<typeof readUtterances>> = [];
      try {
        await expect
          .poll(async () => (utterances = await readUtterances(panel)).length, { timeout: 10_000, message: 'utterances in the side panel' })
          .toBeGreaterThan(0);
        // Let a late render settle, then read once more.
        await panel.waitForTimeout(500);
        utterances = await readUtterances(panel);
      } finally {
        await panel.close();
      }
      const browser = normalizeWords(utterances.map((u) => u.text).join(' '));
      const browserWer = wordErrorRate(reference, browser);

      const report = [
        describe('straight from the files', directWer),
        describe('through the browser', browserWer),
        `difference: ${((browserWer.rate - directWer.rate) * 100).toFixed(1)} points (allowed ${MAX_EXTRA_POINTS})`,
        '',
        `reference: ${reference.join(' ')}`,
        `files:     ${direct.join(' ')}`,
        `browser:   ${browser.join(' ')}`,
        '',
        ...utterances.map((u) => `[${u.time}] ${u.text}`),
      ].join('\n');
      console.log(report);
      await saveText(testInfo, 'wer.txt', report);
      testInfo.annotations.push({ type: 'WER from files', description: formatWer(directWer) });
      testInfo.annotations.push({ type: 'WER through the browser', description: formatWer(browserWer) });

      // The bar must mean something: the engine recognises these clips well from the files.
      expect(directWer.rate, 'pocketsphinx on the files (is the engine installed as expected?)').toBeLessThan(0.5);
      expect(browser.length, 'words came back through the browser path').toBeGreaterThan(reference.length / 2);
      expect(browserWer.rate * 100, report).toBeLessThanOrEqual(directWer.rate * 100 + MAX_EXTRA_POINTS);
    } finally {
      await speech.close();
    }
  });
});
