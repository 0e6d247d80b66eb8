/**
 * `npm run bench:direct [-- --streams 50 --seconds 15]`
 *
 * The proxy's CPU and memory per stream in relay mode and in direct mode, in one run, against the
 * same fake Deepgram (testkit/upstream/normal.ts, with its grant endpoint):
 *
 * - relay: N real-time streams (16 kHz linear16, 100 ms frames) through the proxy to the fake;
 * - direct: N streams that each ask the proxy for a token (POST /v1/auth/grant, as the extension
 *   does per connect) and stream to the fake themselves with `bearer, <token>`; the proxy keeps
 *   their leases (renewed as the extension does, every third of DIRECT_LEASE_SECONDS).
 *
 * The proxy is a process of its own (proxy/main.ts), started afresh for each mode so memory starts
 * from a clean heap; its CPU (user + system) and RSS come from /proc for it alone. The load
 * generator and the fake share this process; on a loaded machine absolute numbers move, so both
 * modes run back to back with the same N and seconds.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startFakeUpstream, type FakeDeepgram } from '../testkit/upstream';
import { startProxy, type ProxyProcess } from '../testkit/servers/proxy-process';

const KEY = 'bench-direct-deepgram-key';
const TOKEN = 'bench-direct-client-token-7c1e9a4b2d8f6035';
const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&punctuate=true';
const FRAME_MS = 100;
const FRAME = Buffer.alloc(3200); // 100 ms of 16 kHz mono linear16
const CLOCK_TICKS = 100; // USER_HZ on Linux
const LEASE_SECONDS = 15;

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
  },
});
const STREAMS = Number(args.streams);
const SECONDS = Number(args.seconds);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) and resident memory (MiB) of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; rssMiB: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is field 0, utime 11, stime 12, rss (pages) 21.
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rssMiB = (Number(fields[21]) * 4) / 1024;
  return { cpuSeconds, rssMiB };
}

function open(url: string, protocols: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

interface Grant {
  access_token: string;
  url: string;
  session: string;
}

async function grantFor(proxyHttp: string, session: string): Promise<Grant> {
  const response = await fetch(`${proxyHttp}/v1/auth/grant`, {
    method: 'POST',
    headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ session }),
  });
  if (response.status !== 200) throw new Error(`grant refused with ${response.status}: ${await response.text()}`);
  return (await response.json()) as Grant;
}

/** N streams at once, each a frame every 100 ms (phases spread over the period) until `until`. */
async function stream(sockets: WebSocket[], until: number): Promise<void> {
  await Promise.all(
    sockets.map(async (ws, index) => {
      await sleep((index * FRAME_MS) / sockets.length);
      let due = Date.now();
      while (Date.now() < until && ws.readyState === WebSocket.OPEN) {
        ws.send(FRAME);
        due += FRAME_MS;
        await sleep(Math.max(0, due - Date.now()));
      }
    }),
  );
}

interface ModeResult {
  mode: 'relay' | 'direct';
  cpuPercent: number;
  idleCpuPercent: number;
  idleRssMiB: number;
  rssMiB: number;
  resultsReceived: number;
}

