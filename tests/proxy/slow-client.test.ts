/**
 * A client that stops reading while the upstream floods large Results: the proxy drops interims
 * first, then closes the client (1011, counted), instead of buffering without bound.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { createProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type RecordedConnection, type RecordingUpstream } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, testConfig, waitFor } from './proxy-test-kit';

const MAX_CLIENT_BUFFER = 256 * 1024;
const TRANSCRIPT = 'word '.repeat(3000); // about 15 KB a message

let upstream: RecordingUpstream | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
});

/** Sends interim and final Results in turn, as fast as the proxy takes them, until the socket closes. */
function flood(connection: RecordedConnection, counts: { sentBytes: number }): void {
  let index = 0;
  const pump = () => {
    const socket = connection.socket;
    if (socket.readyState !== socket.OPEN) return;
    while (socket.bufferedAmount < 1024 * 1024) {
      const text = JSON.stringify({ type: 'Results', index, is_final: index % 2 === 1, channel: { alternatives: [{ transcript: TRANSCRIPT }] } });
      socket.send(text);
      counts.sentBytes += text.length;
      index += 1;
    }
    setImmediate(pump);
  };
  pump();
}

const socketOf = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

describe('a client that stops reading', () => {
  it('gets interims dropped, then is closed 1011 past the bound, counted in metrics', { timeout: 20_000 }, async () => {
    const counts = { sentBytes: 0 };
    upstream = await startFakeUpstream({ mode: 'recording', onConnection: (connection) => flood(connection, counts) });
    const metrics = createProxyMetrics();
    proxy = await startProxy(
      testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: upstream.url, limits: { ...DEFAULT_LIMITS, maxClientBufferBytes: MAX_CLIENT_BUFFER } }),
      { metrics, shutdownGraceMs: 200 },
    );
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    socketOf(client.ws).pause();

    await waitFor(() => upstream?.connections.length === 1, 2000, 'the upstream connection');
    const upstreamClosed = await Promise.race([upstream.connections[0]?.closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000))]);
    expect(upstreamClosed).not.toBe('still open');
    const text = await metrics.render();
    expect(text).toContain('captionist_errors_total{kind="client_slow_interims_dropped"} 1');
    expect(text).toContain('captionist_errors_total{kind="client_not_reading"} 1');
    // What the proxy handed the client's socket: the bound plus what the kernel took, not the flood.
    const relayed = Number(/captionist_client_bytes_out_total (\d+)/.exec(text)?.[1]);
    expect(relayed).toBeLessThan(32 * 1024 * 1024);

    socketOf(client.ws).resume();
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1011, reason: 'the client is not reading: over 256 KiB of results were waiting for it' });
    // Past the soft bound only finals went on: the last messages before the close are all finals.
    const last = client.messages.slice(-5);
    expect(last).toHaveLength(5);
    expect(last.every((message) => message.is_final === true)).toBe(true);
    expect(client.messages.length).toBeLessThan(counts.sentBytes / TRANSCRIPT.length);
  });

  it('a client that keeps reading gets every message of a burst, interims included', { timeout: 20_000 }, async () => {
    upstream = await startFakeUpstream({ mode: 'recording',
      onConnection: (connection) => {
        for (let index = 0; index < 100; index += 1) {
          connection.socket.send(JSON.stringify({ type: 'Results', index, is_final: index % 2 === 1, channel: { alternatives: [{ transcript: TRANSCRIPT }] } }));
        }
      },
    });
    // The default bound (1 MiB): a 1.5 MB burst to a reading client is absorbed by the socket buffers.
    proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: upstream.url }), { shutdownGraceMs: 200 });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await waitFor(() => client.messages.length === 100, 10_000, 'all 100 messages (1.5 MB)');
    expect(client.messages.map((message) => message.index)).toEqual(Array.from({ length: 100 }, (_, index) => index));
  });
});
