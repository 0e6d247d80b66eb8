/**
 * `npm run bench:cpu`: what captioning costs the machine, in the real extension in Chromium.
 *
 * A page loops recorded speech. First it plays without captions (`--baseline-minutes`, default 1),
 * then captions run for `--minutes` (default 5) through the real proxy to a fake upstream that
 * sends ordinary caption traffic (an interim every 0.5 s of audio, a final every 3 s), so the
 * overlay renders as it would with Deepgram. Every `--sample-seconds` (default 10) it records:
 *
 * - per process (CDP SystemInfo.getProcessInfo + /proc): CPU time and resident memory of the
 *   extension's renderer (offscreen document + its AudioWorklet thread + service worker), the
 *   page's renderer(s), the browser process and the GPU process;
 * - per target (CDP Performance.getMetrics): main-thread task time and JS heap of the offscreen
 *   document and of the page.
 *
 * Reports CPU as % of one core, the page's CPU with captions over without (a ratio), and memory
 * at the start and end of the captioned stretch with its slope (flat = no leak).
 * Then it presses Stop and reports the extension's memory before Start, at the end of the session
 * and `--after-stop-seconds` (default 5) after Stop, with the JS heap of every extension target
 * still alive (bench/cpu-memory.ts): after Stop it should be back near where it started. A last
 * reading follows a simulated memory-pressure signal, which separates memory still held from
 * memory freed but not yet returned to the system.
 * Targets: offscreen document <= 3 % of one core while streaming; memory flat; back near idle after Stop.
 *
 * Options: --minutes M, --baseline-minutes M, --sample-seconds S, --after-stop-seconds S,
 * --long-transcripts [WORDS] (the upstream sends a final of WORDS 100-character words, default
 * 1000, every 0.5 s: a hostile recognizer, to see what a session may hold), --side-panel (keep the
 * side panel page open through the session, as a user reading along would), --no-build,
 * --git-ref REF (build a commit, not the work tree), --json FILE.
 * `--sources` instead compares a meeting (tab and microphone) with the tab alone (bench/cpu-sources.ts).
 * Not run in CI.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { BYTES_PER_SECOND } from '../lib/audio/format';
import { launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { configureExtension } from '../testkit/browser/options-page';
import { startCaptionsOnPlayingPage, stopCaptions } from '../testkit/captions/start-captions';
import { startProxy } from '../testkit/servers/proxy-process';
import { prepareAudio } from '../scripts/prepare-audio';
import { startSpeechPage } from '../testkit/captions/speech-page';
import { startFakeUpstream } from '../testkit/upstream';
import { attachTarget, mb, sampleProcesses, threadTimes, threadUsage, usageBetween, type AttachedTarget, type ProcessSample, type RoleUsage } from './cpu-probe';
import { memoryMoment, printMemoryMoments, type MemoryMoment } from './cpu-memory';
import { buildBenchExtension } from './latency-build';
import { benchSources } from './cpu-sources';

const FAKE_KEY = 'timed-upstream-key';

interface Options {
  minutes: number;
  baselineMinutes: number;
  sampleSeconds: number;
  afterStopSeconds: number;
  /** Words per final from a hostile upstream; null: ordinary caption traffic. */
  longTranscripts: number | null;
  sidePanel: boolean;
  build: boolean;
  gitRef: string | undefined;
  json: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    minutes: 5,
    baselineMinutes: 1,
    sampleSeconds: 10,
    afterStopSeconds: 5,
    longTranscripts: null,
    sidePanel: false,
    build: true,
    gitRef: undefined,
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--minutes') options.minutes = Number(value());
    else if (arg === '--baseline-minutes') options.baselineMinutes = Number(value());
    else if (arg === '--sample-seconds') options.sampleSeconds = Number(value());
    else if (arg === '--after-stop-seconds') options.afterStopSeconds = Number(value());
    else if (arg === '--long-transcripts') {
      const next = argv[i + 1];
      options.longTranscripts = next !== undefined && /^\d+$/.test(next) ? Number(argv[++i]) : 1000;
    } else if (arg === '--side-panel') options.sidePanel = true;
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--git-ref') options.gitRef = value();
    else if (arg === '--json') options.json = value();
    else throw new Error(`Unknown option ${arg}`);
  }
  if (!(options.minutes > 0) || !(options.baselineMinutes > 0) || !(options.sampleSeconds >= 1) || !(options.afterStopSeconds >= 0)) {
    throw new Error('--minutes and --baseline-minutes must be > 0, --sample-seconds >= 1, --after-stop-seconds >= 0');
  }
  return options;
}

