/**
 * `npm run bench:proxy [-- --streams 100,500 --seconds 5 --runs 5 --json FILE --proxy-dir DIR]`
 *
 * N concurrent real-time streams (16 kHz linear16, 100 ms frames) sent straight to a fake Deepgram,
 * then the same streams through the proxy to the same fake, in one run. Three latencies:
 *
 * - Audio, one way, every frame: the load generator stamps each frame with its send time
 *   (process.hrtime, a clock all processes on the machine share) and the fake reads it on arrival
 *   (bench/proxy-frame-stamp.ts). This is the latency the proxy adds to the audio.
 * - Results, round trip: the fake sends a Results (interim, then final) each time the audio
 *   completes a scripted word; the time from sending that frame to receiving its Results covers
 *   both directions through the proxy. (Deepgram itself sends interims about once a second, so one
 *   message per 300 ms is a heavier downstream load than real use.)
 * - Results, one way down: the fake puts its send time in front of each message, and the load
 *   generator reads it when the message arrives.
 *
 * Streams start their 100 ms periods at phases spread evenly over the period, 1 ms apart (stream i
 * at i mod 100 ms): real clients start whenever their users do, so the proxy sees frames arrive
 * evenly, not all at once. (5 ms slots, as before, made 2,000 streams arrive as bursts of 100
 * frames, a load no deployment sees.)
 *
 * Everything runs on loopback: three processes (this load generator, the proxy, the fake) share
 * the machine's cores, as they would not in production. So while the proxy carries its N streams,
 * a tenth as many "control" streams go straight to the fake from the same processes, in the same
 * phases: they feel the same machine load without the proxy hop, and "added" is measured against
 * them. The direct run without the proxy (the issue's baseline) is shown too; the difference between
 * the two baselines is what the proxy's CPU costs the harness on a shared machine.
 *
 * Proxy CPU and memory come from /proc for the proxy process alone (restarted for each N so memory
 * starts from a clean heap). The proxy's own event-loop delay over the measured window comes from its
 * /metrics, as an operator would read it: unlike the added latencies it does not depend on how the
 * harness is scheduled, so it tells whether a bad p99 was the proxy's doing.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { messageAgeMs, percentile, StampGroup, summarize, type LatencySummary } from './proxy-frame-stamp';
import { formatRunsSummary, type RunRecord, type RunStep } from './proxy-runs';
import { connectBenchWebSocket, encodeAudioFrame, stampEncodedFrame, unstampEncodedFrame, type BenchWebSocket } from './proxy-ws-client';

export const KEY = 'bench-deepgram-key';
export const TOKEN = 'bench-client-token-5e8b2f7a1c9d4e6b3a0f';
const FRAME_MS = 100;
const FRAME_BYTES = 3200; // 100 ms of 16 kHz mono linear16 (silence, but for the stamp: the fake does not listen)
/** Each stream cycles through this many encoded frames: the socket may hold on to a buffer it could
 * not write at once, so a buffer is stamped again only 400 ms after it was handed over. */
const FRAME_RING = 4;
const SLOT_MS = 1;
const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true';
const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_KIB = 4;

