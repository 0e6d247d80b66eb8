/**
 * Channels and the proxy's limits (issue 13, a meeting sends two): the declared channels and
 * sample rate are capped with Deepgram and with the local engine alike (400 naming the setting),
 * the local engine counts a stream's channels against its capacity, the audio rate allows each
 * declared channel its real time, and the daily quota counts channel-seconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_SHARED, type ProxyLimits, type SharedConfig } from '@/proxy/config';
import { createAudioMeter } from '@/proxy/limits/audio-meter';
import type { StreamSlot } from '@/proxy/limits/shared-limits';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, engineProcesses, sleep, testConfig, upgradeAnswer, waitFor, type TestClient } from './proxy-test-kit';

const STEREO = 'encoding=linear16&sample_rate=16000&channels=2&multichannel=true';
const MONO = 'encoding=linear16&sample_rate=16000&channels=1';

let fake: FakeDeepgram | undefined;
const proxies: RunningProxy[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await fake?.close();
  fake = undefined;
});

async function proxyWith(engine: 'deepgram' | 'local', limits: Partial<ProxyLimits> = {}, shared: Partial<SharedConfig> = {}): Promise<RunningProxy> {
  if (engine === 'deepgram') fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 30_000 });
  const proxy = await startProxy(
    testConfig({
      ...(fake === undefined ? {} : { deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }),
      limits: { ...DEFAULT_LIMITS, ...limits },
      shared: { ...DEFAULT_SHARED, ...shared },
    }),
    { shutdownGraceMs: 300 },
  );
  proxies.push(proxy);
  expect(proxy.upstreamKind).toBe(engine);
  return proxy;
}

function open(proxy: RunningProxy, query: string): TestClient {
  const client = connectClient(proxy.url, { token: TOKEN, query });
  clients.push(client);
  return client;
}

const ask = (proxy: RunningProxy, query: string) => upgradeAnswer(`${proxy.url}?${query}`, { Authorization: `Token ${TOKEN}` });
const authCheck = async (proxy: RunningProxy, query: string) => {
  const response = await fetch(`http://127.0.0.1:${proxy.port}/v1/auth-check?${query}`, { headers: { Authorization: `Token ${TOKEN}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('channel and rate caps', () => {
  it.each(['deepgram', 'local'] as const)('refuses more channels or a higher rate than configured, before any upstream, with %s', async (engine) => {
    const proxy = await proxyWith(engine, { maxSampleRate: 16_000 });
    // The default cap lets a meeting's two channels through.
    expect(DEFAULT_LIMITS.maxChannels).toBe(2);
    expect((await authCheck(proxy, STEREO)).status).toBe(200);
    const refusals: [string, string][] = [
      ['encoding=linear16&sample_rate=16000&channels=3&multichannel=true', "channels 3 is above this proxy's limit of 2 (MAX_CHANNELS)."],
      ['encoding=linear16&sample_rate=48000&channels=1', "sample_rate 48000 is above this proxy's limit of 16000 (MAX_SAMPLE_RATE)."],
      ['encoding=linear16&sample_rate=48000&channels=2&multichannel=true', "sample_rate 48000 is above this proxy's limit of 16000 (MAX_SAMPLE_RATE)."],
    ];
    for (const [query, message] of refusals) {
      const refused = await ask(proxy, query);
      expect(refused.status, query).toBe(400);
      expect(refused.body, query).toEqual({ error: 'bad_request', message });
      // The extension asks over HTTP first (a browser cannot read a refused handshake): the same answer.
      expect(await authCheck(proxy, query), query).toEqual({ status: 400, body: { error: 'bad_request', message } });
    }
    expect(fake?.connections ?? []).toHaveLength(0);
  });

  it('counts a stream of N channels as N of the local engine\'s streams (a process each)', { timeout: 20_000 }, async () => {
    const proxy = await proxyWith('local', { maxLocalEngineStreams: 2 });
    const mono = open(proxy, MONO);
    await mono.opened;
    const refused = await authCheck(proxy, STEREO);
    expect(refused).toEqual({
      status: 503,
      body: {
        error: 'engine_busy',
        message:
          "The local engine is already transcribing 1 streams, as many as this computer keeps up with (this stream's 2 channels count as 2 streams). Try again later, or give the proxy a DEEPGRAM_API_KEY.",
      },
    });
    expect((await ask(proxy, STEREO)).status).toBe(503);
    expect((await authCheck(proxy, MONO)).status).toBe(200);
    mono.ws.close(1000);
    await mono.closed;
    await waitFor(() => engineProcesses(String(mono.upgradeHeaders['dg-request-id'])).length === 0, 3000, 'the mono stream to end');
    // Freed: the two channels fit now, and then nothing else does.
    let stereoAccepted = 0;
    await waitFor(() => {
      void authCheck(proxy, STEREO).then((answer) => (stereoAccepted = answer.status));
      return stereoAccepted === 200;
    }, 3000, 'the freed capacity');
    const stereo = open(proxy, STEREO);
    await stereo.opened;
    expect((await authCheck(proxy, MONO)).status).toBe(503);
  });

  it("allows each declared channel its real time: a 2-channel stream's bytes pass, the same bytes declared mono do not", { timeout: 15_000 }, async () => {
    const proxy = await proxyWith('deepgram', { audioBurstSeconds: 0.2 });
    const stereo = open(proxy, STEREO);
    const mono = open(proxy, MONO);
    await Promise.all([stereo.opened, mono.opened]);
    // 100 ms of 16 kHz stereo every 100 ms: real time for two channels, twice it for one, which
    // overruns the 64 KiB burst floor (a message's size, proxy/listen-session.ts) within 3 s.
    for (let i = 0; i < 40; i += 1) {
      stereo.ws.send(Buffer.alloc(6400));
      if (mono.ws.readyState === mono.ws.OPEN) mono.ws.send(Buffer.alloc(6400));
      await sleep(100);
    }
    expect(stereo.ws.readyState).toBe(stereo.ws.OPEN);
    const closed = await mono.closed;
    expect(closed).toEqual({ code: 1008, reason: 'audio is arriving faster than 1.25x real time; pace it to real time' });
  });

  it('uses a daily quota twice as fast on two channels: each channel counts, as Deepgram bills each', { timeout: 15_000 }, async () => {
    const proxy = await proxyWith('deepgram', {}, { dailyAudioSecondsPerToken: 2 });
    // 1.2 s of mono is under the 2 s quota.
    const mono = open(proxy, MONO);
    await mono.opened;
    mono.ws.send(Buffer.alloc(1.2 * 32_000));
    await sleep(300);
    expect(mono.ws.readyState).toBe(mono.ws.OPEN);
    mono.ws.close(1000);
    await mono.closed;
    // 0.5 s of stereo is 1 s more: 2.2 s, past it, so the stream is ended with the quota's words.
    const stereo = open(proxy, STEREO);
    await stereo.opened;
    stereo.ws.send(Buffer.alloc(0.5 * 64_000));
    const closed = await stereo.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toContain('2 s of audio for today');
  });
});

describe('audio meter', () => {
  function countingSlot(): { slot: StreamSlot; seconds: () => number } {
    let total = 0;
    return {
      slot: { addAudioSeconds: (seconds) => (total += seconds), release: () => {}, onQuotaUsed: () => {} },
      seconds: () => total,
    };
  }

  it('counts channel-seconds of raw audio from its bytes', () => {
    const mono = countingSlot();
    createAudioMeter({ encoding: 'linear16', sampleRate: 16_000, channels: 1 }, mono.slot).relayed(32_000);
    expect(mono.seconds()).toBe(1);
    const stereo = countingSlot();
    const meter = createAudioMeter({ encoding: 'linear16', sampleRate: 16_000, channels: 2 }, stereo.slot);
    meter.relayed(64_000);
    meter.ended();
    expect(stereo.seconds()).toBe(2);
    const mulaw = countingSlot();
    createAudioMeter({ encoding: 'mulaw', sampleRate: 8000, channels: 2 }, mulaw.slot).relayed(8000);
    expect(mulaw.seconds()).toBe(1);
  });

  it('counts compressed audio by the time its stream was open, times its channels', () => {
    const slot = countingSlot();
    const meter = createAudioMeter({ encoding: 'opus', sampleRate: 48_000, channels: 2 }, slot.slot, Date.now() - 3000);
    meter.relayed(10_000);
    expect(slot.seconds()).toBe(0);
    meter.ended();
    expect(slot.seconds()).toBeGreaterThanOrEqual(6);
    expect(slot.seconds()).toBeLessThan(6.5);
  });
});
