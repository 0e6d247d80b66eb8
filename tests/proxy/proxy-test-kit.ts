/**
 * Shared pieces for the proxy tests: a config to start from, a client that records everything it
 * receives, a way to see a refused handshake, and real-time audio pacing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { DEFAULT_DIRECT, DEFAULT_EDGE, DEFAULT_LIMITS, DEFAULT_SHARED, type DirectConfig, type ProxyConfig } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram, type FakeDeepgramOptions } from '@/testkit/upstream';

/** Strong enough for proxy/config.ts's rule (at least 32 characters), as a deployment's would be. */
export const TOKEN = 'test-token-0123456789abcdef0123456789';
export const OTHER_TOKEN = 'second-token-abcdefghijklmnopqrstuvwxyz';
export const DEEPGRAM_KEY = 'fake-deepgram-key-42';
export const EXTENSION_ORIGIN = 'chrome-extension://dbmknijkimjaniglhfaegghkialpjohk';
export const LISTEN_QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&punctuate=true';
export const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

export function testConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    deepgramApiKey: undefined,
    deepgramUrl: 'wss://api.deepgram.com/v1/listen',
    tokens: [TOKEN, OTHER_TOKEN],
    allowedOrigins: [EXTENSION_ORIGIN],
    limits: { ...DEFAULT_LIMITS },
    edge: { ...DEFAULT_EDGE },
    shared: { ...DEFAULT_SHARED },
    logLevel: 'silent',
    ...overrides,
  };
}

export interface ClientOptions {
  token?: string;
  via?: 'subprotocol' | 'header';
  origin?: string;
  query?: string;
}

export interface TestClient {
  ws: WebSocket;
  /** Parsed JSON text messages, in order. */
  messages: Record<string, unknown>[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Headers of the 101 response (after `opened`). */
  upgradeHeaders: Record<string, string | string[] | undefined>;
}

export function connectClient(baseUrl: string, options: ClientOptions = {}): TestClient {
  const query = options.query ?? LISTEN_QUERY;
  const url = query === '' ? baseUrl : `${baseUrl}?${query}`;
  const headers: Record<string, string> = {};
  if (options.origin !== undefined) headers.Origin = options.origin;
  let protocols: string[] | undefined;
  if (options.token !== undefined) {
    if ((options.via ?? 'subprotocol') === 'subprotocol') protocols = ['token', options.token];
    else headers.Authorization = `Token ${options.token}`;
  }
  const ws = new WebSocket(url, protocols, { headers, perMessageDeflate: false });
  const client: TestClient = {
    ws,
    messages: [],
    upgradeHeaders: {},
    opened: new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
      ws.once('error', reject);
    }),
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }))),
  };
  client.opened.catch(() => {});
  ws.on('error', () => {});
  ws.once('upgrade', (response) => {
    client.upgradeHeaders = response.headers;
  });
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) client.messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
  });
  return client;
}

/** Attempts an upgrade by hand and returns the HTTP answer (status and JSON body), or 101. */
export function upgradeAnswer(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, body: undefined, headers: response.headers });
    });
    req.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, headers: response.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 16 kHz mono s16le samples of a librivox clip (the WAV header is skipped by finding "data"). */
export function librivoxPcm(clip: string): Buffer {
  const wav = readFileSync(`${LIBRIVOX}/sense_and_sensibility_01_austen_64kb-${clip}.wav`);
  const dataAt = wav.indexOf('data', 12);
  return wav.subarray(dataAt + 8);
}

export function referenceWords(clip: string): string[] {
  const lines = readFileSync(`${LIBRIVOX}/transcription`, 'utf8').split('\n');
  const line = lines.find((entry) => entry.includes(`-${clip})`)) ?? '';
  return line
    .replace(/\(.*\)/, '')
    .split(/\s+/)
    .filter((word) => word !== '' && word !== '<s>' && word !== '</s>');
}

/**
 * Sends 16 kHz PCM in frames of `frameMs`, paced by `speed` (1 = real time), as a browser would;
 * `channels` > 1 for interleaved multichannel audio (interleavePcm).
 */
export async function streamPcm(ws: WebSocket, pcm: Buffer, options: { frameMs?: number; speed?: number; channels?: number } = {}): Promise<void> {
  const frameBytes = ((options.frameMs ?? 100) / 1000) * 16_000 * 2 * (options.channels ?? 1);
  const speed = options.speed ?? 1;
  const started = Date.now();
  for (let offset = 0, frame = 0; offset < pcm.length; offset += frameBytes, frame += 1) {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(pcm.subarray(offset, offset + frameBytes));
    const due = started + ((frame + 1) * (options.frameMs ?? 100)) / speed;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

/** Mono 16-bit clips as one interleaved stream (channel 0 sample, channel 1 sample, ...); a shorter clip is padded with silence. */
export function interleavePcm(clips: Buffer[]): Buffer {
  const samples = Math.max(...clips.map((clip) => clip.length >> 1));
  const out = Buffer.alloc(samples * 2 * clips.length);
  clips.forEach((clip, channel) => {
    for (let sample = 0; sample < clip.length >> 1; sample += 1) clip.copy(out, (sample * clips.length + channel) * 2, sample * 2, sample * 2 + 2);
  });
  return out;
}

export function silencePcm(seconds: number): Buffer {
  return Buffer.alloc(Math.round(seconds * 16_000) * 2);
}

export const resultsOf = (messages: Record<string, unknown>[]) => messages.filter((message) => message.type === 'Results');

export function transcriptOf(message: Record<string, unknown>): string {
  const channel = message.channel as { alternatives: { transcript: string }[] };
  return channel.alternatives[0]?.transcript ?? '';
}

/** Processes started for one local-engine stream, found by the request id the proxy puts in their environment. */
export function engineProcesses(requestId: string): number[] {
  const marker = `CAPTIONIST_REQUEST_ID=${requestId}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A plain GET with headers fetch() will not send (Host) and from a chosen loopback address
 * (127.0.0.2 and up are this computer too, but count as another client).
 */
export function httpGet(url: string, options: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<HttpAnswer> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers: options.headers, localAddress: options.localAddress, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${url} in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

export interface DirectProxySetup {
  direct?: Partial<DirectConfig>;
  maxStreamsPerToken?: number;
  fake?: Partial<FakeDeepgramOptions>;
}

/**
 * A proxy with direct mode configured, in front of a fake Deepgram; both are stopped by the
 * `cleanups` the caller runs after each test.
 */
export async function startDirectProxy(cleanups: (() => Promise<void>)[], setup: DirectProxySetup = {}): Promise<{ fake: FakeDeepgram; proxy: RunningProxy; http: string }> {
  const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, ...setup.fake });
  cleanups.push(() => fake.close());
  const proxy = await startProxy(
    testConfig({
      deepgramApiKey: DEEPGRAM_KEY,
      deepgramUrl: fake.url,
      limits: { ...DEFAULT_LIMITS, maxStreamsPerToken: setup.maxStreamsPerToken ?? DEFAULT_LIMITS.maxStreamsPerToken },
      direct: { ...DEFAULT_DIRECT, ...setup.direct },
    }),
    { shutdownGraceMs: 500 },
  );
  cleanups.push(() => proxy.close());
  return { fake, proxy, http: `http://127.0.0.1:${proxy.port}` };
}
