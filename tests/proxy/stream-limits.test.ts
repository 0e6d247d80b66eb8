/**
 * Per-token and per-stream limits: concurrent streams, message size, audio rate, text flood, idle
 * time and session length. Refusals before the upgrade are HTTP + JSON; after it, close codes with reasons.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ProxyLimits } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, OTHER_TOKEN, TOKEN, connectClient, sleep, testConfig, upgradeAnswer, waitFor } from './proxy-test-kit';

let fake: FakeDeepgram | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

async function limitedProxy(limits: Partial<ProxyLimits>, fakeIdleMs = 10_000): Promise<RunningProxy> {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: fakeIdleMs });
  proxy = await startProxy(
    testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, limits: { ...DEFAULT_LIMITS, ...limits } }),
    { shutdownGraceMs: 500 },
  );
  return proxy;
}

describe('stream limits', () => {
  it('refuses a token its third concurrent stream with 429 JSON, while other tokens still connect', async () => {
    const running = await limitedProxy({ maxStreamsPerToken: 2 });
    const open = [connectClient(running.url, { token: TOKEN }), connectClient(running.url, { token: TOKEN })];
    await Promise.all(open.map((client) => client.opened));
    const refused = await upgradeAnswer(`${running.url}?${LISTEN_QUERY}`, { Authorization: `Token ${TOKEN}` });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'too_many_streams', message: expect.stringContaining('2 streams') });
    const other = connectClient(running.url, { token: OTHER_TOKEN });
    await other.opened;
    open[0]?.ws.close(1000);
    await open[0]?.closed;
    const healthUrl = running.url.replace('ws://', 'http://').replace('/v1/listen', '/healthz');
    let streams = -1;
    await waitFor(() => {
      void fetch(healthUrl)
        .then((response) => response.json() as Promise<{ streams: number }>)
        .then((health) => (streams = health.streams));
      return streams === 2;
    }, 2000, 'the closed stream to be released');
    const again = connectClient(running.url, { token: TOKEN });
    await again.opened;
  });

  it('closes with 1009 a message larger than the limit (64 KiB by default)', async () => {
    const running = await limitedProxy({});
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    client.ws.send(Buffer.alloc(64 * 1024)); // exactly the limit is fine
    client.ws.send(Buffer.alloc(64 * 1024 + 1));
    const closed = await client.closed;
    expect(closed.code).toBe(1009);
    expect(fake?.connections[0]?.audioBytes).toBe(64 * 1024);
  });

  it('closes with 1008 a stream that sends audio much faster than real time, after the burst allowance', async () => {
    const running = await limitedProxy({ audioBurstSeconds: 2 });
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    await waitFor(() => fake?.connections.length === 1, 2000, 'the upstream to open');
    const second = Buffer.alloc(32_000); // 1 s of 16 kHz linear16
    for (let i = 0; i < 10 && client.ws.readyState === client.ws.OPEN; i += 1) client.ws.send(second);
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('faster than 1.25x real time');
    // The burst (2 s) went through, the flood did not.
    await fake?.connections[0]?.closed;
    expect(fake?.connections[0]?.audioBytes).toBeGreaterThanOrEqual(2 * 32_000);
    expect(fake?.connections[0]?.audioBytes).toBeLessThan(4 * 32_000);
  });

  it('lets real-time audio through at the rate limit without complaint', { timeout: 10_000 }, async () => {
    const running = await limitedProxy({ audioBurstSeconds: 0.2 });
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    for (let i = 0; i < 20; i += 1) {
      client.ws.send(Buffer.alloc(3200));
      await sleep(100);
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await waitFor(() => fake?.connections[0]?.audioBytes === 20 * 3200, 1000, 'all audio upstream');
  });

  it('closes with 1008 a client flooding text messages', async () => {
    const running = await limitedProxy({});
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    for (let i = 0; i < 500 && client.ws.readyState === client.ws.OPEN; i += 1) client.ws.send('{"type":"KeepAlive"}');
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('too many text messages');
  });

  it('closes an idle stream itself (1011 NET-0001) even when the upstream does not', { timeout: 10_000 }, async () => {
    const running = await limitedProxy({ idleTimeoutMs: 500 }, 60_000);
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^NET-0001/);
    await fake?.connections[0]?.closed;
  });

  it('ends a stream at the maximum session length with 1001 and a reason, after the upstream finished', { timeout: 10_000 }, async () => {
    const running = await limitedProxy({ maxSessionMs: 700 });
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    const keepAlive = setInterval(() => client.ws.send('{"type":"KeepAlive"}'), 100);
    const closed = await client.closed;
    clearInterval(keepAlive);
    expect(closed).toEqual({ code: 1001, reason: "the stream reached this proxy's 1 s session limit, reconnect to go on" });
    expect(fake?.connections[0]?.controls.at(-1)).toBe('CloseStream');
    expect(client.messages.at(-1)?.type).toBe('Metadata');
  });

  it('refuses at the handshake, with 400 naming the limit, a declared format past the caps', async () => {
    const running = await limitedProxy({});
    const refused = await upgradeAnswer(`${running.url}?encoding=linear32&sample_rate=192000&channels=20`, { Authorization: `Token ${TOKEN}` });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'bad_request', message: expect.stringContaining('ALLOWED_ENCODINGS: linear16') });
    const tooFast = await upgradeAnswer(`${running.url}?encoding=linear16&sample_rate=192000&channels=1`, { Authorization: `Token ${TOKEN}` });
    expect(tooFast.body?.message).toBe("sample_rate 192000 is above this proxy's limit of 48000 (MAX_SAMPLE_RATE).");
  });
});
