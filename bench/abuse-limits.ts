/**
 * `tsx bench/abuse-limits.ts [--proxy-dir DIR]`: two abuses of one stream against a real proxy
 * process (`DIR/proxy/main.ts`, default this checkout, so an older checkout can be compared),
 * in front of a local upstream that takes anything:
 *
 * 1. A client that never reads: the upstream floods ~15 KB Results (interim and final in turn) as
 *    fast as the proxy takes them, for 15 s; the client sends a KeepAlive a second and never reads.
 *    Printed: the proxy's RSS (VmRSS) at the start, highest and at the end, and when the proxy cut
 *    the upstream (it does when it closes the client).
 * 2. The worst declared format the proxy accepts (the first of a list that is not refused):
 *    64 KiB audio frames as fast as the socket takes them for 2 s. Printed: bytes the upstream
 *    received from that stream.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';

const KEY = 'bench-deepgram-key-0123';
const TOKEN = 'bench-token-0123456789';
const FORMATS = [
  'encoding=linear32&sample_rate=192000&channels=20',
  'encoding=linear16&sample_rate=192000&channels=20',
  'encoding=linear16&sample_rate=48000&channels=2',
];

const argIndex = process.argv.indexOf('--proxy-dir');
const proxyDir = resolve(argIndex > 0 ? (process.argv[argIndex + 1] ?? '.') : '.');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Upstream {
  url: string;
  audioBytes: number;
  flood: boolean;
  closedAt: number | undefined;
  close(): void;
}

async function startUpstream(): Promise<Upstream> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const state: Upstream = { url: '', audioBytes: 0, flood: false, closedAt: undefined, close: () => undefined };
  const transcript = 'word '.repeat(3000);
  wss.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) state.audioBytes += data.length;
    });
    socket.on('close', () => {
      state.closedAt = Date.now();
    });
    if (!state.flood) return;
    let index = 0;
    const pump = () => {
      if (socket.readyState !== WebSocket.OPEN) return;
      while (socket.bufferedAmount < 1024 * 1024) {
        socket.send(JSON.stringify({ type: 'Results', index, is_final: index % 2 === 1, channel: { alternatives: [{ transcript }] } }));
        index += 1;
      }
      setImmediate(pump);
    };
    pump();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/listen`;
  state.close = () => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    server.close();
  };
  return state;
}

async function startProxy(upstreamUrl: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts'], {
    cwd: proxyDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: upstreamUrl, CAPTIONIST_TOKENS: TOKEN, LOG_LEVEL: 'warn' },
  });
  child.stderr.resume();
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (ws:\/\/\S+)/.exec(out);
      if (match?.[1]) done(match[1]);
    });
    child.on('exit', (code) => fail(new Error(`proxy exited with ${code}`)));
  });
  return { child, url };
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function open(url: string): Promise<WebSocket | number> {
  return new Promise((done) => {
    const ws = new WebSocket(url, ['token', TOKEN], { perMessageDeflate: false });
    ws.once('open', () => done(ws));
    ws.once('unexpected-response', (_request, response) => done(response.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

async function slowReader(): Promise<void> {
  const upstream = await startUpstream();
  upstream.flood = true;
  const proxy = await startProxy(upstream.url);
  await sleep(500);
  const started = Date.now();
  const before = rssMb(proxy.child.pid ?? 0);
  const ws = await open(`${proxy.url}?encoding=linear16&sample_rate=16000`);
  if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
  (ws as unknown as { _socket: Socket })._socket.pause();
  let highest = before;
  for (let second = 0; second < 15; second += 1) {
    if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"KeepAlive"}');
    await sleep(1000);
    highest = Math.max(highest, rssMb(proxy.child.pid ?? 0));
  }
  const after = rssMb(proxy.child.pid ?? 0);
  const cut = upstream.closedAt === undefined ? 'never' : `${((upstream.closedAt - started) / 1000).toFixed(1)} s`;
  console.log(`slow reader, 15 s: proxy RSS ${before.toFixed(0)} MB at start, ${highest.toFixed(0)} MB highest, ${after.toFixed(0)} MB at the end; upstream cut: ${cut}`);
  ws.terminate();
  proxy.child.kill('SIGKILL');
  upstream.close();
}

async function formatFlood(): Promise<void> {
  const upstream = await startUpstream();
  const proxy = await startProxy(upstream.url);
  for (const format of FORMATS) {
    const ws = await open(`${proxy.url}?${format}`);
    if (typeof ws === 'number') {
      console.log(`${format}: refused (${ws})`);
      continue;
    }
    let closedWith = 'still open';
    ws.once('close', (code: number, reason: Buffer) => {
      closedWith = `closed ${code} "${reason.toString('utf8')}"`;
    });
    // Audio sent before the upstream is open is held (1 MB at most): start once it is.
    await sleep(300);
    const frame = Buffer.alloc(64 * 1024, 1);
    const end = Date.now() + 2000;
    const isOpen = () => ws.readyState === WebSocket.OPEN; // changes under us when the proxy closes
    while (Date.now() < end && isOpen()) {
      while (ws.bufferedAmount < 4 * 1024 * 1024 && isOpen()) ws.send(frame);
      await sleep(1);
    }
    await sleep(500);
    console.log(`${format}: accepted; upstream received ${(upstream.audioBytes / 1e6).toFixed(2)} MB from 2 s of flooding (${closedWith})`);
    ws.terminate();
    break;
  }
  proxy.child.kill('SIGKILL');
  upstream.close();
}

console.log(`proxy: ${proxyDir}`);
await slowReader();
await formatFlood();
