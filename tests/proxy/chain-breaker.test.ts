/**
 * The fallback chain's memory of a failing engine (proxy/upstreams/link-breakers.ts) behind the
 * real proxy, over real sockets: Deepgram is a fake answering 402 (testkit/upstream) reached
 * through a counting TCP forwarder, so every handshake the proxy makes to it is seen, and the
 * compatible server (another fake) is next. The cool-down runs on an injected clock.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_NOTICE_TYPE } from '@/lib/listen/engine-notice';
import { createProxyMetrics, type ProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram, type FakeDeepgramOptions } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, resultsOf, silencePcm, sleep, testConfig, transcriptOf, waitFor, type TestClient } from './proxy-test-kit';

const COMPATIBLE_KEY = 'compatible-key-7';
const COOLDOWN_MS = 30_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A loopback TCP forwarder to `target`'s port, counting connections; `target` can be switched. */
async function countingForwarder(target: { port: number }) {
  const sockets = new Set<Socket>();
  const forwarder = { connections: 0, target, server: undefined as Server | undefined, port: 0 };
  const server = createServer((socket) => {
    forwarder.connections += 1;
    const onward = connect(forwarder.target.port, '127.0.0.1');
    for (const end of [socket, onward]) {
      sockets.add(end);
      end.on('error', () => end.destroy());
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(onward).pipe(socket);
    socket.on('close', () => onward.destroy());
    onward.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  forwarder.server = server;
  forwarder.port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return forwarder;
}

async function fake(options: FakeDeepgramOptions): Promise<FakeDeepgram> {
  const started = await startFakeUpstream({ mode: 'normal', ...options });
  cleanups.push(() => started.close());
  return started;
}

interface Setup {
  proxy: RunningProxy;
  metrics: ProxyMetrics;
  clock: { now: number };
  deepgram: Awaited<ReturnType<typeof countingForwarder>>;
  refusing: FakeDeepgram;
  working: FakeDeepgram;
  backup: FakeDeepgram;
}

async function chainWithRefusingDeepgram(cooldownMs: number): Promise<Setup> {
  const refusing = await fake({ apiKey: DEEPGRAM_KEY, rejectUpgrade: { status: 402 } });
  const working = await fake({ apiKey: DEEPGRAM_KEY, msPerWord: 50, script: [{ speaker: 0, words: ['deepgram', 'again'] }] });
  const backup = await fake({ apiKey: COMPATIBLE_KEY, msPerWord: 50, script: [{ speaker: 0, words: ['served', 'by', 'the', 'backup'] }] });
  const deepgram = await countingForwarder({ port: refusing.port });
  const clock = { now: 1_000_000 };
  const metrics = createProxyMetrics();
  const proxy = await startProxy(
    testConfig({
      deepgramApiKey: DEEPGRAM_KEY,
      deepgramUrl: `ws://127.0.0.1:${deepgram.port}/v1/listen`,
      chain: { upstreams: ['deepgram', 'compatible'], compatible: { url: backup.url, apiKey: COMPATIBLE_KEY }, fallbackAfterMs: 2000, cooldownMs },
    }),
    { shutdownGraceMs: 500, metrics, chainNow: () => clock.now },
  );
  cleanups.push(() => proxy.close());
  return { proxy, metrics, clock, deepgram, refusing, working, backup };
}

/** A stream that sends a little audio and waits for its first final; left open for the caller. */
async function streamToFirstFinal(proxy: RunningProxy): Promise<TestClient> {
  const client = connectClient(proxy.url, { token: TOKEN });
  cleanups.push(async () => {
    client.ws.terminate();
    await client.closed;
  });
  await client.opened;
  client.ws.send(silencePcm(0.3));
  await waitFor(() => resultsOf(client.messages).some((message) => message.is_final === true), 5000, 'a first final');
  return client;
}

const finalOf = (client: TestClient) => transcriptOf(resultsOf(client.messages).find((message) => message.is_final === true) ?? {});

async function closeStream(client: TestClient): Promise<void> {
  client.ws.send('{"type":"CloseStream"}');
  await client.closed;
}

async function healthz(proxy: RunningProxy): Promise<Record<string, unknown>> {
  const response = await fetch(proxy.url.replace('ws://', 'http://').replace('/v1/listen', '/healthz'));
  return (await response.json()) as Record<string, unknown>;
}

describe('a fallback chain remembering a refusing engine', () => {
  it('after a 402 the next streams make no handshake to it, yet hear why; after the cool-down one probe goes, and success closes it', async () => {
    const { proxy, metrics, clock, deepgram, working, backup } = await chainWithRefusingDeepgram(COOLDOWN_MS);
    const notice = { type: ENGINE_NOTICE_TYPE, engine: 'compatible', from: 'deepgram', reason: 'out_of_credit', status: 402 };

    const first = await streamToFirstFinal(proxy);
    expect(deepgram.connections).toBe(1);
    expect(first.messages[0]).toEqual(notice);
    await closeStream(first);

    for (let stream = 2; stream <= 4; stream += 1) {
      const client = await streamToFirstFinal(proxy);
      expect(client.messages[0]).toEqual(notice);
      expect(finalOf(client)).toBe('Served by the backup.');
      await closeStream(client);
    }
    expect(deepgram.connections).toBe(1);
    expect(backup.connections).toHaveLength(4);
    expect(await healthz(proxy)).toMatchObject({ links: [{ link: 'deepgram', state: 'open', reason: 'out_of_credit', status: 402, retryInSeconds: 30 }] });
    expect(await metrics.render()).toContain('captionist_upstream_link_open{link="deepgram"} 1');

    // Cool-down over, Deepgram still out of credit: one probe, refused, and it opens again.
    clock.now += COOLDOWN_MS;
    const probed = await streamToFirstFinal(proxy);
    expect(deepgram.connections).toBe(2);
    expect(probed.messages[0]).toEqual(notice);
    await closeStream(probed);
    await closeStream(await streamToFirstFinal(proxy));
    expect(deepgram.connections).toBe(2);

    // Credit added: the next probe opens, the breaker closes, and streams stay on Deepgram.
    deepgram.target = { port: working.port };
    clock.now += COOLDOWN_MS;
    const recovered = await streamToFirstFinal(proxy);
    expect(deepgram.connections).toBe(3);
    expect(recovered.messages.some((message) => message.type === ENGINE_NOTICE_TYPE)).toBe(false);
    expect(finalOf(recovered)).toBe('Deepgram again.');
    await closeStream(recovered);
    expect(await healthz(proxy)).toMatchObject({ links: [{ link: 'deepgram', state: 'closed' }] });
    const after = await streamToFirstFinal(proxy);
    expect(deepgram.connections).toBe(4);
    expect(finalOf(after)).toBe('Deepgram again.');
    await closeStream(after);
    expect(await metrics.render()).toContain('captionist_upstream_link_open{link="deepgram"} 0');
  });

  it('FALLBACK_COOLDOWN_SECONDS=0 keeps trying the first engine on every stream, as before', async () => {
    const { proxy, deepgram } = await chainWithRefusingDeepgram(0);
    for (let stream = 1; stream <= 3; stream += 1) {
      const client = await streamToFirstFinal(proxy);
      expect(client.messages[0]).toMatchObject({ engine: 'compatible', reason: 'out_of_credit' });
      await closeStream(client);
    }
    expect(deepgram.connections).toBe(3);
    expect(await healthz(proxy)).not.toHaveProperty('links');
  });

  it('/metrics and /healthz label streams by the engine serving them', async () => {
    const { proxy, metrics } = await chainWithRefusingDeepgram(COOLDOWN_MS);
    const open = await streamToFirstFinal(proxy);
    const skipped = await streamToFirstFinal(proxy);
    const text = await metrics.render();
    expect(text).toContain('captionist_streams_active{engine="compatible"} 2');
    expect(text).toContain('captionist_streams_active{engine="deepgram"} 0');
    expect(text).toContain('captionist_streams_total{engine="compatible"} 2');
    expect(text).not.toContain('captionist_streams_total{engine="deepgram"}');
    expect(text).toContain('captionist_upstream_connect_seconds_count{engine="compatible"} 2');
    expect(text).toContain('captionist_upstream_fallbacks_total{reason="out_of_credit",from="deepgram",to="compatible"} 2');
    expect(await healthz(proxy)).toMatchObject({ engine: 'deepgram', streams: 2, streamsByEngine: { compatible: 2 } });
    await closeStream(open);
    await closeStream(skipped);
    // The client hears the close before the proxy has counted the stream's end.
    let ended = '';
    for (let tries = 0; tries < 50 && !ended.includes('captionist_streams_active{engine="compatible"} 0'); tries += 1) {
      await sleep(20);
      ended = await metrics.render();
    }
    expect(ended).toContain('captionist_streams_active{engine="compatible"} 0');
  });
});
