/**
 * What a client without a token can hold (issue 12): silent and trickling connections are closed
 * after REQUEST_TIMEOUT_SECONDS, one address cannot take more than MAX_CONNECTIONS_PER_ADDRESS
 * (so /healthz keeps answering others), and past MAX_CONNECTIONS everyone is told to come back.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EDGE, type EdgeConfig } from '@/proxy/config';
import { createProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, httpGet, sleep, testConfig, waitFor } from './proxy-test-kit';

interface HeldSocket {
  socket: Socket;
  received: () => string;
  closedAfterMs: Promise<number>;
}

/** A TCP connection that sends nothing (or only `send`), from `localAddress`. */
async function holdConnection(port: number, localAddress = '127.0.0.1', send = ''): Promise<HeldSocket> {
  const opened = Date.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => {});
  const closedAfterMs = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  if (send !== '') socket.write(send);
  return { socket, received: () => received, closedAfterMs };
}

let proxy: RunningProxy | undefined;
let fake: FakeDeepgram | undefined;
const held: HeldSocket[] = [];

async function start(edge: Partial<EdgeConfig>): Promise<RunningProxy> {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, edge: { ...DEFAULT_EDGE, ...edge } }), {
    metrics: createProxyMetrics(),
  });
  return proxy;
}

afterEach(async () => {
  for (const { socket } of held.splice(0)) socket.destroy();
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

const metricsText = async (running: RunningProxy) =>
  (await httpGet(`http://127.0.0.1:${running.port}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } })).text;

describe('request timeouts before the upgrade', () => {
  it('closes a connection that never sends a byte after REQUEST_TIMEOUT_SECONDS, with 408', { timeout: 8000 }, async () => {
    const running = await start({ requestTimeoutMs: 1000 });
    const silent = await holdConnection(running.port);
    held.push(silent);
    const closedAfter = await Promise.race([silent.closedAfterMs, sleep(5000).then(() => Infinity)]);
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(3000);
    expect(silent.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a request whose headers trickle in a byte at a time', { timeout: 8000 }, async () => {
    const running = await start({ requestTimeoutMs: 1000 });
    const trickling = await holdConnection(running.port, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    held.push(trickling);
    const drip = setInterval(() => trickling.socket.write('X'), 100);
    try {
      const closedAfter = await Promise.race([trickling.closedAfterMs, sleep(5000).then(() => Infinity)]);
      expect(closedAfter).toBeLessThan(3000);
    } finally {
      clearInterval(drip);
    }
  });

  it('does not cut a WebSocket stream that lasts longer than the request timeout', { timeout: 8000 }, async () => {
    const running = await start({ requestTimeoutMs: 1000 });
    const client = connectClient(running.url, { token: TOKEN });
    await client.opened;
    const startedAt = Date.now();
    while (Date.now() - startedAt < 3500) {
      client.ws.send('{"type":"KeepAlive"}');
      await sleep(250);
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.ws.close(1000);
    await client.closed;
  });
});

describe('connection caps', () => {
  it('refuses one address past MAX_CONNECTIONS_PER_ADDRESS with 429 JSON, counts it, and keeps /healthz answering others', { timeout: 10_000 }, async () => {
    const running = await start({ maxConnectionsPerAddress: 20, maxConnections: 1000 });
    for (let index = 0; index < 20; index += 1) held.push(await holdConnection(running.port, '127.0.0.2'));
    const over = await Promise.all(Array.from({ length: 5 }, () => holdConnection(running.port, '127.0.0.2')));
    held.push(...over);
    for (const refused of over) {
      expect(await Promise.race([refused.closedAfterMs, sleep(3000).then(() => Infinity)])).toBeLessThan(2000);
      expect(refused.received()).toMatch(/^HTTP\/1\.1 429 /);
      const body = JSON.parse(refused.received().split('\r\n\r\n')[1] ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'too_many_connections', message: expect.stringContaining('MAX_CONNECTIONS_PER_ADDRESS') });
    }

    const health = await httpGet(`http://127.0.0.1:${running.port}/healthz`);
    expect(health.status).toBe(200);
    const text = await metricsText(running);
    expect(text).toContain('captionist_connections_refused_total{reason="too_many_connections"} 5');
    expect(Number(/^captionist_connections_open (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(20);
    // The held connections are still open: the cap refused only the ones over it.
    expect(held.slice(0, 20).every(({ socket }) => !socket.destroyed && socket.readyState === 'open')).toBe(true);
  });

  it('refuses everyone with 503 past MAX_CONNECTIONS, and admits again once connections close', { timeout: 10_000 }, async () => {
    const running = await start({ maxConnectionsPerAddress: 100, maxConnections: 10 });
    const first = await Promise.all(Array.from({ length: 10 }, () => holdConnection(running.port, '127.0.0.2')));
    held.push(...first);
    await waitFor(() => first.every(({ socket }) => socket.readyState === 'open'), 2000, 'ten connections');
    await sleep(100);
    const full = await httpGet(`http://127.0.0.1:${running.port}/healthz`, { localAddress: '127.0.0.3' }).catch((error: unknown) => error);
    expect(full).toMatchObject({ status: 503 });
    expect(JSON.parse((full as { text: string }).text)).toMatchObject({ error: 'server_full' });

    for (const { socket } of first) socket.destroy();
    await waitFor(() => first.every(({ socket }) => socket.destroyed), 2000, 'the connections to close');
    await sleep(100);
    expect((await httpGet(`http://127.0.0.1:${running.port}/healthz`, { localAddress: '127.0.0.3' })).status).toBe(200);
    expect(await metricsText(running)).toContain('captionist_connections_refused_total{reason="server_full"} 1');
  });

  it('counts a trusted reverse proxy only in the total, since it carries many clients', { timeout: 10_000 }, async () => {
    const running = await start({ maxConnectionsPerAddress: 2, maxConnections: 100, trustedProxies: ['127.0.0.4'] });
    const relayed = await Promise.all(Array.from({ length: 6 }, () => holdConnection(running.port, '127.0.0.4')));
    held.push(...relayed);
    await sleep(300);
    expect(relayed.every(({ socket, received }) => socket.readyState === 'open' && received() === '')).toBe(true);
    const direct = await Promise.all(Array.from({ length: 3 }, () => holdConnection(running.port, '127.0.0.5')));
    held.push(...direct);
    await sleep(300);
    expect(direct.map(({ received }) => received().slice(0, 12)).sort()).toEqual(['', '', 'HTTP/1.1 429']);
  });
});