interface Sample {
  /** Seconds since the captioned stretch began. */
  t: number;
  processes: ProcessSample[];
  offscreen: Record<string, number> | null;
  page: Record<string, number> | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now() / 1000;

/** Least-squares slope of y over x (per unit of x). */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** Main-thread CPU of a target between two metric readings, % of one core. */
function taskPercent(a: Record<string, number> | null, b: Record<string, number> | null, seconds: number): number {
  if (!a || !b || a.TaskDuration === undefined || b.TaskDuration === undefined) return Number.NaN;
  return ((b.TaskDuration - a.TaskDuration) / seconds) * 100;
}

const roleRss = (processes: readonly ProcessSample[], role: string) =>
  processes.filter((p) => p.role === role).reduce((sum, p) => sum + (p.rssBytes ?? 0), 0);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const audio = await prepareAudio();
  if (!audio.ok) throw new Error(audio.message);
  const extensionDir = buildBenchExtension(100, options.build, options.gitRef);

  const upstream = await startFakeUpstream(
    options.longTranscripts === null
      ? { mode: 'timed', apiKey: FAKE_KEY, answer: 'captions' }
      : { mode: 'timed', apiKey: FAKE_KEY, answer: 'long-captions', longWords: options.longTranscripts },
  );
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const proxy = await startProxy({ env: { DEEPGRAM_API_KEY: FAKE_KEY, DEEPGRAM_URL: upstream.url, CAPTIONIST_TOKENS: token, LOG_LEVEL: 'warn' } });
  if (!proxy.ok) {
    await upstream.close();
    throw new Error(proxy.message);
  }
  const speech = await startSpeechPage(audio.audio.page, 'Captionist CPU bench', true);
  let browser: LaunchedBrowser | undefined;
  try {
    const launched = await launchWithExtension({ headless: true, extensionDir });
    if (!launched.ok) throw new Error(launched.message);
    browser = launched.browser;
    const configured = await configureExtension(browser.context, browser.extensionId, { proxyUrl: proxy.proxy.url, token });
    if (!configured.ok) throw new Error(configured.message);
    const page = await browser.context.newPage();
    for (const other of browser.context.pages()) if (other !== page) await other.close();
    await page.goto(speech.url);
    await page.waitForFunction(() => {
      const element = document.querySelector<HTMLAudioElement>('#speech');
      return !!element && !element.paused && element.currentTime > 0.2;
    });
    const pageTarget = await attachTarget(browser.cdp, (t) => t.type === 'page' && t.url === speech.url);
    if (options.sidePanel) {
      const panel = await browser.context.newPage();
      await panel.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`);
    }

    // Without captions: the page alone plays audio.
    console.error(`baseline: page playing, no captions, ${options.baselineMinutes} min`);
    const baseStart = now();
    const baseProcesses = await sampleProcesses(browser.cdp);
    const basePageMetrics = (await pageTarget?.metrics()) ?? null;
    await sleep(options.baselineMinutes * 60_000);
    const baseSeconds = now() - baseStart;
    const baseEndProcesses = await sampleProcesses(browser.cdp);
    const baseUsage = usageBetween(baseProcesses, baseEndProcesses, baseSeconds);
    const basePageTask = taskPercent(basePageMetrics, (await pageTarget?.metrics()) ?? null, baseSeconds);

    const moments: MemoryMoment[] = [await memoryMoment(browser.cdp, browser.extensionId, 'before Start')];
    console.error(`captions: ${options.minutes} min, a sample every ${options.sampleSeconds} s`);
    await startCaptionsOnPlayingPage(browser, page);
    await page.bringToFront();
    let offscreen: AttachedTarget | null = null;
    for (let i = 0; i < 50 && !offscreen; i++) {
      offscreen = await attachTarget(browser.cdp, (t) => t.url.endsWith('/offscreen.html'));
      if (!offscreen) await sleep(100);
    }
    if (!offscreen) throw new Error('No offscreen document target while captions are live');
    await sleep(5_000); // let the session settle (socket open, first results)

    const samples: Sample[] = [];
    const start = now();
    const take = async () => {
      samples.push({
        t: now() - start,
        processes: await sampleProcesses(browser!.cdp),
        offscreen: await offscreen.metrics().catch(() => null),
        page: (await pageTarget?.metrics().catch(() => null)) ?? null,
      });
    };
    await take();
    const extensionPid = samples[0]?.processes.find((p) => p.role === 'extension')?.pid;
    const threadsBefore = extensionPid === undefined ? new Map<string, number>() : threadTimes(extensionPid);
    const end = start + options.minutes * 60;
    while (now() < end) {
      await sleep(Math.min(options.sampleSeconds, end - now()) * 1000);
      await take();
      process.stderr.write(`  ${(now() - start).toFixed(0)} s, audio ${(upstream.traffic.audioBytes / BYTES_PER_SECOND).toFixed(0)} s sent\r`);
    }
    process.stderr.write('\n');
    moments.push(await memoryMoment(browser.cdp, browser.extensionId, 'end of session (live)'));
    await stopCaptions(browser, page);
    const stoppedAt = now();
    moments.push(await memoryMoment(browser.cdp, browser.extensionId, 'at Stop (idle)'));
    await sleep(Math.max(0, options.afterStopSeconds - (now() - stoppedAt)) * 1000);
    moments.push(await memoryMoment(browser.cdp, browser.extensionId, `${options.afterStopSeconds} s after Stop`));
    // What is left in RSS but no longer held: Chrome returns freed memory to the system lazily; a
    // critical memory-pressure signal makes every process purge (and collect garbage) now.
    const pressed = await browser.cdp.send('Memory.simulatePressureNotification', { level: 'critical' }).then(
      () => true,
      (error: unknown) => console.error(`no memory-pressure reading: ${error instanceof Error ? error.message : String(error)}`),
    );
    if (pressed) {
      await sleep(2_000);
      moments.push(await memoryMoment(browser.cdp, browser.extensionId, 'then after a memory-pressure signal'));
    }

    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) throw new Error('no samples');
    const seconds = last.t - first.t;
    const threads = extensionPid === undefined ? [] : threadUsage(threadsBefore, threadTimes(extensionPid), seconds);
    const usage = usageBetween(first.processes, last.processes, seconds);
    const offscreenTask = taskPercent(first.offscreen, last.offscreen, seconds);
    const pageTask = taskPercent(first.page, last.page, seconds);
    const role = (list: RoleUsage[], name: string) => list.find((u) => u.role === name);
    const pct = (u: RoleUsage | undefined) => (u ? u.cpuPercent.toFixed(2).padStart(6) : '     -');

    // Per-minute slopes of memory over the captioned stretch.
    const minutes = (s: Sample) => s.t / 60;
    const extRss = samples.map((s) => [minutes(s), roleRss(s.processes, 'extension')] as [number, number]);
    const offHeap = samples.filter((s) => s.offscreen?.JSHeapUsedSize !== undefined).map((s) => [minutes(s), s.offscreen?.JSHeapUsedSize ?? 0] as [number, number]);
    const pageRss = samples.map((s) => [minutes(s), roleRss(s.processes, 'page')] as [number, number]);
    const pageHeap = samples.filter((s) => s.page?.JSHeapUsedSize !== undefined).map((s) => [minutes(s), s.page?.JSHeapUsedSize ?? 0] as [number, number]);

    const basePage = role(baseUsage, 'page');
    const capPage = role(usage, 'page');
    console.log('');
    if (options.longTranscripts !== null) console.log(`upstream: hostile, a final of ${options.longTranscripts} 100-character words every 0.5 s of audio`);
    console.log(`bench:cpu: ${(seconds / 60).toFixed(1)} min captioned (after ${(baseSeconds / 60).toFixed(1)} min without), ${samples.length} samples; ${(upstream.traffic.audioBytes / BYTES_PER_SECOND).toFixed(0)} s of audio sent, ${upstream.traffic.audioMessages} messages`);
    console.log('');
    console.log('CPU, % of one core             without  with captions');
    console.log(`extension renderer (all threads)  ${pct(role(baseUsage, 'extension'))}  ${pct(role(usage, 'extension'))}   offscreen + AudioWorklet + service worker`);
    console.log(`  offscreen main thread                ${Number.isFinite(offscreenTask) ? offscreenTask.toFixed(2).padStart(6) : '     -'}   (Performance.getMetrics TaskDuration)`);
    for (const thread of threads.slice(0, 6)) console.log(`  thread ${thread.name.padEnd(25)}      ${thread.cpuPercent.toFixed(2).padStart(6)}   (/proc)`);
    console.log(`page renderer(s) (all threads)    ${pct(basePage)}  ${pct(capPage)}   ratio ${basePage && capPage ? (capPage.cpuPercent / basePage.cpuPercent).toFixed(2) : '-'}`);
    console.log(`  page main thread                ${Number.isFinite(basePageTask) ? basePageTask.toFixed(2).padStart(6) : '     -'}  ${Number.isFinite(pageTask) ? pageTask.toFixed(2).padStart(6) : '     -'}   ratio ${Number.isFinite(basePageTask) && Number.isFinite(pageTask) ? (pageTask / basePageTask).toFixed(2) : '-'}`);
    console.log(`browser process                   ${pct(role(baseUsage, 'browser'))}  ${pct(role(usage, 'browser'))}   (tab capture runs here)`);
    console.log(`GPU process                       ${pct(role(baseUsage, 'gpu'))}  ${pct(role(usage, 'gpu'))}`);
    const audioRole = role(usage, 'audio');
    if (audioRole) console.log(`audio service                     ${pct(role(baseUsage, 'audio'))}  ${pct(audioRole)}`);
    console.log('');
    console.log('memory over the captioned stretch     start     end   slope');
    const row = (label: string, points: [number, number][]) => {
      const a = points[0]?.[1];
      const b = points.at(-1)?.[1];
      console.log(`${label.padEnd(34)} ${a === undefined ? '-' : `${mb(a)} MB`.padStart(8)} ${b === undefined ? '-' : `${mb(b)} MB`.padStart(8)}  ${(slope(points) / 1e6).toFixed(3)} MB/min`);
    };
    row('extension renderer RSS', extRss);
    row('offscreen JS heap used', offHeap);
    row('page renderer(s) RSS', pageRss);
    row('page JS heap used', pageHeap);
    const baseMinutes = baseSeconds / 60;
    row('without captions: page RSS', [[0, roleRss(baseProcesses, 'page')], [baseMinutes, roleRss(baseEndProcesses, 'page')]]);
    row('without captions: extension RSS', [[0, roleRss(baseProcesses, 'extension')], [baseMinutes, roleRss(baseEndProcesses, 'extension')]]);
    console.log('');
    printMemoryMoments(moments);
    console.log('');
    const offscreenOk = Number.isFinite(offscreenTask) && offscreenTask <= 3;
    const extension = role(usage, 'extension');
    console.log(`target: offscreen <= 3 % of one core: main thread ${offscreenTask.toFixed(2)} % ${offscreenOk ? 'ok' : 'OVER'}; whole extension process ${extension ? extension.cpuPercent.toFixed(2) : '-'} % ${extension && extension.cpuPercent <= 3 ? 'ok' : 'over'}`);

    if (options.json) {
      await writeFile(options.json, JSON.stringify({ options, baseUsage, basePageTask, usage, offscreenTask, pageTask, threads, samples, moments }, null, 2));
    }
  } finally {
    await browser?.close();
    await speech.server.close();
    await proxy.proxy.stop();
    await upstream.close();
  }
}

// `--sources`: the meeting (tab and microphone) against the tab alone, in one run (bench/cpu-sources.ts).
const run = process.argv.includes('--sources') ? benchSources(process.argv.slice(2)) : main();
run.catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exitCode = 1;
});
