/**
 * `npm run bench:latency`: caption latency in the real extension, in Debian's Chromium.
 *
 * A page plays an event sound (1 kHz tone burst with a sharp onset, then speech) every
 * `--spacing` seconds through Web Audio, on the audio clock. The extension captures the tab
 * (offscreen AudioContext -> PCM worklet: 16 kHz, 20 ms frames -> VAD gate -> socket batches) and
 * streams to the real proxy, whose upstream (DEEPGRAM_URL) is a timed fake that finds each burst
 * onset in the PCM it receives and answers at once with a final Results `mark<N>`.
 *
 *   capture -> proxy : burst rendered in the tab -> the message holding its onset reaches the fake
 *                      upstream (through the proxy). Target p95 <= 150 ms with VAD on.
 *   result -> screen : the Results leaves the fake upstream -> `mark<N>` is in the overlay's DOM,
 *                      and the next animation frame (paint). Target p95 <= 50 ms.
 *
 * Clocks: the page and Node both read performance.timeOrigin + performance.now() (ms since the
 * epoch); the offset between them is measured by round trips (the one with the smallest round
 * trip wins) before and after the run, and the drift is printed.
 *
 * Options:
 *   --events N        events per run (default 110)
 *   --spacing S       seconds between events (default 2.0: speech 0.8 s, hangover, gate closed again)
 *   --batch-ms LIST   socket batch sizes to build and run, e.g. 100,40,20 (default 100)
 *   --vad LIST        on, off or on,off (default on)
 *   --all             the full matrix: batch 100 (VAD on, off, on + flush on open), 40 and 20 (VAD on)
 *   --no-build        reuse the builds in .cache/latency-build/
 *   --git-ref REF     build that commit (git archive) instead of the work tree
 *   --flush-on-open   build with the proposed flush of the partial batch when the gate opens
 *   --json FILE       also write every measurement as JSON
 *   --local-engine    instead: the real local engine (no Deepgram), speech -> first interim and
 *                     -> final on screen (bench/latency-local.ts); --events, --spacing (default 4)
 * Not run in CI: timing on a shared machine is noise there.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { BYTES_PER_SECOND } from '../lib/audio/format';
import { launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { evaluateInOverlayWorld, runInEveryOverlayWorld } from '../testkit/browser/overlay-world';
import { configureExtension } from '../testkit/browser/options-page';
import { startProxy } from '../testkit/servers/proxy-process';
import { startStaticServer } from '../testkit/browser/static-server';
import { startCaptionsOnPlayingPage } from '../testkit/captions/start-captions';
import { buildLatencyAudio, TONE_HZ } from './latency-audio';
import {
  latencyPageHtml,
  readOverlayPaints,
  watchOverlayPaints,
  type LatencyPageApi,
  type PageRecord,
  type PrepareResult,
} from './latency-page';
import { epochMs, startFakeUpstream, type UpstreamTraffic } from '../testkit/upstream';
import { ToneOnsetDetector } from '../testkit/upstream/tone-onset';
import { sampleProcesses, usageBetween } from './cpu-probe';
import { buildBenchExtension } from './latency-build';
import { printLocalEngineReport, runLocalEngine } from './latency-local';
import { bestCalibration, matchOnsets, matchPaints, placeEvents, summarize, type Calibration, type Summary } from './latency-measure';

const FAKE_KEY = 'timed-upstream-key';
const LEAD_SECONDS = 1.5;
/** Events move later by up to one 100 ms batch, so onsets sample every phase of frames and batches. */
const JITTER_SECONDS = 0.1;
/** VAD parameters of lib/audio/vad.ts at the default sensitivity 0.5 (printed with the results). */
const VAD_DESCRIPTION = 'sensitivity 0.5, pre-roll 400 ms, hangover 600 ms, opens on 2 strong 20 ms frames';

