/**
 * Structured logs (one request id per stream; never a token, key or audio) and Prometheus metrics.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, OTHER_TOKEN, TOKEN, connectClient, silencePcm, streamPcm, testConfig, upgradeAnswer, waitFor } from './proxy-test-kit';

const AUDIO_MARKER = 'AUDIO-MARKER-7f3e9c';
const WRONG_TOKEN = 'wrong-but-plausible-token-99';

let fake: FakeDeepgram;
let proxy: RunningProxy;
let logText = '';
const requestIds: string[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100 });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }), { logger });

  // A refused attempt, a stream through the subprotocol, one through the header, one the upstream refuses.
  await upgradeAnswer(`${proxy.url}?${LISTEN_QUERY}`, { 'Sec-WebSocket-Protocol': `token, ${WRONG_TOKEN}` });
  for (const [token, via] of [
    [TOKEN, 'subprotocol'],
    [OTHER_TOKEN, 'header'],
  ] as const) {
    const client = connectClient(proxy.url, { token, via });
    await client.opened;
    requestIds.push(String(client.upgradeHeaders['dg-request-id']));
    client.ws.send(Buffer.from(AUDIO_MARKER.repeat(100)));
    await streamPcm(client.ws, silencePcm(0.5), { speed: 5 });
    client.ws.send('{"type":"CloseStream"}');
    await client.closed;
  }
});

afterAll(async () => {
  await proxy.close();
  await fake.close();
});

describe('logs', () => {
  it('are JSON lines, and every line of a stream carries its request id', () => {
    const lines = logText.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const requestId of requestIds) {
      const ofStream = lines.filter((line) => line.requestId === requestId);
      expect(ofStream.map((line) => line.msg)).toEqual(expect.arrayContaining(['stream open', 'stream closing']));
      expect(ofStream.every((line) => line.token === 'token#1' || line.token === 'token#2')).toBe(true);
    }
    expect(lines.some((line) => line.msg === 'stream refused' && line.status === 401)).toBe(true);
  });

  it('never contain a client token, the Deepgram key, or audio', () => {
    expect(logText.length).toBeGreaterThan(200);
    for (const secret of [TOKEN, OTHER_TOKEN, WRONG_TOKEN, DEEPGRAM_KEY, AUDIO_MARKER]) expect(logText).not.toContain(secret);
  });
});

describe('metrics', () => {
  const metricsUrl = () => proxy.url.replace('ws://', 'http://').replace('/v1/listen', '/metrics');
  const withToken = { headers: { Authorization: `Token ${TOKEN}` } };

  it('count streams, bytes, upstream connect time and refusals', async () => {
    await waitFor(() => fake.connections.every((connection) => connection.closedBy !== undefined), 2000, 'streams to end');
    const response = await fetch(metricsUrl(), withToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('captionist_streams_total{engine="deepgram"} 2');
    expect(text).toContain('captionist_streams_active{engine="deepgram"} 0');
    expect(text).toContain('captionist_upstream_connect_seconds_count{engine="deepgram"} 2');
    expect(text).toContain('captionist_errors_total{kind="refused_unauthorized"} 1');
    const bytesIn = Number(/captionist_client_bytes_in_total (\d+)/.exec(text)?.[1]);
    // Two streams of 0.5 s audio (16 kB each) plus the marker frames and CloseStream.
    expect(bytesIn).toBeGreaterThanOrEqual(2 * 16_000 + 2 * AUDIO_MARKER.length * 100);
    expect(Number(/captionist_client_bytes_out_total (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('need a client token on the listen port, from this computer as from anywhere (METRICS_PORT serves them without)', async () => {
    const local = await fetch(metricsUrl());
    expect(local.status).toBe(401);
    expect(await local.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('METRICS_PORT') });
    const relayed = await fetch(metricsUrl(), { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect(relayed.status).toBe(401);
    expect(await relayed.json()).toMatchObject({ error: 'unauthorized' });
    const relayedWithToken = await fetch(metricsUrl(), { headers: { 'X-Forwarded-For': '203.0.113.9', Authorization: `Token ${TOKEN}` } });
    expect(relayedWithToken.status).toBe(200);
  });

  it('show an open stream as active', async () => {
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    expect(await (await fetch(metricsUrl(), withToken)).text()).toContain('captionist_streams_active{engine="deepgram"} 1');
    client.ws.close(1000);
    await client.closed;
  });
});

describe('process metrics', () => {
  it('keep CPU, memory, GC, event-loop delay and open files, and leave out the per-handle lists', async () => {
    const text = await createProxyMetrics({ processMetrics: true }).render();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'process_open_fds']) {
      expect(text).toMatch(new RegExp(`^captionist_proxy_${name} `, 'm'));
    }
    expect(text).not.toContain('nodejs_active_handles');
    expect(text).not.toContain('nodejs_active_requests');
    expect(text).not.toContain('nodejs_active_resources');
  });
});
