/**
 * Limits shared by two in-process proxies through one real redis-server (never mocked): streams per
 * token, the upstream cap, failed-token attempts and the daily audio quota hold across instances;
 * without REDIS_URL the quota and the cap hold for one instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EDGE, DEFAULT_LIMITS, DEFAULT_SHARED, type EdgeConfig, type ProxyLimits, type SharedConfig } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, OTHER_TOKEN, TOKEN, connectClient, httpGet, silencePcm, sleep, testConfig, upgradeAnswer, type TestClient } from './proxy-test-kit';
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

interface Setup {
  limits?: Partial<ProxyLimits>;
  shared?: Partial<SharedConfig>;
  edge?: Partial<EdgeConfig>;
  /** false: no REDIS_URL, limits in memory. */
  withRedis?: boolean;
  /** Each instance lists the tokens in another order (as after a careless edit of one). */
  shuffleTokens?: boolean;
}

async function startInstances(count: number, setup: Setup = {}): Promise<RunningProxy[]> {
  if (setup.withRedis !== false) redis = await startRedis();
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 30_000 });
  for (let index = 0; index < count; index += 1) {
    const config = testConfig({
      deepgramApiKey: DEEPGRAM_KEY,
      deepgramUrl: fake.url,
      limits: { ...DEFAULT_LIMITS, ...setup.limits },
      edge: { ...DEFAULT_EDGE, ...setup.edge },
      shared: { ...DEFAULT_SHARED, redisUrl: setup.withRedis === false ? undefined : redis?.url, ...setup.shared },
      ...(setup.shuffleTokens === true && index % 2 === 1 ? { tokens: [OTHER_TOKEN, TOKEN] } : {}),
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

async function authCheck(proxy: RunningProxy, token = TOKEN): Promise<{ status: number; body: Record<string, unknown>; retryAfter: number | undefined }> {
  const answer = await httpGet(`http://127.0.0.1:${proxy.port}/v1/auth-check?${LISTEN_QUERY}`, { headers: { Authorization: `Token ${token}` } });
  const retryAfter = answer.headers['retry-after'];
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown>, retryAfter: retryAfter === undefined ? undefined : Number(retryAfter) };
}

const upgrade = (proxy: RunningProxy, token = TOKEN) => upgradeAnswer(`${proxy.url}?${LISTEN_QUERY}`, { Authorization: `Token ${token}` });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('limits shared through Redis', () => {
  it('holds a token to MAX_STREAMS_PER_TOKEN across two instances, and frees a slot when a stream ends', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { limits: { maxStreamsPerToken: 2 } })) as [RunningProxy, RunningProxy];
    const first = open(a);
    const second = open(b);
    await Promise.all([first.opened, second.opened]);

    for (const proxy of [a, b]) {
      const refused = await upgrade(proxy);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: 'too_many_streams', message: expect.stringContaining('2 streams') });
      expect((await authCheck(proxy)).body).toMatchObject({ error: 'too_many_streams' });
    }
    expect((await authCheck(b, OTHER_TOKEN)).status).toBe(200);

    first.ws.close(1000);
    await first.closed;
    await eventually(() => authCheck(b), (answer) => answer.status === 200, 3000, 'the ended stream to free its slot');
    const again = open(b);
    await again.opened;
  });

  it('counts a token under the same key on instances that list the tokens in another order', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { limits: { maxStreamsPerToken: 1 }, shuffleTokens: true })) as [RunningProxy, RunningProxy];
    const held = open(a, TOKEN);
    await held.opened;
    expect((await upgrade(b, TOKEN)).body?.error).toBe('too_many_streams');
    expect((await authCheck(b, OTHER_TOKEN)).status).toBe(200);
  });

  it('holds UPSTREAM_MAX_STREAMS across instances and tokens: 429 upstream_capacity with Retry-After', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { shared: { upstreamMaxStreams: 2 } })) as [RunningProxy, RunningProxy];
    const first = open(a, TOKEN);
    const second = open(b, OTHER_TOKEN);
    await Promise.all([first.opened, second.opened]);
    const refused = await upgrade(a, OTHER_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'upstream_capacity', message: expect.stringContaining('UPSTREAM_MAX_STREAMS') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const checked = await authCheck(b, TOKEN);
    expect(checked.status).toBe(429);
    expect(checked.body.error).toBe('upstream_capacity');
    expect(fake?.connections.length).toBe(2);
  });

  it('counts failed token attempts per address across instances', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { edge: { authMaxFailures: 3, authFailureWindowMs: 60_000 } })) as [RunningProxy, RunningProxy];
    const wrong = 'wrong-token-0f9e8d7c6b5a4f3e2d1c0b9a';
    expect((await authCheck(a, wrong)).status).toBe(401);
    expect((await authCheck(b, wrong)).status).toBe(401);
    expect((await authCheck(a, wrong)).status).toBe(401);
    const throttled = await authCheck(b, TOKEN);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe('too_many_attempts');
    expect(throttled.retryAfter).toBeGreaterThan(50);
  });

  it('counts a token\'s audio across instances and refuses past DAILY_AUDIO_SECONDS_PER_TOKEN until UTC midnight', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { shared: { dailyAudioSecondsPerToken: 3 } })) as [RunningProxy, RunningProxy];
    // 2 s on one instance, 1.5 s on the other: 3.5 s in all, over the 3 s quota only together.
    for (const [proxy, seconds] of [
      [a, 2],
      [b, 1.5],
    ] as const) {
      const client = open(proxy);
      await client.opened;
      client.ws.send(silencePcm(seconds));
      await sleep(100);
      client.ws.close(1000);
      await client.closed;
    }
    const refused = await eventually(() => authCheck(a), (answer) => answer.status === 429, 3000, 'the quota to be reached');
    expect(refused.body).toMatchObject({ error: 'daily_audio_quota', message: expect.stringContaining('3 s of audio for today') });
    const now = Date.now();
    const untilMidnight = Math.ceil((Math.ceil(now / 86_400_000) * 86_400_000 - now) / 1000);
    expect(refused.retryAfter).toBeGreaterThanOrEqual(untilMidnight - 5);
    expect(refused.retryAfter).toBeLessThanOrEqual(untilMidnight + 5);
    const upgraded = await upgrade(b);
    expect(upgraded.status).toBe(429);
    expect(upgraded.body?.error).toBe('daily_audio_quota');
    // Another token has its own quota.
    expect((await authCheck(b, OTHER_TOKEN)).status).toBe(200);
  });
});

