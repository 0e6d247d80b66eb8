/**
 * `npx tsx bench/edge-exposure.ts [--sockets 1100] [--watch 100] [--guess-seconds 3] [--proxy-files 1024] [--proxy-dir DIR]`
 *
 * What one client without a token can do to the proxy's edge (issue 12), against a real
 * `proxy/main.ts` on loopback, configured as a deployment would be (a strong client token):
 *
 * - silent connections: opens N TCP connections that never send a byte, then reports how many the
 *   proxy accepted and kept, when it closed them, and whether `/healthz` answered meanwhile;
 * - token guessing: wrong tokens against `/v1/auth-check` from 32 keep-alive connections, and how
 *   many of them per second the proxy actually checked (401) rather than throttled (429).
 *
 * `--proxy-files` starts the proxy under `prlimit --nofile` (the common 1,024, say) without
 * limiting this script; `--proxy-dir` runs another checkout's proxy/main.ts (e.g. an export of the
 * previous commit, to measure before and after). /healthz is asked from 127.0.0.2, another client.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const SOCKETS = option('sockets', 1100);
const WATCH_SECONDS = option('watch', 100);
const GUESS_SECONDS = option('guess-seconds', 3);
const PROXY_FILES = option('proxy-files', 0);
const dirAt = process.argv.indexOf('--proxy-dir');
const PROXY_DIR = dirAt === -1 ? '.' : (process.argv[dirAt + 1] ?? '.');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startProxy(): Promise<{ port: number; stop: () => void }> {
  const node = [process.execPath, '--import', 'tsx', 'proxy/main.ts'];
  const command = PROXY_FILES > 0 ? ['prlimit', `--nofile=${PROXY_FILES}:${PROXY_FILES}`, ...node] : node;
  const child = spawn(command[0] ?? 'node', command.slice(1), {
    cwd: PROXY_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: '0',
      LOG_LEVEL: 'silent',
      CAPTIONIST_TOKENS: randomBytes(32).toString('hex'),
      // Never dialled: no stream is opened. Set so the local engine need not be installed.
      DEEPGRAM_API_KEY: 'unused-key',
      DEEPGRAM_URL: 'ws://127.0.0.1:9/v1/listen',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  const port = Number(/:(\d+)\/v1\/listen/.exec(line)?.[1]);
  return { port, stop: () => child.kill('SIGKILL') };
}

function healthz(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.2', timeout: 2000 }, (response) => {
      response.resume();
      resolve(String(response.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 2 s')));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

async function silentConnections(port: number): Promise<void> {
  const opened = Date.now();
  const closedAfter: number[] = [];
  const sockets: Socket[] = [];
  let failed = 0;
  let answered = 0;
  await Promise.all(
    Array.from({ length: SOCKETS }, () =>
      new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        sockets.push(socket);
        socket.on('data', () => (answered += 1));
        socket.once('connect', () => resolve());
        socket.once('error', () => {
          failed += 1;
          resolve();
        });
        socket.once('close', () => closedAfter.push(Date.now() - opened));
      }),
    ),
  );
  await sleep(500);
  const heldAtStart = SOCKETS - closedAfter.length;
  const health = await healthz(port);
  const checkpoints: string[] = [];
  for (let second = 5; second <= WATCH_SECONDS && closedAfter.length < SOCKETS; second += 5) {
    await sleep(opened + second * 1000 - Date.now());
    checkpoints.push(`${second}s:${SOCKETS - closedAfter.length}`);
  }
  const sorted = [...closedAfter].sort((a, b) => a - b);
  const at = (share: number) => ((sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN) / 1000).toFixed(1);
  console.log(`silent connections: ${SOCKETS} opened from one address, ${failed} failed to connect`);
  console.log(`  held 0.5 s after opening: ${heldAtStart}; /healthz meanwhile: ${health}; sockets that got an answer: ${answered}`);
  console.log(`  still held: ${checkpoints.join(' ')}`);
  console.log(`  closed by the proxy: ${closedAfter.length}, after p50 ${at(0.5)} s, max ${at(1)} s (watched ${WATCH_SECONDS} s)`);
  for (const socket of sockets) socket.destroy();
}

async function tokenGuesses(port: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const statuses = new Map<number, number>();
  const deadline = Date.now() + GUESS_SECONDS * 1000;
  const guess = () =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, agent, path: '/v1/auth-check?encoding=linear16&sample_rate=16000', headers: { Authorization: `Token guess-${randomBytes(16).toString('hex')}` } },
        (response) => {
          response.resume();
          response.on('end', () => {
            statuses.set(response.statusCode ?? 0, (statuses.get(response.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end();
    });
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (Date.now() < deadline) await guess();
    }),
  );
  agent.destroy();
  const checked = statuses.get(401) ?? 0;
  console.log(`token guesses for ${GUESS_SECONDS} s from one address: ${[...statuses].map(([status, count]) => `${status}: ${count}`).join(', ')}`);
  console.log(`  checked (401) per second: ${(checked / GUESS_SECONDS).toFixed(1)}`);
}

const proxy = await startProxy();
try {
  await tokenGuesses(proxy.port);
  await silentConnections(proxy.port);
} finally {
  proxy.stop();
}