/** Run as `npm run bench:proxy`, not imported by another bench (bench/cluster.ts), which brings its own flags. */
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const { values: args } = parseArgs({
  args: isMain ? process.argv.slice(2) : [],
  options: {
    streams: { type: 'string', default: '100,500,1000,2000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    // Pin the proxy to the last core and the load generator and fake to the others, so the proxy
    // competes with its own test harness as little as the machine allows.
    pin: { type: 'boolean', default: false },
    // Audio per scripted word: the fake sends a Results (interim or final) each time one completes.
    'ms-per-word': { type: 'string', default: '300' },
    // Another checkout's proxy under the same harness (e.g. an export of an older commit with its
    // own node_modules link), to compare proxy code before and after a change in one run.
    'proxy-dir': { type: 'string' },
    // Repeat the whole sweep and print the median and range per N (bench/proxy-runs.ts): one run's
    // p99 at the machine's edge is not a figure that reproduces.
    runs: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const cores = availableParallelism();
const proxyCore = String(cores - 1);
const harnessCores = cores > 1 ? `0-${cores - 2}` : '0';
if (args.pin && cores > 1) spawnSync('taskset', ['-a', '-p', '-c', harnessCores, String(process.pid)], { stdio: 'ignore' });
const streamCounts = args.streams.split(',').map(Number);
let measureMs = Number(args.seconds) * 1000;
let warmupMs = Number(args.warmup) * 1000;
const msPerWord = Number(args['ms-per-word']);
let maxFrames = Math.ceil((warmupMs + measureMs) / FRAME_MS) + 100;

/** For a bench that imports runPhase: its own measured window and warm-up, in seconds. */
export function setPhaseTiming(seconds: number, warmup: number): void {
  measureMs = seconds * 1000;
  warmupMs = warmup * 1000;
  maxFrames = Math.ceil((warmupMs + measureMs) / FRAME_MS) + 100;
}

interface Probe {
  ws: BenchWebSocket;
  group: StampGroup;
  slot: number;
  ring: Buffer[];
  /** Frames sent so far; frame k carries audio up to k * 100 ms. */
  frames: number;
  /** Send time of frame k (performance.now()), negated for warm-up frames. */
  sentAt: Float64Array;
}

export interface GroupResult {
  /** Results round trips (ms) of frames sent in the measured window, sorted. */
  latencies: number[];
  /** The same Results' way down alone (the fake sends -> the client has it), ms, sorted. */
  down: number[];
  /** One-way audio latency of every frame sent in the measured window, as the fake timed it. */
  frames: LatencySummary;
  framesSent: number;
  answered: number;
  failedStreams: number;
}

export interface PhaseResult {
  /** Whole-machine CPU busy while measuring, in % of one core (200 = both cores of two). */
  machineCpuPercent: number;
  /** Proxy RSS with all streams connected, before audio flows. */
  connectedRssKiB: number;
  /** CPU of the proxy while streaming (measured window only), % of one core. */
  proxyCpuPercent: number;
  /** The kernel-mode part of proxyCpuPercent. */
  proxySysPercent: number;
  /** CPU of the fake upstream over the phase, % of one core. */
  fakeCpuPercent: number;
  /** By stream group: the measured streams, and in the proxied phase the control streams. */
  groups: Map<StampGroup, GroupResult>;
  /** This process's CPU over the measured window (process.cpuUsage), % of one core. */
  loadGenCpuPercent: number;
  /** The kernel-mode part of loadGenCpuPercent. */
  loadGenSysPercent: number;
  /** The proxy's event-loop delay over the measured window, from its own /metrics. */
  proxyLoopDelay?: LoopDelay;
  /** CPU over the measured window of each process in pids.watch, % of one core, in that order. */
  watchedCpuPercent: number[];
}

/** How late the proxy's event loop ran, ms: how long a message that has arrived can wait for the proxy to read it. */
interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * node:http, not fetch: the first fetch() loads undici, which held this process's event loop for
 * long enough that the frames it then sent in a burst made the proxy's p99 look ten times worse.
 */
function httpGetText(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve(text));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** prom-client samples the event loop with a 10 ms timer (monitorEventLoopDelay) and reports whole intervals. */
const LOOP_SAMPLE_MS = 10;

/**
 * The proxy's event-loop delay since the previous scrape, read from its /metrics as an operator would
 * (prom-client resets the histogram at each scrape). Unlike the added latencies, this is the proxy's
 * own figure, untouched by the harness's scheduling and pauses: time the proxy was busy or waiting
 * for a core while messages queued.
 */
async function scrapeLoopDelay(metricsUrl: string): Promise<LoopDelay> {
  // The listen port serves metrics to a client token (proxy/server.ts, serveMetrics).
  const text = await httpGetText(metricsUrl, { Authorization: `Token ${TOKEN}` });
  const read = (name: string): number => {
    const value = new RegExp(`^captionist_proxy_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? Number.NaN : Math.max(0, Number(value) * 1000 - LOOP_SAMPLE_MS);
  };
  // An empty histogram (no timer tick between the two scrapes: under heavy load the window's first
  // scrape can reach the proxy only just before the last) reads 0 for every percentile and the
  // largest int64 for its minimum: report "no sample" rather than a loop that was never late.
  const minSeconds = Number(new RegExp('^captionist_proxy_nodejs_eventloop_lag_min_seconds (\\S+)$', 'm').exec(text)?.[1]);
  if (!(minSeconds < 3600)) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  return { p50: read('p50'), p99: read('p99'), max: read('max') };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  core?: string,
): Promise<{ child: ChildProcessWithoutNullStreams; line: string }> {
  // `node --import tsx` keeps it one process, so /proc shows the proxy's own CPU and memory.
  // BENCH_PROXY_NODE_ARGS (e.g. --cpu-prof, --trace-gc) goes to the proxy, BENCH_FAKE_NODE_ARGS to
  // the fake, for profiling.
  const extraArgs = script === 'proxy/main.ts' ? process.env.BENCH_PROXY_NODE_ARGS : process.env.BENCH_FAKE_NODE_ARGS;
  const extra = (extraArgs ?? '').split(' ').filter((arg) => arg !== '');
  const command = [process.execPath, ...extra, '--import', 'tsx', script];
  const pinned = args.pin && cores > 1 && core !== undefined ? ['taskset', '-c', core, ...command] : command;
  const cwd = script === 'proxy/main.ts' ? args['proxy-dir'] : undefined;
  const child = spawn(pinned[0] ?? process.execPath, pinned.slice(1), { env: { ...process.env, ...env }, ...(cwd === undefined ? {} : { cwd }) });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((candidate) => ready.test(candidate));
      if (line !== undefined) resolve({ child, line });
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    // Past the ready line, a child's stdout (e.g. --trace-gc) goes to our stderr when asked.
    if (process.env.BENCH_CHILD_STDOUT) child.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

export async function stopProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Kernel-mode CPU seconds of a process (on loopback, most of a relay's work is in the TCP stack). */
function processSysSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[12]) / CLOCK_TICKS;
}

export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineJiffies(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

function processRssKiB(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return Number(fields[1]) * PAGE_KIB;
}

/**
 * Which frame a Results message answers: the fake sends a message when audio completes a word or
 * an utterance, and its start + duration is the audio received at that moment (frame k: k x 100 ms).
 * Read from the first top-level fields with indexOf, so measuring costs less than parsing JSON.
 */
function answeredFrame(data: Buffer): number | undefined {
  const field = (name: string): number => {
    const at = data.indexOf(name);
    if (at === -1) return Number.NaN;
    const from = at + name.length;
    const comma = data.indexOf(44, from); // ','
    return Number.parseFloat(data.toString('latin1', from, comma === -1 ? from + 20 : comma));
  };
  const end = field('"start":') + field('"duration":');
  return Number.isFinite(end) ? Math.round((end * 1000) / FRAME_MS) : undefined;
}

export interface StreamGroup {
  group: StampGroup;
  url: string;
  headers: Record<string, string>;
  count: number;
}

async function openStreams({ group, url, headers, count }: StreamGroup): Promise<Probe[]> {
  const probes: Probe[] = [];
  const batch = 100;
  for (let first = 0; first < count; first += batch) {
    const opening: Promise<Probe>[] = [];
    for (let index = first; index < Math.min(count, first + batch); index += 1) {
      // Every stream, proxied or control, uses the same bare client (bench/proxy-ws-client.ts):
      // pre-encoded, pre-masked frames, so the generator costs the shared machine little.
      opening.push(
        connectBenchWebSocket(`${url}?${QUERY}`, headers).then((ws) => ({
          ws,
          group,
          // Stream i starts at phase i mod 100 ms (1 ms apart): an even spread, as independent clients give.
          slot: index % (FRAME_MS / SLOT_MS),
          ring: Array.from({ length: FRAME_RING }, () => encodeAudioFrame(FRAME_BYTES)),
          frames: 0,
          sentAt: new Float64Array(maxFrames),
        })),
      );
    }
    probes.push(...(await Promise.all(opening)));
  }
  return probes;
}

/**
 * Streams in real time for warmup + measurement: Results round trips of frames sent in the measured
 * window, and the fake's one-way timing of every frame in it, per stream group.
 */
export async function runPhase(
  groups: StreamGroup[],
  fake: FakeProcess,
  pids: { proxy?: number; watch?: number[] },
  proxyMetricsUrl?: string,
): Promise<PhaseResult> {
  const fakePid = fake.child.pid ?? 0;
  let proxyCpuAtMeasure = 0;
  let proxySysAtMeasure = 0;
  const watch = pids.watch ?? [];
  let watchedAtMeasure = watch.map(() => 0);
  const fakeCpuStart = processCpuSeconds(fakePid);
  const phaseStart = performance.now();
  const probes: Probe[] = [];
  for (const group of groups) probes.push(...(await openStreams(group)));
  await sleep(300);
  const connectedRssKiB = pids.proxy === undefined ? Number.NaN : processRssKiB(pids.proxy);
  let measuring = false;
  const results = new Map<StampGroup, { latencies: number[]; down: number[]; framesSent: number; answered: number; failedStreams: number }>();
  for (const group of groups) results.set(group.group, { latencies: [], down: [], framesSent: 0, answered: 0, failedStreams: 0 });
  for (const probe of probes) {
    const result = results.get(probe.group);
    if (result === undefined) continue;
    probe.ws.onMessage = (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = answeredFrame(data);
      const sentAt = frame === undefined ? 0 : (probe.sentAt[frame] ?? 0);
      if (sentAt > 0) {
        result.latencies.push(performance.now() - sentAt);
        result.answered += 1;
        const down = messageAgeMs(data);
        if (down !== undefined) result.down.push(down);
      }
    };
    probe.ws.onClose(() => {
      result.failedStreams += 1;
    });
  }

  const slots: Probe[][] = Array.from({ length: FRAME_MS / SLOT_MS }, () => []);
  for (const probe of probes) slots[probe.slot]?.push(probe);
  await fake.report(); // drops any frame timed before this phase
  const started = performance.now();
  let nextSlot = 0;
  const cpuBefore = process.cpuUsage();
  let cpuAtMeasure = cpuBefore;
  let measureStartedAt = 0;
  let machineAtMeasure = machineJiffies();
  const ticker = setInterval(() => {
    const now = performance.now();
    const dueSlot = Math.floor((now - started) / SLOT_MS);
    if (!measuring && now - started >= warmupMs) {
      measuring = true;
      cpuAtMeasure = process.cpuUsage();
      machineAtMeasure = machineJiffies();
      if (pids.proxy !== undefined) {
        proxyCpuAtMeasure = processCpuSeconds(pids.proxy);
        proxySysAtMeasure = processSysSeconds(pids.proxy);
      }
      watchedAtMeasure = watch.map(processCpuSeconds);
      measureStartedAt = now;
      // Starts the proxy's loop-delay histogram afresh for the window (what it held is discarded).
      if (proxyMetricsUrl !== undefined) scrapeLoopDelay(proxyMetricsUrl).catch(() => undefined);
    }
    for (; nextSlot <= dueSlot; nextSlot += 1) {
      for (const probe of slots[nextSlot % slots.length] ?? []) {
        if (!probe.ws.open) continue;
        probe.frames += 1;
        const frame = probe.ring[probe.frames % FRAME_RING] ?? encodeAudioFrame(FRAME_BYTES);
        // Warm-up frames are stored negated and not stamped: answered, but not measured.
        if (measuring) stampEncodedFrame(frame, probe.group);
        else unstampEncodedFrame(frame);
        if (probe.frames < probe.sentAt.length) probe.sentAt[probe.frames] = measuring ? performance.now() : -1;
        probe.ws.send(frame);
        if (measuring) {
          const result = results.get(probe.group);
          if (result !== undefined) result.framesSent += 1;
        }
      }
    }
  }, 1);
  await sleep(warmupMs + measureMs);
  clearInterval(ticker);
  const cpu = process.cpuUsage(cpuAtMeasure);
  const window = performance.now() - measureStartedAt;
  const machineNow = machineJiffies();
  const machineCpuPercent =
    ((machineNow.busy - machineAtMeasure.busy) / Math.max(1, machineNow.total - machineAtMeasure.total)) * cores * 100;
  const proxyCpuPercent =
    pids.proxy === undefined ? Number.NaN : ((processCpuSeconds(pids.proxy) - proxyCpuAtMeasure) / (window / 1000)) * 100;
  const proxySysPercent =
    pids.proxy === undefined ? Number.NaN : ((processSysSeconds(pids.proxy) - proxySysAtMeasure) / (window / 1000)) * 100;
  const watchedCpuPercent = watch.map((pid, index) => ((processCpuSeconds(pid) - (watchedAtMeasure[index] ?? 0)) / (window / 1000)) * 100);
  const proxyLoopDelay = proxyMetricsUrl === undefined ? undefined : await scrapeLoopDelay(proxyMetricsUrl);
  await sleep(500); // answers still in flight
  const frameTimes = await fake.report();
  const failedBeforeClose = new Map([...results].map(([group, result]) => [group, result.failedStreams]));
  const closing = probes.map((probe) => new Promise((resolve) => {
    if (probe.ws.closed) resolve(undefined);
    probe.ws.onClose(() => resolve(undefined));
    probe.ws.close(1000);
    setTimeout(() => {
      probe.ws.terminate();
      resolve(undefined);
    }, 5000).unref();
  }));
  await Promise.all(closing);
  const byGroup = new Map<StampGroup, GroupResult>();
  for (const [group, result] of results) {
    byGroup.set(group, {
      latencies: result.latencies.sort((a, b) => a - b),
      down: result.down.sort((a, b) => a - b),
      frames: frameTimes[group] ?? summarize([]),
      framesSent: result.framesSent,
      answered: result.answered,
      failedStreams: failedBeforeClose.get(group) ?? 0,
    });
  }
  return {
    proxyCpuPercent,
    proxySysPercent,
    machineCpuPercent,
    connectedRssKiB,
    fakeCpuPercent: ((processCpuSeconds(fakePid) - fakeCpuStart) / ((performance.now() - phaseStart) / 1000)) * 100,
    groups: byGroup,
    watchedCpuPercent,
    loadGenCpuPercent: ((cpu.user + cpu.system) / 1000 / window) * 100,
    loadGenSysPercent: (cpu.system / 1000 / window) * 100,
    ...(proxyLoopDelay === undefined ? {} : { proxyLoopDelay }),
  };
}

interface Row {
  streams: number;
  controls: number;
  direct: PhaseResult;
  proxied: PhaseResult;
  proxyKiBPerStream: number;
  proxyConnectedKiBPerStream: number;
  proxyBaselineMiB: number;
}

const ms = (value: number) => value.toFixed(1);

function group(phase: PhaseResult, which: StampGroup): GroupResult {
  return phase.groups.get(which) ?? { latencies: [], down: [], frames: summarize([]), framesSent: 0, answered: 0, failedStreams: 0 };
}

/** Audio frames, one way: what the proxy adds to the audio on its way to the upstream. */
function formatFramesRow(row: Row): string {
  const direct = group(row.direct, StampGroup.Direct).frames;
  const control = group(row.proxied, StampGroup.Control).frames;
  const proxied = group(row.proxied, StampGroup.Proxied).frames;
  return [
    row.streams,
    `${ms(direct.p50)} / ${ms(direct.p99)}`,
    `${ms(control.p50)} / ${ms(control.p99)}`,
    `${ms(proxied.p50)} / ${ms(proxied.p99)} / ${ms(proxied.max)}`,
    `**${ms(proxied.p50 - control.p50)} / ${ms(proxied.p99 - control.p99)}**`,
    `${ms(proxied.p50 - direct.p50)} / ${ms(proxied.p99 - direct.p99)}`,
    `${direct.count} / ${control.count} / ${proxied.count}`,
  ].join(' | ');
}

/** Results, round trip (both directions through the proxy), or only the way down. */
function formatResultsRow(row: Row, which: 'latencies' | 'down'): string {
  const direct = group(row.direct, StampGroup.Direct);
  const control = group(row.proxied, StampGroup.Control);
  const proxied = group(row.proxied, StampGroup.Proxied);
  const p = (result: GroupResult, at: number) => percentile(result[which], at);
  return [
    row.streams,
    `${ms(p(direct, 50))} / ${ms(p(direct, 99))}`,
    `${ms(p(control, 50))} / ${ms(p(control, 99))}`,
    `${ms(p(proxied, 50))} / ${ms(p(proxied, 99))}`,
    `**${ms(p(proxied, 50) - p(control, 50))} / ${ms(p(proxied, 99) - p(control, 99))}**`,
    `${ms(p(proxied, 50) - p(direct, 50))} / ${ms(p(proxied, 99) - p(direct, 99))}`,
    `${direct[which].length} / ${control[which].length} / ${proxied[which].length}`,
  ].join(' | ');
}

function formatResourcesRow(row: Row): string {
  const proxied = group(row.proxied, StampGroup.Proxied);
  // Messages the proxy relayed in the measured window: audio frames up, Results down.
  const relayed = proxied.framesSent + proxied.answered;
  const cpuMicros = ((row.proxied.proxyCpuPercent / 100) * measureMs * 1000) / Math.max(1, relayed);
  const failed = [group(row.direct, StampGroup.Direct), group(row.proxied, StampGroup.Control), proxied].map((result) => result.failedStreams);
  const delay = row.proxied.proxyLoopDelay;
  return [
    row.streams,
    delay === undefined ? '?' : Number.isNaN(delay.p99) ? 'no sample' : `${ms(delay.p50)} / ${ms(delay.p99)} / ${ms(delay.max)}`,
    `${row.proxied.proxyCpuPercent.toFixed(0)} (${row.proxied.proxySysPercent.toFixed(0)} sys)`,
    cpuMicros.toFixed(1),
    `${row.proxyConnectedKiBPerStream.toFixed(1)} / ${row.proxyKiBPerStream.toFixed(1)}`,
    `${row.direct.loadGenCpuPercent.toFixed(0)} (${row.direct.loadGenSysPercent.toFixed(0)}) / ${row.proxied.loadGenCpuPercent.toFixed(0)} (${row.proxied.loadGenSysPercent.toFixed(0)})`,
    `${row.direct.fakeCpuPercent.toFixed(0)} / ${row.proxied.fakeCpuPercent.toFixed(0)}`,
    `${row.direct.machineCpuPercent.toFixed(0)} / ${row.proxied.machineCpuPercent.toFixed(0)}`,
    failed.join(' / '),
  ].join(' | ');
}

export interface FakeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** One-way frame latencies timed since the last report, by stream group. */
  report(): Promise<Partial<Record<StampGroup, LatencySummary>>>;
}

export async function startFake(): Promise<FakeProcess> {
  const { child, line } = await startProcess('bench/proxy-fake-upstream.ts', { FAKE_DEEPGRAM_KEY: KEY, FAKE_MS_PER_WORD: String(msPerWord) }, /^ws:\/\//, harnessCores);
  let waiting: ((report: Partial<Record<StampGroup, LatencySummary>>) => void) | undefined;
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    let newline = out.indexOf('\n');
    while (newline !== -1) {
      const text = out.slice(0, newline);
      out = out.slice(newline + 1);
      if (text.startsWith('report ')) {
        waiting?.(JSON.parse(text.slice('report '.length)) as Partial<Record<StampGroup, LatencySummary>>);
        waiting = undefined;
      }
      newline = out.indexOf('\n');
    }
  });
  return {
    child,
    url: line.trim(),
    report: () =>
      new Promise((resolve) => {
        waiting = resolve;
        child.stdin.write('report\n');
      }),
  };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One sweep over the stream counts, each against a fresh proxy process. */
async function sweep(): Promise<Row[]> {
  const fake = await startFake();
  const rows: Row[] = [];
  const directAuth = { Authorization: `Token ${KEY}` };
  try {
    for (const streams of streamCounts) {
      const controls = Math.min(streams, Math.max(50, Math.round(streams / 10)));
      const direct = await runPhase([{ group: StampGroup.Direct, url: fake.url, headers: directAuth, count: streams }], fake, {});
      const proxy = await startProcess('proxy/main.ts', {
        PORT: '0',
        DEEPGRAM_API_KEY: KEY,
        DEEPGRAM_URL: fake.url,
        CAPTIONIST_TOKENS: TOKEN,
        MAX_STREAMS_PER_TOKEN: '100000',
        // Every stream comes from this one address.
        MAX_CONNECTIONS_PER_ADDRESS: '100000',
        LOG_LEVEL: 'warn',
      }, /listening on ws:\/\//, proxyCore);
      const proxyUrl = /listening on (ws:\/\/\S+)/.exec(proxy.line)?.[1] ?? '';
      const pid = proxy.child.pid ?? 0;
      await sleep(300);
      const baselineKiB = processRssKiB(pid);
      const rssSamples: number[] = [];
      const sampler = setInterval(() => rssSamples.push(processRssKiB(pid)), 250);
      const proxied = await runPhase(
        [
          { group: StampGroup.Proxied, url: proxyUrl, headers: { Authorization: `Token ${TOKEN}` }, count: streams },
          { group: StampGroup.Control, url: fake.url, headers: directAuth, count: controls },
        ],
        fake,
        { proxy: pid },
        proxyUrl.replace(/^ws:/, 'http:').replace(/\/v1\/listen$/, '/metrics'),
      );
      clearInterval(sampler);
      // Steady state: the median RSS over the streaming part (the last samples are the close).
      const streaming = rssSamples.slice(Math.floor(rssSamples.length * 0.3), Math.floor(rssSamples.length * 0.9)).sort((a, b) => a - b);
      const steadyKiB = streaming[Math.floor(streaming.length / 2)] ?? baselineKiB;
      await stopProcess(proxy.child);
      const row: Row = {
        streams,
        controls,
        direct,
        proxied,
        proxyKiBPerStream: (steadyKiB - baselineKiB) / streams,
        proxyConnectedKiBPerStream: (proxied.connectedRssKiB - baselineKiB) / streams,
        proxyBaselineMiB: baselineKiB / 1024,
      };
      rows.push(row);
      process.stderr.write(`done: ${streams} streams (proxy baseline RSS ${row.proxyBaselineMiB.toFixed(0)} MiB)\n`);
    }
  } finally {
    await stopProcess(fake.child);
  }
  return rows;
}

function formatRun(rows: Row[], loadBefore: string, loadAfter: string): string {
  return [
    '',
    `${args.pin ? `Pinned: proxy on core ${proxyCore}, load generator and fake on ${harnessCores}. ` : ''}Proxy bench: real-time 16 kHz linear16 streams, 100 ms frames, ${measureMs / 1000} s measured after ${warmupMs / 1000} s warm-up, loopback, ${cores} cores`,
    `Proxy: ${args['proxy-dir'] === undefined ? 'this checkout' : `proxy/main.ts of ${args['proxy-dir']}`}`,
    `Load average before the run: ${loadBefore}; at the end: ${loadAfter} (other work on the machine inflates the figures; above ${cores} before the run, they say more about that work than about the proxy)`,
    `Control streams (straight to the fake while the proxy carries N): ${rows.map((row) => row.controls).join(', ')}. "Added" is proxied minus control (same load); "vs alone" is proxied minus the direct run without the proxy.`,
    '',
    'Audio frames, one way (send -> the fake has the frame), every frame in the window, ms:',
    '',
    'streams | direct alone p50 / p99 | control p50 / p99 | proxied p50 / p99 / max | added p50 / p99 | added vs alone p50 / p99 | frames timed alone / control / proxied',
    '---|---|---|---|---|---|---',
    ...rows.map(formatFramesRow),
    '',
    `Results, round trip (send the frame that completes a word, ${msPerWord} ms of audio per word -> its Results back), ms:`,
    '',
    'streams | direct alone p50 / p99 | control p50 / p99 | proxied p50 / p99 | added p50 / p99 | added vs alone p50 / p99 | results timed alone / control / proxied',
    '---|---|---|---|---|---|---',
    ...rows.map((row) => formatResultsRow(row, 'latencies')),
    '',
    'The same Results, the way down alone (the fake sends -> the client has it), ms:',
    '',
    'streams | direct alone p50 / p99 | control p50 / p99 | proxied p50 / p99 | added p50 / p99 | added vs alone p50 / p99 | results timed alone / control / proxied',
    '---|---|---|---|---|---|---',
    ...rows.map((row) => formatResultsRow(row, 'down')),
    '',
    'Resources:',
    '',
    'streams | proxy event-loop delay p50 / p99 / max, ms (its /metrics) | proxy CPU % of a core while streaming | proxy CPU µs per relayed message | proxy KiB/stream connected / streaming | load-gen CPU % (sys) alone / proxied | fake CPU % alone / proxied | machine CPU % alone / proxied (all processes, 100 per core) | streams dropped alone / control / proxied',
    '---|---|---|---|---|---|---|---|---',
    ...rows.map(formatResourcesRow),
    '',
  ].join('\n');
}

/** What the several-runs summary compares, from one row of a sweep. */
function runStepOf(row: Row): RunStep {
  const control = group(row.proxied, StampGroup.Control);
  const proxied = group(row.proxied, StampGroup.Proxied);
  const added = (which: 'latencies' | 'down') => percentile(proxied[which], 99) - percentile(control[which], 99);
  const relayed = proxied.framesSent + proxied.answered;
  return {
    streams: row.streams,
    audioAddedP99: proxied.frames.p99 - control.frames.p99,
    downAddedP99: added('down'),
    roundTripAddedP99: added('latencies'),
    loopDelayP99: row.proxied.proxyLoopDelay?.p99 ?? Number.NaN,
    cpuMicrosPerMessage: ((row.proxied.proxyCpuPercent / 100) * measureMs * 1000) / Math.max(1, relayed),
    kibPerStream: row.proxyKiBPerStream,
    dropped: control.failedStreams + proxied.failedStreams,
  };
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(args.runs));
  const records: RunRecord[] = [];
  for (let run = 1; run <= runs; run += 1) {
    // Other work on the machine (a build, a test run) shows in every figure: say how busy it was around each run.
    const loadBefore = loadAverage();
    const rows = await sweep();
    const loadAfter = loadAverage();
    if (runs > 1) process.stdout.write(`\n## Run ${run} of ${runs}\n`);
    process.stdout.write(formatRun(rows, loadBefore, loadAfter));
    records.push({ run, loadBefore, loadAfter, steps: rows.map(runStepOf) });
  }
  if (runs > 1) process.stdout.write(`\n## Summary\n\n${formatRunsSummary(records)}`);
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(records, null, 2));
}

if (isMain) await main();