async function runMode(mode: 'relay' | 'direct', fake: FakeDeepgram): Promise<ModeResult> {
  const started = await startProxy({
    env: {
      DEEPGRAM_API_KEY: KEY,
      DEEPGRAM_URL: fake.url,
      CAPTIONIST_TOKENS: TOKEN,
      MAX_STREAMS_PER_TOKEN: String(STREAMS * 2),
      MAX_CONNECTIONS_PER_ADDRESS: String(STREAMS * 4),
      GRANTS_PER_MINUTE_PER_TOKEN: String(STREAMS * 4),
      DIRECT_LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: 'warn',
    },
    // A loaded machine (other benchmarks, tests) can take a while to start a tsx process.
    timeoutMs: 90_000,
  });
  if (!started.ok) throw new Error(started.message);
  const proxy: ProxyProcess = started.proxy;
  const proxyHttp = proxy.url.replace(/^ws/, 'http').replace(/\/v1\/listen$/, '');
  try {
    // The proxy's first grant loads its HTTP client (fetch): a fixed cost, not a stream's, so it is
    // paid before the idle reading. The lease it takes is given back at once.
    if (mode === 'direct') {
      await grantFor(proxyHttp, 'bench-warm-up');
      await fetch(`${proxyHttp}/v1/auth/lease`, {
        method: 'POST',
        headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ session: 'bench-warm-up', ended: true }),
      });
    }
    await sleep(1000);
    // The proxy with nothing to do (its timers, its metrics), over as long as a mode's window.
    const idleBefore = processUsage(proxy.pid);
    const idleStart = Date.now();
    await sleep(SECONDS * 1000);
    const idle = processUsage(proxy.pid);
    const idleCpuPercent = ((idle.cpuSeconds - idleBefore.cpuSeconds) / ((Date.now() - idleStart) / 1000)) * 100;
    const sockets: WebSocket[] = [];
    const renewals: ReturnType<typeof setInterval>[] = [];
    let resultsReceived = 0;
    for (let i = 0; i < STREAMS; i += 1) {
      let ws: WebSocket;
      if (mode === 'relay') {
        ws = await open(`${proxy.url}?${QUERY}`, ['token', TOKEN]);
      } else {
        const session = `bench-session-${i}`;
        const grant = await grantFor(proxyHttp, session);
        ws = await open(`${grant.url}?${QUERY}`, ['bearer', grant.access_token]);
        renewals.push(
          setInterval(() => {
            void fetch(`${proxyHttp}/v1/auth/lease`, {
              method: 'POST',
              headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ session }),
            }).catch(() => undefined);
          }, (LEASE_SECONDS * 1000) / 3),
        );
      }
      ws.on('message', () => (resultsReceived += 1));
      sockets.push(ws);
    }
    // Measured from here: every stream open, so setup (handshakes, grants) is not in the window.
    const before = processUsage(proxy.pid);
    const windowStart = Date.now();
    await stream(sockets, windowStart + SECONDS * 1000);
    const after = processUsage(proxy.pid);
    const elapsed = (Date.now() - windowStart) / 1000;
    for (const timer of renewals) clearInterval(timer);
    for (const ws of sockets) ws.terminate();
    return {
      mode,
      cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100,
      idleCpuPercent,
      idleRssMiB: idle.rssMiB,
      rssMiB: after.rssMiB,
      resultsReceived,
    };
  } finally {
    await proxy.stop(2000);
  }
}

async function main(): Promise<void> {
  const fake = await startFakeUpstream({ mode: 'normal', apiKey: KEY, recordSent: false, hashAudio: false, idleTimeoutMs: 60_000 });
  try {
    const results: ModeResult[] = [];
    for (const mode of ['relay', 'direct'] as const) {
      process.stderr.write(`${mode}: ${STREAMS} streams for ${SECONDS} s...\n`);
      results.push(await runMode(mode, fake));
    }
    console.log(`\nProxy CPU and memory, ${STREAMS} real-time streams for ${SECONDS} s each mode (proxy process only, /proc):\n`);
    console.log('| Mode | Proxy CPU idle | Proxy CPU with streams (% of a core) | CPU per stream (above idle) | RSS idle | RSS with streams | RSS per stream | Results received |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      const perStreamCpu = (r.cpuPercent - r.idleCpuPercent) / STREAMS;
      const perStreamRss = ((r.rssMiB - r.idleRssMiB) * 1024) / STREAMS;
      console.log(
        `| ${r.mode} | ${r.idleCpuPercent.toFixed(1)} % | ${r.cpuPercent.toFixed(1)} % | ${perStreamCpu.toFixed(3)} % | ${r.idleRssMiB.toFixed(1)} MiB | ${r.rssMiB.toFixed(1)} MiB | ${perStreamRss.toFixed(0)} KiB | ${r.resultsReceived} |`,
      );
    }
    console.log(`\nGrants issued by the fake in direct mode: ${fake.grants.issued} (one warm-up, one per stream).`);
  } finally {
    await fake.close();
  }
}

await main();
