/**
 * The fallback chain (proxy/upstreams/upstream-chain.ts) behind the real proxy: Deepgram (a fake
 * that refuses, hangs, or is not there) first, a Deepgram-compatible server (another fake) next.
 * For each reason a retry will not fix soon, the next engine serves the stream with every byte of
 * its audio, the client hears which engine first, and /metrics counts the fallback by reason.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_NOTICE_TYPE } from '@/lib/listen/engine-notice';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { createProxyMetrics, type ProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram, type FakeDeepgramOptions } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, resultsOf, silencePcm, streamPcm, testConfig, transcriptOf, waitFor } from './proxy-test-kit';

const COMPATIBLE_KEY = 'compatible-key-7';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Chain {
  proxy: RunningProxy;
  backup: FakeDeepgram;
  primary: FakeDeepgram | undefined;
  metrics: ProxyMetrics;
}

/** The proxy with UPSTREAMS=deepgram,compatible; `primary` undefined: Deepgram's URL is a closed port. */
async function chainBehind(primary: Partial<FakeDeepgramOptions> | undefined): Promise<Chain> {
  const backup = await startFakeUpstream({ mode: 'normal', apiKey: COMPATIBLE_KEY, msPerWord: 100, script: [{ speaker: 0, words: ['served', 'by', 'the', 'backup'] }] });
  cleanups.push(() => backup.close());
  let first: FakeDeepgram | undefined;
  let deepgramUrl = `ws://127.0.0.1:${await closedPort()}/v1/listen`;
  if (primary !== undefined) {
    first = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, ...primary });
    const started = first;
    cleanups.push(() => started.close());
    deepgramUrl = first.url;
  }
  const metrics = createProxyMetrics();
  const proxy = await startProxy(
    testConfig({
      deepgramApiKey: DEEPGRAM_KEY,
      deepgramUrl,
      chain: { upstreams: ['deepgram', 'compatible'], compatible: { url: backup.url, apiKey: COMPATIBLE_KEY }, fallbackAfterMs: 400 },
    }),
    { shutdownGraceMs: 500, metrics },
  );
  cleanups.push(() => proxy.close());
  return { proxy, backup, primary: first, metrics };
}