interface Options {
  events: number;
  spacing: number;
  batches: number[];
  vads: boolean[];
  build: boolean;
  gitRef: string | undefined;
  flushOnOpen: boolean;
  json: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { events: 110, spacing: 2, batches: [100], vads: [true], build: true, gitRef: undefined, flushOnOpen: false, json: null };
  let all = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--events') options.events = Number(value());
    else if (arg === '--spacing') options.spacing = Number(value());
    else if (arg === '--batch-ms') options.batches = value().split(',').map(Number);
    else if (arg === '--vad') options.vads = value().split(',').map((v) => v.trim() === 'on');
    else if (arg === '--all') all = true;
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--git-ref') options.gitRef = value();
    else if (arg === '--flush-on-open') options.flushOnOpen = true;
    else if (arg === '--json') options.json = value();
    else throw new Error(`Unknown option ${arg}`);
  }
  if (!(options.events >= 1) || !(options.spacing >= 1.2) || options.batches.some((b) => !(b >= 20 && b % 20 === 0))) {
    throw new Error('--events >= 1, --spacing >= 1.2 s, --batch-ms multiples of the 20 ms frame');
  }
  if (all) options.batches = [100, 40, 20];
  return options;
}

interface Variant {
  batchMs: number;
  vad: boolean;
  /** Built with the batcher flushed when the gate opens (see latency-wxt.config.ts). */
  flushOnOpen: boolean;
}

function variantsOf(options: Options, all: boolean): Variant[] {
  if (all) {
    return [
      { batchMs: 100, vad: true, flushOnOpen: false },
      { batchMs: 100, vad: false, flushOnOpen: false },
      { batchMs: 100, vad: true, flushOnOpen: true },
      { batchMs: 40, vad: true, flushOnOpen: false },
      { batchMs: 20, vad: true, flushOnOpen: false },
    ];
  }
  return options.batches.flatMap((batchMs) => options.vads.map((vad) => ({ batchMs, vad, flushOnOpen: options.flushOnOpen })));
}

async function calibrate(page: Page, rounds = 25): Promise<Calibration> {
  const samples: { sentMs: number; pageMs: number; receivedMs: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const sentMs = epochMs();
    const pageMs = await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.epochMs());
    samples.push({ sentMs, pageMs, receivedMs: epochMs() });
  }
  return bestCalibration(samples);
}

async function setVad(browser: LaunchedBrowser, enabled: boolean): Promise<void> {
  // The options page has no VAD switch yet: change the stored settings object where the build keeps
  // it (storage.sync in newer builds, storage.local before settings synced).
  const changed = await browser.serviceWorker.evaluate(async (vadEnabled) => {
    interface Area { get(key: string): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> }
    const storage = (globalThis as unknown as { chrome: { storage: { sync: Area; local: Area } } }).chrome.storage;
    let count = 0;
    for (const area of [storage.sync, storage.local]) {
      const current = (await area.get('settings')).settings;
      if (typeof current !== 'object' || current === null) continue;
      await area.set({ settings: { ...current, vadEnabled } });
      count++;
    }
    return count;
  }, enabled);
  if (changed === 0) throw new Error('No stored settings object to set vadEnabled in (has the storage layout changed?)');
}

interface RunResult {
  variant: Variant;
  page: PrepareResult;
  calibrationBefore: Calibration;
  calibrationAfter: Calibration;
  events: number;
  capture: { fromRender: Summary; fromOutput: Summary | null; missed: number[] };
  screen: { toDom: Summary; toFrame: Summary; toNextFrame: Summary; missing: string[] };
  traffic: Omit<UpstreamTraffic, 'messageSizes'> & { messageSizes: Record<string, number> };
  extensionCpuPercent: number;
  /** Wall time of the scheduled events. */
  runSeconds: number;
  raw: { capture: number[]; screen: number[] };
}

