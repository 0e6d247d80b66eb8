/**
 * `npm run bench:proxy [-- --streams 100,500 --seconds 5]`
 *
 * N concurrent real-time streams (16 kHz linear16, 100 ms frames, phases spread over the 100 ms)
 * sent straight to a fake Deepgram, then the same streams through the proxy to the same fake, in
 * one run. The fake sends a Results (interim, then final) each time the audio completes a scripted
 * word; the time from sending that frame to receiving its Results is measured in both setups, and
 * the difference is what the proxy adds. (Deepgram itself sends interims about once a second, so
 * one message per 300 ms is a heavier downstream load than real use.) Proxy CPU and memory come
 * from /proc for the proxy process alone (restarted for each N so memory starts from a clean heap).
 *
 * Everything runs on loopback: three processes (this load generator, the proxy, the fake) share
 * the machine's cores, as they would not in production, so the figures are an upper bound.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const KEY = 'bench-deepgram-key';
const TOKEN = 'bench-client-token-123456';
const FRAME_MS = 100;
const FRAME = Buffer.alloc(3200); // 100 ms of 16 kHz mono linear16 (silence: the fake does not listen)
const SLOT_MS = 5;
const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true';
const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_KIB = 4;

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '100,500,1000,2000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    // Pin the proxy to the last core and the load generator and fake to the others, so the proxy
    // competes with its own test harness as little as the machine allows.
    pin: { type: 'boolean', default: false },
    // Audio per scripted word: the fake sends a Results (interim or final) each time one completes.
    'ms-per-word': { type: 'string', default: '300' },
  },
});
const cores = availableParallelism();
const proxyCore = String(cores - 1);
const harnessCores = cores > 1 ? `0-${cores - 2}` : '0';
if (args.pin && cores > 1) spawnSync('taskset', ['-a', '-p', '-c', harnessCores, String(process.pid)], { stdio: 'ignore' });
const streamCounts = args.streams.split(',').map(Number);
const measureMs = Number(args.seconds) * 1000;
const warmupMs = Number(args.warmup) * 1000;
const msPerWord = Number(args['ms-per-word']);
const maxFrames = Math.ceil((warmupMs + measureMs) / FRAME_MS) + 100;

interface Probe {
  ws: WebSocket;
  slot: number;
  /** Frames sent so far; frame k carries audio up to k * 100 ms. */
  frames: number;
  /** Send time of frame k (performance.now()), negated for warm-up frames. */
  sentAt: Float64Array;
}

interface PhaseResult {
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
  latencies: number[];
  framesSent: number;
  answered: number;
  failedStreams: number;
  loadGenCpuPercent: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  core?: string,
): Promise<{ child: ChildProcessWithoutNullStreams; line: string }> {
  // `node --import tsx` keeps it one process, so /proc shows the proxy's own CPU and memory.
  // BENCH_PROXY_NODE_ARGS (e.g. --cpu-prof, --trace-gc) goes to the proxy, for profiling.
  const extra = script === 'proxy/main.ts' ? (process.env.BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '') : [];
  const command = [process.execPath, ...extra, '--import', 'tsx', script];
  const pinned = args.pin && cores > 1 && core !== undefined ? ['taskset', '-c', core, ...command] : command;
  const child = spawn(pinned[0] ?? process.execPath, pinned.slice(1), { env: { ...process.env, ...env } });
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

async function stopProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
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

function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function openStreams(url: string, headers: Record<string, string>, count: number): Promise<Probe[]> {
  const probes: Probe[] = [];
  const batch = 100;
  for (let first = 0; first < count; first += batch) {
    const opening: Array<Promise<void>> = [];
    for (let index = first; index < Math.min(count, first + batch); index += 1) {
      // A zero mask spares the load generator a copy per frame; the receiver unmasks either way.
      const ws = new WebSocket(`${url}?${QUERY}`, { headers, perMessageDeflate: false, generateMask: (mask) => mask.fill(0) });
      const probe: Probe = { ws, slot: index % (FRAME_MS / SLOT_MS), frames: 0, sentAt: new Float64Array(maxFrames) };
      probes.push(probe);
      opening.push(
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('stream did not open in 20 s')), 20_000);
          ws.once('open', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        }),
      );
    }
    await Promise.all(opening);
  }
  return probes;
}