describe('a daily quota that runs out mid-stream', () => {
  it('ends the streams of that token on every instance at the next heartbeat, with 1001 and the reason', { timeout: 15_000 }, async () => {
    const [a, b] = (await startInstances(2, { shared: { dailyAudioSecondsPerToken: 2, slotTtlMs: 3000 } })) as [RunningProxy, RunningProxy];
    const onA = open(a);
    const onB = open(b);
    const other = open(b, OTHER_TOKEN);
    await Promise.all([onA.opened, onB.opened, other.opened]);
    // 1.2 s each: under the quota alone, over it together once both heartbeats (every 1 s) wrote.
    onA.ws.send(silencePcm(1.2));
    onB.ws.send(silencePcm(1.2));
    const started = Date.now();
    const [closedA, closedB] = await Promise.all([onA.closed, onB.closed]);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const closed of [closedA, closedB]) {
      expect(closed.code).toBe(1001);
      expect(closed.reason).toMatch(/2 s of audio for today \(UTC\); it resets in \d+ h \d+ min/);
    }
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    expect((await authCheck(a)).body.error).toBe('daily_audio_quota');
  });
});

describe('limits without REDIS_URL (one instance)', () => {
  it('applies the daily quota and the upstream cap in memory', { timeout: 15_000 }, async () => {
    const [proxy] = (await startInstances(1, { withRedis: false, shared: { upstreamMaxStreams: 1, dailyAudioSecondsPerToken: 1 } })) as [RunningProxy];
    const health = JSON.parse((await httpGet(`http://127.0.0.1:${proxy.port}/healthz`)).text) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', limits: 'memory' });
    const client = open(proxy);
    await client.opened;
    expect((await authCheck(proxy, OTHER_TOKEN)).body.error).toBe('upstream_capacity');
    client.ws.send(silencePcm(1.2));
    await sleep(100);
    client.ws.close(1000);
    await client.closed;
    const refused = await eventually(() => authCheck(proxy), (answer) => answer.status === 429, 3000, 'the quota to be reached');
    expect(refused.body.error).toBe('daily_audio_quota');
    expect((await authCheck(proxy, OTHER_TOKEN)).status).toBe(200);
  });

  it('ends a stream when the quota runs out during it', { timeout: 15_000 }, async () => {
    const [proxy] = (await startInstances(1, { withRedis: false, shared: { dailyAudioSecondsPerToken: 1 } })) as [RunningProxy];
    const client = open(proxy);
    await client.opened;
    client.ws.send(silencePcm(0.6));
    client.ws.send(silencePcm(0.6));
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toContain('1 s of audio for today');
  });
});