async function runVariant(variant: Variant, extensionDir: string, eventWav: string, options: Options): Promise<RunResult> {
  const upstream = await startFakeUpstream({ mode: 'timed', apiKey: FAKE_KEY, answer: 'markers', toneHz: TONE_HZ });
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const proxy = await startProxy({ env: { DEEPGRAM_API_KEY: FAKE_KEY, DEEPGRAM_URL: upstream.url, CAPTIONIST_TOKENS: token, LOG_LEVEL: 'warn' } });
  if (!proxy.ok) {
    await upstream.close();
    throw new Error(proxy.message);
  }
  const server = await startStaticServer({
    '/latency.html': { html: latencyPageHtml() },
    '/event.wav': { file: eventWav, contentType: 'audio/wav' },
  });
  let browser: LaunchedBrowser | undefined;
  try {
    const launched = await launchWithExtension({ headless: true, extensionDir });
    if (!launched.ok) throw new Error(launched.message);
    browser = launched.browser;
    const configured = await configureExtension(browser.context, browser.extensionId, { proxyUrl: proxy.proxy.url, token });
    if (!configured.ok) throw new Error(configured.message);
    await setVad(browser, variant.vad);

    const page = await browser.context.newPage();
    for (const other of browser.context.pages()) if (other !== page) await other.close();
    await page.goto(`${server.origin}/latency.html`);
    const prepared = await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.prepare());

    // The latency page plays its tone bursts itself, on its own clock: nothing to wait for.
    await startCaptionsOnPlayingPage(browser, page, { waitForPlayback: false });
    await page.bringToFront();
    await runInEveryOverlayWorld(page, watchOverlayPaints, undefined);

    const calibrationBefore = await calibrate(page);
    const cpuBefore = await sampleProcesses(browser.cdp);
    const startedMs = epochMs();
    await page.evaluate(
      ([count, spacing, lead, jitter]) => (window as unknown as { __latency: LatencyPageApi }).__latency.schedule(count, spacing, lead, jitter),
      [options.events, options.spacing, LEAD_SECONDS, JITTER_SECONDS] as const,
    );
    const runSeconds = LEAD_SECONDS + options.events * options.spacing + JITTER_SECONDS + 1.5;
    const progressEvery = Math.max(10, Math.round(runSeconds / 10));
    for (let waited = 0; waited < runSeconds; waited += progressEvery) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(progressEvery, runSeconds - waited) * 1000));
      process.stderr.write(`  ${Math.min(runSeconds, waited + progressEvery).toFixed(0)}/${runSeconds.toFixed(0)} s, onsets ${upstream.onsets.length}\r`);
    }
    process.stderr.write('\n');
    const cpuAfter = await sampleProcesses(browser.cdp);
    const wallSeconds = (epochMs() - startedMs) / 1000;
    const calibrationAfter = await calibrate(page);
    const record: PageRecord = await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.record());
    await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.stop());
    const paints = await evaluateInOverlayWorld(page, readOverlayPaints, undefined, []);

    const offsetMs = (calibrationBefore.offsetMs + calibrationAfter.offsetMs) / 2;
    const events = placeEvents(record);
    const capture = matchOnsets(events, upstream.onsets, offsetMs, options.spacing * 1000);
    const screen = matchPaints(upstream.results, paints, offsetMs);
    const outputs = capture.latencies.map((l) => l.fromOutputMs).filter((v): v is number => v !== null);
    const extension = usageBetween(cpuBefore, cpuAfter, wallSeconds).find((u) => u.role === 'extension');
    return {
      variant,
      page: prepared,
      calibrationBefore,
      calibrationAfter,
      events: events.length,
      capture: {
        fromRender: summarize(capture.latencies.map((l) => l.fromRenderMs)),
        fromOutput: outputs.length > 0 ? summarize(outputs) : null,
        missed: capture.missed,
      },
      screen: {
        toDom: summarize(screen.latencies.map((l) => l.toDomMs)),
        toFrame: summarize(screen.latencies.map((l) => l.toFrameMs).filter((v): v is number => v !== null)),
        toNextFrame: summarize(screen.latencies.map((l) => l.toNextFrameMs).filter((v): v is number => v !== null)),
        missing: screen.missing,
      },
      traffic: { ...upstream.traffic, messageSizes: Object.fromEntries([...upstream.traffic.messageSizes].sort((a, b) => b[1] - a[1]).slice(0, 6)) },
      extensionCpuPercent: extension?.cpuPercent ?? Number.NaN,
      runSeconds: wallSeconds,
      raw: { capture: capture.latencies.map((l) => l.fromRenderMs), screen: screen.latencies.map((l) => l.toFrameMs ?? Number.NaN) },
    };
  } finally {
    await browser?.close();
    await server.close();
    await proxy.proxy.stop();
    await upstream.close();
  }
}

