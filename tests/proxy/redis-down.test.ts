/**
 * Redis stopped and started again under running proxies (a real redis-server, killed with SIGKILL
 * as a crash would): no crash, no hang, open streams go on, /healthz says degraded, /metrics counts
 * the time; REDIS_DOWN=admit admits under this instance's own limits, REDIS_DOWN=refuse refuses new
 * streams with 503; once Redis is back the limits are shared again (slots re-registered).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_SHARED, type SharedConfig } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, OTHER_TOKEN, TOKEN, connectClient, httpGet, resultsOf, silencePcm, sleep, testConfig, upgradeAnswer, waitFor, type TestClient } from './proxy-test-kit';
import { startRedis, type TestRedis } from '../../testkit/servers/redis-server';

let redis: TestRedis | undefined;
let fake: FakeDeepgram | undefined;
const proxies: RunningProxy[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await fake?.close();
  await redis?.close();
  fake = undefined;
  redis = undefined;
});

async function startInstances(count: number, shared: Partial<SharedConfig>): Promise<RunningProxy[]> {
  redis = await startRedis();
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 60_000, msPerWord: 50 });
  for (let index = 0; index < count; index += 1) {
    const config = testConfig({
      deepgramApiKey: DEEPGRAM_KEY,
      deepgramUrl: fake.url,
      limits: { ...DEFAULT_LIMITS, maxStreamsPerToken: 2 },
      // A short TTL so the heartbeat (a third of it) re-registers slots quickly after a restart.
      shared: { ...DEFAULT_SHARED, redisUrl: redis.url, slotTtlMs: 3000, ...shared },
    });
    proxies.push(await startProxy(config, { shutdownGraceMs: 300 }));
  }
  return proxies;
}

function open(proxy: RunningProxy, token = TOKEN): TestClient {
  const client = connectClient(proxy.url, { token });
  clients.push(client);
  return client;
}

const base = (proxy: RunningProxy) => `http://127.0.0.1:${proxy.port}`;
const health = async (proxy: RunningProxy) => JSON.parse((await httpGet(`${base(proxy)}/healthz`)).text) as Record<string, unknown>;
const metricsText = async (proxy: RunningProxy) => (await httpGet(`${base(proxy)}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } })).text;
const upgrade = (proxy: RunningProxy, token = TOKEN) => upgradeAnswer(`${proxy.url}?${LISTEN_QUERY}`, { Authorization: `Token ${token}` });

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Audio in, results out: the stream is alive. */
async function streamAnswers(client: TestClient): Promise<void> {
  const before = resultsOf(client.messages).length;
  client.ws.send(silencePcm(0.5));
  await waitFor(() => resultsOf(client.messages).length > before, 5000, 'results on the open stream');
}

describe('Redis down', () => {
  it('REDIS_DOWN=admit: streams go on, new ones are admitted under this instance\'s limits, and sharing resumes when Redis is back', { timeout: 30_000 }, async () => {
    const [a, b] = (await startInstances(2, { redisDown: 'admit' })) as [RunningProxy, RunningProxy];
    expect(await health(a)).toMatchObject({ status: 'ok', limits: 'redis' });
    const first = open(a);
    await first.opened;

    await redis?.stop();
    await until(async () => (await health(a)).status === 'degraded', 3000, '/healthz to say degraded');
    expect(await health(a)).toMatchObject({ status: 'degraded', whenDown: 'admit', reason: expect.stringContaining('Redis') });
    await streamAnswers(first);

    // Admitted in memory: A counts its own two streams, B (knowing nothing of A's) admits too.
    const started = Date.now();
    const second = open(a);
    await second.opened;
    expect(Date.now() - started).toBeLessThan(1000);
    const refusedLocally = await upgrade(a);
    expect(refusedLocally.status).toBe(429);
    expect(refusedLocally.body?.error).toBe('too_many_streams');
    const onB = open(b, OTHER_TOKEN);
    await onB.opened;

    const metrics = await metricsText(a);
    expect(metrics).toContain('captionist_shared_limits_degraded 1');
    expect(Number(/^captionist_redis_errors_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^captionist_shared_limits_degraded_seconds_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    // Redis comes back empty; A's heartbeat puts both its slots back, so B now refuses TOKEN.
    await redis?.restart();
    await until(async () => (await health(a)).status === 'ok' && (await health(b)).status === 'ok', 5000, 'both instances to see Redis again');
    await until(async () => (await upgrade(b)).status === 429, 3000, 'B to see the slots A holds');
    const refusedShared = await upgrade(b);
    expect(refusedShared.body?.error).toBe('too_many_streams');
    expect(await metricsText(a)).toContain('captionist_shared_limits_degraded 0');
    await streamAnswers(first);
  });

  it('REDIS_DOWN=refuse: new streams get 503 limits_unavailable at once, open ones go on; admitted again once Redis is back', { timeout: 30_000 }, async () => {
    const [a] = (await startInstances(1, { redisDown: 'refuse' })) as [RunningProxy];
    const first = open(a);
    await first.opened;

    await redis?.stop();
    await until(async () => (await health(a)).status === 'degraded', 3000, '/healthz to say degraded');
    const started = Date.now();
    const refused = await upgrade(a, OTHER_TOKEN);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'limits_unavailable', message: expect.stringContaining('REDIS_DOWN=refuse') });
    expect(refused.headers['retry-after']).toBeDefined();
    const checked = await httpGet(`${base(a)}/v1/auth-check?${LISTEN_QUERY}`, { headers: { Authorization: `Token ${OTHER_TOKEN}` } });
    expect(checked.status).toBe(503);
    await streamAnswers(first);

    await redis?.restart();
    await until(async () => (await health(a)).status === 'ok', 5000, 'Redis to be seen again');
    const admitted = open(a, OTHER_TOKEN);
    await admitted.opened;
    await streamAnswers(first);
  });

  it('a Redis that accepts but never answers: new streams are answered within the command timeouts, not held', { timeout: 30_000 }, async () => {
    const [a] = (await startInstances(1, { redisDown: 'admit' })) as [RunningProxy];
    const first = open(a);
    await first.opened;
    redis?.pause();
    const started = Date.now();
    const second = open(a, OTHER_TOKEN);
    await second.opened;
    // The throttle read and the slot script each give up after 1 s (proxy/limits/redis-connection.ts).
    expect(Date.now() - started).toBeLessThan(3500);
    await streamAnswers(first);
    expect(Number(/^captionist_redis_errors_total (\S+)$/m.exec(await metricsText(a))?.[1])).toBeGreaterThan(0);
    redis?.resume();
  });
});
