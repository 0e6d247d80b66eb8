/**
 * A token's stream limit across instances (issue 14): three proxy processes (proxy/main.ts) behind
 * Debian's nginx running proxy/deploy/nginx-cluster.conf over TLS, sharing one real redis-server
 * through REDIS_URL, MAX_STREAMS_PER_TOKEN=3. One token opens three streams (least_conn puts them
 * on different instances); a fourth is refused with 429 whichever instance it reaches, through
 * nginx or straight at each instance; when one of the three closes, a new one is admitted.
 * Without the shared limits (proxy/limits/) each instance counts its own streams and the fourth
 * is admitted.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyProcess } from '../../testkit/servers/proxy-process';
import { startFakeUpstream, type FakeDeepgram } from '../../testkit/upstream';
import { startClusterNginx, type ClusterNginx } from '../../testkit/servers/cluster-topology';
import { startRedis, type TestRedis } from '../../testkit/servers/redis-server';
import { DEEPGRAM_KEY, EXTENSION_ORIGIN, LISTEN_QUERY, TOKEN, silencePcm, sleep } from './proxy-test-kit';

const LIMIT = 3;

interface Attempt {
  status: number;
  body: string;
  ws?: WebSocket;
}

let fake: FakeDeepgram | undefined;
let redis: TestRedis | undefined;
let nginx: ClusterNginx | undefined;
const instances: { name: string; port: number; process: ProxyProcess }[] = [];
const open: WebSocket[] = [];
let keepAlive: NodeJS.Timeout | undefined;

/** Opens a stream with TOKEN: 101 with the socket kept open, or the refusal's status and body. */
function attempt(url: string, ca?: Buffer): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/v1/listen?${LISTEN_QUERY}`, ['token', TOKEN], { ca, headers: { Origin: EXTENSION_ORIGIN } });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ status: 0, body: 'no answer in 5 s' });
    }, 5_000);
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({ status: 101, body: '', ws });
    });
    ws.on('error', () => undefined);
  });
}

async function streamsOn(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return ((await response.json()) as { streams: number }).streams;
}

beforeAll(async () => {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100 });
  const shared = await startRedis();
  redis = shared;
  for (const name of ['proxy1', 'proxy2', 'proxy3']) {
    const started = await startProxy({
      env: {
        DEEPGRAM_API_KEY: DEEPGRAM_KEY,
        DEEPGRAM_URL: fake.url,
        CAPTIONIST_TOKENS: TOKEN,
        MAX_STREAMS_PER_TOKEN: String(LIMIT),
        TRUSTED_PROXIES: '127.0.0.1',
        ALLOWED_HOSTS: 'captions.example.com',
        REDIS_URL: shared.url,
        LOG_LEVEL: 'warn',
      },
    });
    if (!started.ok) throw new Error(`${name}: ${started.message}`);
    instances.push({ name, port: Number(new URL(started.proxy.url).port), process: started.proxy });
  }
  nginx = await startClusterNginx({ instancePorts: instances.map((instance) => instance.port), tls: true });
  // Open streams send a little silence every second, well inside the 10 s idle timeout.
  keepAlive = setInterval(() => {
    for (const ws of open) if (ws.readyState === WebSocket.OPEN) ws.send(silencePcm(0.1));
  }, 1_000);
}, 60_000);

afterAll(async () => {
  clearInterval(keepAlive);
  for (const ws of open) ws.terminate();
  await nginx?.stop().catch(() => undefined);
  await Promise.all(instances.map((instance) => instance.process.stop(2_000).catch(() => undefined)));
  await redis?.close().catch(() => undefined);
  await fake?.close().catch(() => undefined);
}, 30_000);

describe('a token\'s stream limit holds across three instances behind nginx', () => {
  it(`admits ${LIMIT} streams on different instances and refuses the 4th wherever it lands; a closed one frees its slot`, { timeout: 60_000 }, async () => {
    const through = nginx as ClusterNginx;
    for (let i = 0; i < LIMIT; i++) {
      const answer = await attempt(through.origin, through.certificate);
      expect(answer.status, answer.body).toBe(101);
      open.push(answer.ws as WebSocket);
    }
    // least_conn: one stream on each instance, so no single instance's own count reaches the limit.
    const counts = await Promise.all(instances.map((instance) => streamsOn(instance.port)));
    expect(counts).toEqual([1, 1, 1]);

    // The 4th: through nginx (a few times, so least_conn tries more than one instance), and straight at each instance.
    const refusals: Attempt[] = [];
    for (const _instance of instances) refusals.push(await attempt(through.origin, through.certificate));
    for (const instance of instances) refusals.push(await attempt(`ws://127.0.0.1:${instance.port}`));
    for (const refusal of refusals) {
      refusal.ws?.terminate();
      expect(refusal.status, `4th stream: ${refusal.body}`).toBe(429);
      // The refusal says which limit: streams for this token (proxy/http-refusal.ts).
      expect((JSON.parse(refusal.body) as { error?: string }).error).toBe('too_many_streams');
    }
    expect(await Promise.all(instances.map((instance) => streamsOn(instance.port)))).toEqual([1, 1, 1]);

    // One stream ends: its slot comes back for the token, on any instance.
    const closing = open.shift() as WebSocket;
    await new Promise<void>((resolve) => {
      closing.once('close', () => resolve());
      closing.send('{"type":"CloseStream"}');
    });
    let again: Attempt = { status: 0, body: '' };
    for (let tries = 0; tries < 10 && again.status !== 101; tries++) {
      again = await attempt(through.origin, through.certificate);
      if (again.status !== 101) await sleep(300);
    }
    expect(again.status, again.body).toBe(101);
    open.push(again.ws as WebSocket);
  });
});