/** The fake upstream's detector must find the burst of the event sound, once, at its first sample. */
async function checkDetector(event16k: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const wav = await readFile(event16k);
  const dataAt = wav.indexOf('data') + 8;
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + dataAt, wav.byteOffset + wav.length - ((wav.length - dataAt) % 2)));
  const detector = new ToneOnsetDetector({ toneHz: TONE_HZ });
  const silence = new Int16Array(8000);
  const found = [...detector.push(silence, 0), ...detector.push(pcm, 1), ...detector.push(silence, 2), ...detector.push(pcm, 3)];
  const expected = [8000, 8000 + pcm.length + 8000];
  if (found.length !== 2 || found.some((f, i) => Math.abs(f.sample - (expected[i] ?? 0)) > 80)) {
    throw new Error(`The onset detector does not find the event's burst where it is: ${JSON.stringify(found)} vs ${JSON.stringify(expected)}`);
  }
}

const label = (v: Variant) => `${v.batchMs} ms batches, VAD ${v.vad ? 'on' : 'off'}${v.flushOnOpen ? ', flush on open' : ''}`;
const tag = (v: Variant) => `${String(v.batchMs).padStart(3)} ms ${(v.vad ? (v.flushOnOpen ? 'on+F' : 'on') : 'off').padEnd(4)}`;
const fmt = (s: Summary | null) => (s && s.count > 0 ? `${s.p50.toFixed(0).padStart(5)} ${s.p95.toFixed(0).padStart(5)} ${s.max.toFixed(0).padStart(5)}` : '    -     -     -');

/** Per-message overhead on the wire: WebSocket client frame 8 B (2 + 2 length + 4 mask) ... */
const WS_HEADER = 8;
/** ... plus, over wss on the internet, a TLS 1.3 record (5 + 16 tag + 1 type) and TCP/IPv4 with timestamps (52). */
const TLS_TCP = 22 + 52;

