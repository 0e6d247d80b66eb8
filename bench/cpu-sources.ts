/**
 * `npm run bench:cpu -- --sources`: what a meeting (tab and microphone, two inputs, two channels)
 * costs next to captioning the tab alone, in the same browser and the same run.
 *
 * One Chromium with the extension and Chromium's fake microphone looping recorded speech; a page
 * loops the same speech. The sources take turns (`--rounds` times each, alternating, so machine
 * noise falls on both): start captions, let the session settle, measure `--seconds`, stop. Reports
 * per source the offscreen document's main-thread CPU (Performance.getMetrics TaskDuration) and the
 * whole extension renderer (offscreen + AudioWorklet thread + service worker, from /proc), as % of
 * one core, and the meeting's ratio over the tab alone.
 *
 * Options: --rounds N (default 2), --seconds S (default 60), --no-build, --json FILE. Not run in CI.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import type { CaptureSource } from '../lib/contract/messages';
import { grantToExtension, launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { configureExtension } from '../testkit/browser/options-page';
import { startCaptionsOnPlayingPage, stopCaptions } from '../testkit/captions/start-captions';
import { startSpeechPage } from '../testkit/captions/speech-page';
import { startProxy } from '../testkit/servers/proxy-process';
import { startFakeUpstream } from '../testkit/upstream';
import { prepareAudio } from '../scripts/prepare-audio';
import { attachTarget, sampleProcesses, usageBetween } from './cpu-probe';
import { buildBenchExtension } from './latency-build';

const FAKE_KEY = 'timed-upstream-key';
const SOURCES: readonly CaptureSource[] = ['tab', 'tab-and-mic'];

interface Options {
  rounds: number;
  seconds: number;
  build: boolean;
  json: string | null;
}

interface Reading {
  source: CaptureSource;
  offscreenMain: number;
  extensionProcess: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { rounds: 2, seconds: 60, build: true, json: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--sources') continue;
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--seconds') options.seconds = Number(value());
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--json') options.json = value();
    else throw new Error(`Unknown option ${arg}`);
  }
  if (!(Number.isInteger(options.rounds) && options.rounds >= 1) || !(options.seconds >= 10)) {
    throw new Error('--rounds must be a whole number >= 1, --seconds >= 10');
  }
  return options;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(browser: LaunchedBrowser, page: Page, source: CaptureSource, seconds: number): Promise<Reading> {
  await startCaptionsOnPlayingPage(browser, page, { source });
  await page.bringToFront();
  let offscreen = null;
  for (let i = 0; i < 50 && !offscreen; i++) {
    offscreen = await attachTarget(browser.cdp, (t) => t.url.endsWith('/offscreen.html'));
    if (!offscreen) await sleep(100);
  }
  if (!offscreen) throw new Error('No offscreen document target while captions are live');
  await sleep(5_000); // the socket open, the first results in
  const before = await sampleProcesses(browser.cdp);
  const metricsBefore = await offscreen.metrics();
  const start = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - start) / 1000;
  const after = await sampleProcesses(browser.cdp);
  const metricsAfter = await offscreen.metrics();
  await stopCaptions(browser, page);
  const task = (m: Record<string, number>) => m.TaskDuration ?? Number.NaN;
  return {
    source,
    offscreenMain: ((task(metricsAfter) - task(metricsBefore)) / wall) * 100,
    extensionProcess: usageBetween(before, after, wall).find((u) => u.role === 'extension')?.cpuPercent ?? Number.NaN,
  };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export async function benchSources(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  const audio = await prepareAudio();
  if (!audio.ok) throw new Error(audio.message);
  const extensionDir = buildBenchExtension(100, options.build, undefined);
  const upstream = await startFakeUpstream({ mode: 'timed', apiKey: FAKE_KEY, answer: 'captions' });
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const proxy = await startProxy({ env: { DEEPGRAM_API_KEY: FAKE_KEY, DEEPGRAM_URL: upstream.url, CAPTIONIST_TOKENS: token, LOG_LEVEL: 'warn' } });
  if (!proxy.ok) {
    await upstream.close();
    throw new Error(proxy.message);
  }
  const speech = await startSpeechPage(audio.audio.page, 'Captionist sources bench', true);
  let browser: LaunchedBrowser | undefined;
  try {
    // The fake microphone loops the speech for as long as the bench runs.
    const launched = await launchWithExtension({ headless: true, extensionDir, fakeMic: { wav: audio.audio.mic, once: false } });
    if (!launched.ok) throw new Error(launched.message);
    browser = launched.browser;
    const configured = await configureExtension(browser.context, browser.extensionId, { proxyUrl: proxy.proxy.url, token });
    if (!configured.ok) throw new Error(configured.message);
    await grantToExtension(browser, ['microphone']);
    const page = await browser.context.newPage();
    for (const other of browser.context.pages()) if (other !== page) await other.close();
    await page.goto(speech.url);
    const readings: Reading[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const source of round % 2 === 0 ? SOURCES : [...SOURCES].reverse()) {
        console.error(`round ${round + 1}: ${source}, ${options.seconds} s`);
        readings.push(await measure(browser, page, source, options.seconds));
      }
    }
    console.log('');
    console.log(`bench:cpu --sources: ${options.rounds} round(s) of ${options.seconds} s per source, alternating; % of one core`);
    console.log('source        offscreen main  extension process');
    const summary = SOURCES.map((source) => {
      const mine = readings.filter((r) => r.source === source);
      return { source, offscreenMain: mean(mine.map((r) => r.offscreenMain)), extensionProcess: mean(mine.map((r) => r.extensionProcess)) };
    });
    for (const s of summary) {
      console.log(`${s.source.padEnd(13)} ${s.offscreenMain.toFixed(2).padStart(14)} ${s.extensionProcess.toFixed(2).padStart(18)}`);
    }
    const [tab, meeting] = summary;
    if (tab && meeting) {
      console.log(
        `ratio tab-and-mic / tab: offscreen main ${(meeting.offscreenMain / tab.offscreenMain).toFixed(2)}, extension process ${(meeting.extensionProcess / tab.extensionProcess).toFixed(2)}`,
      );
    }
    if (options.json) await writeFile(options.json, JSON.stringify({ options, readings, summary }, null, 2));
  } finally {
    await browser?.close();
    await speech.server.close();
    await proxy.proxy.stop();
    await upstream.close();
  }
}