async function fallbackCount(metrics: ProxyMetrics, reason: string): Promise<number> {
  const text = await metrics.render();
  const line = text.split('\n').find((entry) => entry.startsWith(`captionist_upstream_fallbacks_total{reason="${reason}",from="deepgram",to="compatible"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const REASONS = [
  { name: '402 out of credit', primary: { rejectUpgrade: { status: 402 } }, reason: 'out_of_credit', status: 402 },
  { name: '429 too many streams', primary: { rejectUpgrade: { status: 429 } }, reason: 'concurrency', status: 429 },
  { name: '503 unavailable', primary: { rejectUpgrade: { status: 503 } }, reason: 'server_error', status: 503 },
  { name: 'unreachable (connection refused)', primary: undefined, reason: 'unreachable', status: undefined },
  { name: 'handshake timeout (the server never answers)', primary: { hangUpgrade: true }, reason: 'timeout', status: undefined },
] as const;

describe('a fallback chain of upstreams', () => {
  for (const { name, primary, reason, status } of REASONS) {
    it(`${name}: the next engine serves the stream with all its audio, the client is told first, /metrics counts ${reason}`, async () => {
      const { proxy, backup, metrics } = await chainBehind(primary);
      const client = connectClient(proxy.url, { token: TOKEN });
      await client.opened;
      // Sent at once, while the chain is still finding an engine: none of it may be lost.
      await streamPcm(client.ws, silencePcm(0.6), { speed: 20 });
      await waitFor(() => resultsOf(client.messages).some((message) => message.is_final === true), 5000, 'a final from the backup');
      expect(client.messages[0]).toEqual({ type: ENGINE_NOTICE_TYPE, engine: 'compatible', from: 'deepgram', reason, ...(status === undefined ? {} : { status }) });
      expect(resultsOf(client.messages).filter((message) => message.is_final === true).map(transcriptOf)).toEqual(['Served by the backup.']);
      expect(backup.connections).toHaveLength(1);
      await waitFor(() => (backup.connections[0]?.audioBytes ?? 0) >= 0.6 * 32_000, 3000, 'all the audio at the backup');
      expect(backup.connections[0]?.audioBytes).toBe(0.6 * 32_000);
      expect(await fallbackCount(metrics, reason)).toBe(1);
      client.ws.send('{"type":"CloseStream"}');
      expect((await client.closed).code).toBe(1000);
    });
  }

  it('a refusal about the request or the key (401) is not fallen back from: the client hears it as without a chain', async () => {
    const { proxy, backup, metrics } = await chainBehind({ apiKey: 'another-key-entirely' });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(silencePcm(0.1));
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1008, reason: 'upstream rejected the key (401)' });
    expect(client.messages).toEqual([]);
    expect(backup.connections).toHaveLength(0);
    expect(await metrics.render()).not.toContain('captionist_upstream_fallbacks_total{');
  });

  it('a working first engine serves the stream alone, and no notice is sent', async () => {
    const { proxy, backup, primary } = await chainBehind({ script: [{ speaker: 0, words: ['deepgram', 'itself'] }] });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.4), { speed: 20 });
    await waitFor(() => resultsOf(client.messages).some((message) => message.is_final === true), 5000, 'a final');
    expect(client.messages.some((message) => message.type === ENGINE_NOTICE_TYPE)).toBe(false);
    // A final can come back before the last frames reach the engine: wait for them, then count.
    await waitFor(() => (primary?.connections[0]?.audioBytes ?? 0) >= 0.4 * 32_000, 5000, 'all the audio at the first engine');
    expect(primary?.connections[0]?.audioBytes).toBe(0.4 * 32_000);
    expect(backup.connections).toHaveLength(0);
    client.ws.close(1000);
    await client.closed;
  });

  it('Deepgram out of credit with the local engine next: the notice names the local engine, which then counts against its limit', async () => {
    const first = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, rejectUpgrade: { status: 402 } });
    cleanups.push(() => first.close());
    const metrics = createProxyMetrics();
    const proxy = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: first.url,
        limits: { ...DEFAULT_LIMITS, maxLocalEngineStreams: 1 },
        chain: { upstreams: ['deepgram', 'local'], compatible: undefined, fallbackAfterMs: 400 },
      }),
      { shutdownGraceMs: 500, metrics },
    );
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(silencePcm(0.2));
    await waitFor(() => client.messages.length > 0, 5000, 'the notice');
    expect(client.messages[0]).toEqual({ type: ENGINE_NOTICE_TYPE, engine: 'local', from: 'deepgram', reason: 'out_of_credit', status: 402 });
    expect(await metrics.render()).toContain('captionist_upstream_fallbacks_total{reason="out_of_credit",from="deepgram",to="local"} 1');
    // Its one decoder is taken: a second stream falling back finds the engine full.
    const second = connectClient(proxy.url, { token: TOKEN });
    await second.opened;
    second.ws.send(silencePcm(0.1));
    const refused = await second.closed;
    expect(refused.code).toBe(1013);
    expect(refused.reason).toMatch(/^the local engine is already transcribing 1 streams/);
    client.ws.close(1000);
    await client.closed;
    // Given back when the first ends: a third stream is served.
    const third = connectClient(proxy.url, { token: TOKEN });
    await third.opened;
    third.ws.send(silencePcm(0.1));
    await waitFor(() => third.messages.length > 0, 5000, 'the notice on a freed engine');
    expect(third.messages[0]).toMatchObject({ engine: 'local' });
    third.ws.close(1000);
    await third.closed;
  });

  it('the last engine failing too ends the stream with its own reason', async () => {
    const backupKey = await startFakeUpstream({ mode: 'normal', apiKey: COMPATIBLE_KEY, rejectUpgrade: { status: 503 } });
    cleanups.push(() => backupKey.close());
    const first = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, rejectUpgrade: { status: 402 } });
    cleanups.push(() => first.close());
    const proxy = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: first.url,
        chain: { upstreams: ['deepgram', 'compatible'], compatible: { url: backupKey.url, apiKey: COMPATIBLE_KEY }, fallbackAfterMs: 400 },
      }),
      { shutdownGraceMs: 500 },
    );
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(silencePcm(0.1));
    expect(await client.closed).toEqual({ code: 1011, reason: 'upstream unavailable (503), try again later' });
    expect(client.messages).toEqual([]);
  });
});