/** Streams in real time for warmup + measurement; latencies of frames sent in the measured window. */
async function runPhase(url: string, headers: Record<string, string>, count: number, pids: { fake: number; proxy?: number }): Promise<PhaseResult> {
  const fakePid = pids.fake;
  let proxyCpuAtMeasure = 0;
  let proxySysAtMeasure = 0;
  const fakeCpuStart = processCpuSeconds(fakePid);
  const phaseStart = performance.now();
  const probes = await openStreams(url, headers, count);
  await sleep(300);
  const connectedRssKiB = pids.proxy === undefined ? Number.NaN : processRssKiB(pids.proxy);
  const latencies: number[] = [];
  let measuring = false;
  let framesSent = 0;
  let answered = 0;
  let failedStreams = 0;
  for (const probe of probes) {
    probe.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = answeredFrame(data);
      const sentAt = frame === undefined ? 0 : (probe.sentAt[frame] ?? 0);
      if (sentAt > 0) {
        latencies.push(performance.now() - sentAt);
        answered += 1;
      }
    });
    probe.ws.on('close', () => {
      failedStreams += 1;
    });
    probe.ws.on('error', () => {});
  }

  const slots: Probe[][] = Array.from({ length: FRAME_MS / SLOT_MS }, () => []);
  for (const probe of probes) slots[probe.slot]?.push(probe);
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
      measureStartedAt = now;
    }
    for (; nextSlot <= dueSlot; nextSlot += 1) {
      for (const probe of slots[nextSlot % slots.length] ?? []) {
        if (probe.ws.readyState !== WebSocket.OPEN) continue;
        probe.frames += 1;
        // Warm-up frames are stored negated: answered, but not measured.
        if (probe.frames < probe.sentAt.length) probe.sentAt[probe.frames] = measuring ? performance.now() : -1;
        probe.ws.send(FRAME);
        if (measuring) framesSent += 1;
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
  await sleep(500); // answers still in flight
  const closing = probes.map((probe) => new Promise((resolve) => {
    if (probe.ws.readyState === WebSocket.CLOSED) resolve(undefined);
    probe.ws.once('close', resolve);
    probe.ws.close(1000);
    setTimeout(() => {
      probe.ws.terminate();
      resolve(undefined);
    }, 5000).unref();
  }));
  const failedBeforeClose = failedStreams;
  await Promise.all(closing);
  return {
    proxyCpuPercent,
    proxySysPercent,
    machineCpuPercent,
    connectedRssKiB,
    fakeCpuPercent: ((processCpuSeconds(fakePid) - fakeCpuStart) / ((performance.now() - phaseStart) / 1000)) * 100,
    latencies: latencies.sort((a, b) => a - b),
    framesSent,
    answered,
    failedStreams: failedBeforeClose,
    loadGenCpuPercent: ((cpu.user + cpu.system) / 1000 / window) * 100,
  };
}

interface Row {
  streams: number;
  direct: PhaseResult;
  proxied: PhaseResult;
  proxyCpuPercent: number;
  proxyKiBPerStream: number;
  proxyConnectedKiBPerStream: number;
  proxyBaselineMiB: number;
}

function formatRow(row: Row): string {
  const ms = (value: number) => value.toFixed(1);
  const d50 = percentile(row.direct.latencies, 50);
  const d99 = percentile(row.direct.latencies, 99);
  const p50 = percentile(row.proxied.latencies, 50);
  const p99 = percentile(row.proxied.latencies, 99);
  return [
    row.streams,
    ms(d50),
    ms(d99),
    ms(p50),
    ms(p99),
    ms(p50 - d50),
    ms(p99 - d99),
    `${row.proxyCpuPercent.toFixed(0)} (${row.proxied.proxySysPercent.toFixed(0)} sys)`,
    `${row.proxyConnectedKiBPerStream.toFixed(1)} / ${row.proxyKiBPerStream.toFixed(1)}`,
    `${row.direct.answered}/${row.proxied.answered}`,
    `${row.direct.loadGenCpuPercent.toFixed(0)}/${row.proxied.loadGenCpuPercent.toFixed(0)}`,
    `${row.direct.fakeCpuPercent.toFixed(0)}/${row.proxied.fakeCpuPercent.toFixed(0)}`,
    `${row.direct.machineCpuPercent.toFixed(0)}/${row.proxied.machineCpuPercent.toFixed(0)}`,
  ].join(' | ');
}

async function main(): Promise<void> {
  const fake = await startProcess('bench/proxy-fake-upstream.ts', { FAKE_DEEPGRAM_KEY: KEY, FAKE_MS_PER_WORD: String(msPerWord) }, /^ws:\/\//, harnessCores);
  const fakeUrl = fake.line.trim();
  const rows: Row[] = [];
  try {
    for (const streams of streamCounts) {
      const fakePid = fake.child.pid ?? 0;
      const direct = await runPhase(fakeUrl, { Authorization: `Token ${KEY}` }, streams, { fake: fakePid });
      const proxy = await startProcess('proxy/main.ts', {
        PORT: '0',
        DEEPGRAM_API_KEY: KEY,
        DEEPGRAM_URL: fakeUrl,
        CAPTIONIST_TOKENS: TOKEN,
        MAX_STREAMS_PER_TOKEN: '100000',
        LOG_LEVEL: 'warn',
      }, /listening on ws:\/\//, proxyCore);
      const proxyUrl = /listening on (ws:\/\/\S+)/.exec(proxy.line)?.[1] ?? '';
      const pid = proxy.child.pid ?? 0;
      await sleep(300);
      const baselineKiB = processRssKiB(pid);
      const rssSamples: number[] = [];
      const sampler = setInterval(() => rssSamples.push(processRssKiB(pid)), 250);
      const proxied = await runPhase(proxyUrl, { Authorization: `Token ${TOKEN}` }, streams, { fake: fakePid, proxy: pid });
      clearInterval(sampler);
      // Steady state: the median RSS over the streaming part (the last samples are the close).
      const streaming = rssSamples.slice(Math.floor(rssSamples.length * 0.3), Math.floor(rssSamples.length * 0.9)).sort((a, b) => a - b);
      const steadyKiB = streaming[Math.floor(streaming.length / 2)] ?? baselineKiB;
      await stopProcess(proxy.child);
      const row: Row = {
        streams,
        direct,
        proxied,
        proxyCpuPercent: proxied.proxyCpuPercent,
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
  process.stdout.write(
    [
      '',
      `${args.pin ? `Pinned: proxy on core ${proxyCore}, load generator and fake on ${harnessCores}. ` : ''}Proxy bench: real-time 16 kHz linear16 streams, 100 ms frames, ${measureMs / 1000} s measured after ${warmupMs / 1000} s warm-up, loopback, ${readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((line) => line.startsWith('processor')).length} cores`,
      `Load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (other work on the machine inflates the figures)`,
      `Latency, ms: from sending the frame that completes a word (${msPerWord} ms of audio per word) to receiving its Results; "added" is through-proxy minus direct.`,
      '',
      'streams | direct p50 | direct p99 | proxy p50 | proxy p99 | added p50 | added p99 | proxy CPU % of a core while streaming | proxy KiB/stream connected / streaming | results timed direct/proxy | load-gen CPU % direct/proxy | fake CPU % direct/proxy | machine CPU % direct/proxy (all processes)',
      '---|---|---|---|---|---|---|---|---|---|---|---|---',
      ...rows.map(formatRow),
      '',
    ].join('\n'),
  );
}

await main();