function printReport(results: RunResult[], options: Options): void {
  const first = results[0];
  console.log('');
  console.log(`bench:latency: ${options.events} events per run, ${options.spacing} s apart; 20 ms worklet frames (16 kHz Int16)`);
  if (first) {
    console.log(`page AudioContext ${first.page.sampleRate} Hz, baseLatency ${(first.page.baseLatency * 1000).toFixed(1)} ms, outputLatency ${(first.page.outputLatency * 1000).toFixed(1)} ms`);
  }
  console.log(`VAD (when on): ${VAD_DESCRIPTION}; on+F: the partial batch is sent as soon as the gate opens`);
  console.log('');
  console.log('capture -> proxy (ms): tab renders the burst -> its first byte reaches the upstream');
  console.log('batch  VAD   events  missed |  from render p50/p95/max |  from output p50/p95/max | clock rtt/drift');
  for (const r of results) {
    const drift = r.calibrationAfter.offsetMs - r.calibrationBefore.offsetMs;
    console.log(
      `${tag(r.variant)} ${String(r.capture.fromRender.count).padStart(6)} ${String(r.capture.missed.length).padStart(7)} |        ${fmt(r.capture.fromRender)} |        ${fmt(r.capture.fromOutput)} | ${Math.max(r.calibrationBefore.rttMs, r.calibrationAfter.rttMs).toFixed(1)} / ${drift.toFixed(1)} ms`,
    );
  }
  console.log('');
  console.log('result -> screen (ms): Results leaves the upstream -> text in the overlay DOM / next frame (paint) / frame after');
  console.log('batch  VAD   results missing |   DOM p50/p95/max |  paint p50/p95/max | frame after p50/p95/max');
  for (const r of results) {
    console.log(
      `${tag(r.variant)} ${String(r.screen.toFrame.count).padStart(7)} ${String(r.screen.missing.length).padStart(7)} | ${fmt(r.screen.toDom)} | ${fmt(r.screen.toFrame)} |       ${fmt(r.screen.toNextFrame)}`,
    );
  }
  console.log('');
  console.log('cost of the batch size (audio actually sent; VAD gating included)');
  console.log('batch  VAD   audio sent % of time  msgs/s of audio  mean msg B  ws hdr %  +TLS/TCP %  extension CPU % of a core');
  for (const r of results) {
    const audioSeconds = r.traffic.audioBytes / BYTES_PER_SECOND;
    const perSecond = r.traffic.audioMessages / Math.max(audioSeconds, 1e-9);
    const mean = r.traffic.audioBytes / Math.max(r.traffic.audioMessages, 1);
    console.log(
      `${tag(r.variant)} ${((audioSeconds / r.runSeconds) * 100).toFixed(0).padStart(20)} ${perSecond.toFixed(1).padStart(15)} ${mean.toFixed(0).padStart(11)} ${((WS_HEADER / mean) * 100).toFixed(2).padStart(9)} ${(((WS_HEADER + TLS_TCP) / mean) * 100).toFixed(2).padStart(11)} ${r.extensionCpuPercent.toFixed(1).padStart(26)}`,
    );
  }
  console.log('');
  console.log('targets: capture -> proxy p95 <= 150 ms with VAD on; result -> screen (paint) p95 <= 50 ms');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--local-engine')) {
    await mainLocalEngine(argv.filter((arg) => arg !== '--local-engine'));
    return;
  }
  const options = parseArgs(argv);
  const variants = variantsOf(options, argv.includes('--all'));
  const audio = await buildLatencyAudio();
  if (!audio.ok) throw new Error(audio.message);
  await checkDetector(audio.audio.event16k);
  const results: RunResult[] = [];
  const built = new Map<string, string>();
  for (const variant of variants) {
    const key = `${variant.batchMs}/${variant.flushOnOpen}`;
    let extensionDir = built.get(key);
    if (!extensionDir) {
      extensionDir = buildBenchExtension(variant.batchMs, options.build, options.gitRef, variant.flushOnOpen);
      built.set(key, extensionDir);
    }
    console.error(`run: ${label(variant)}, ${options.events} events`);
    results.push(await runVariant(variant, extensionDir, audio.audio.event48k, options));
  }
  printReport(results, options);
  if (options.json) await writeFile(options.json, JSON.stringify(results, null, 2));
}

/** The local engine's own run: one variant (100 ms batches, VAD on), its own report. */
async function mainLocalEngine(argv: string[]): Promise<void> {
  const spacingGiven = argv.includes('--spacing');
  const options = parseArgs(argv);
  // An utterance needs its ~0.5 s of silence (or the 0.8 s sending gap) and its decode to end.
  const spacing = spacingGiven ? options.spacing : 4;
  const audio = await buildLatencyAudio();
  if (!audio.ok) throw new Error(audio.message);
  const extensionDir = buildBenchExtension(100, options.build, options.gitRef, false);
  console.error(`run: local engine, ${options.events} events, ${spacing} s apart`);
  const run = await runLocalEngine(extensionDir, audio.audio.event48k, options.events, spacing);
  printLocalEngineReport(run, spacing);
  if (options.json) await writeFile(options.json, JSON.stringify(run, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
