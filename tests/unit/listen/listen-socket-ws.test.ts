/**
 * ListenSocket against a real `ws` server on localhost: real frames, real close handshakes,
 * real timers (short ones, so the file stays fast).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { ListenSocket, type ListenSocketOptions } from '@/lib/listen/listen-socket';
import type { ListenEvent } from '@/lib/listen/protocol';
import type { UserFacingError } from '@/lib/contract/messages';
import { chunk, finalResults, markerOf } from './fake-web-socket';

interface Frame {
  at: number;
  binary: boolean;
  data: Buffer;
}

interface ServerConnection {
  socket: WebSocket;
  protocol: string;
  offered: string[];
  frames: Frame[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startServer(
  options: {
    onConnection?: (conn: ServerConnection) => void;
    verify?: (offered: string[]) => boolean;
    /** By default the server answers CloseStream with close 1000, as Deepgram does. */
    ignoreCloseStream?: boolean;
  } = {},
): Promise<{ url: string; connections: ServerConnection[]; server: WebSocketServer }> {
  const connections: ServerConnection[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false),
    verifyClient: (info, done) => {
      const offered = (info.req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (options.verify && !options.verify(offered)) done(false, 401, 'Unauthorized');
      else done(true);
    },
  });
  server.on('connection', (socket, req) => {
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const conn: ServerConnection = { socket, protocol: socket.protocol, offered, frames: [] };
    socket.on('message', (data: RawData, isBinary: boolean) => {
      conn.frames.push({ at: Date.now(), binary: isBinary, data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer) });
    });
    connections.push(conn);
    options.onConnection?.(conn);
    if (!options.ignoreCloseStream) {
      socket.on('message', (data, isBinary) => {
        if (!isBinary && (data as Buffer).toString() === '{"type":"CloseStream"}') setTimeout(() => socket.close(1000), 60);
      });
    }
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/v1/listen?model=nova-3`, connections, server };
}

function client(url: string, options: Partial<ListenSocketOptions> = {}) {
  const events: ListenEvent[] = [];
  const errors: UserFacingError[] = [];
  const socket = new ListenSocket({
    url,
    token: 'tok123',
    // ws's class has the same handler properties and methods as the browser's WebSocket.
    createWebSocket: (u, protocols) => new WebSocket(u, protocols),
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
    ...options,
  });
  cleanups.push(async () => {
    await socket.close();
  });
  return { socket, events, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function texts(conn: ServerConnection): string[] {
  return conn.frames.filter((f) => !f.binary).map((f) => f.data.toString('utf8'));
}

function binaries(conn: ServerConnection): Buffer[] {
  return conn.frames.filter((f) => f.binary).map((f) => f.data);
}

function marker(buffer: Buffer): number {
  return markerOf(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);
}

describe('ListenSocket over a real ws server', { timeout: 15_000 }, () => {
  it('offers the subprotocols "token, <T>", and the server can pick "token"', async () => {
    const { url, connections } = await startServer();
    const opened: string[] = [];
    const { socket } = client(url, { onConnection: (_i, info) => opened.push(info.protocol) });
    socket.connect();
    await until(() => opened.length === 1);
    expect(connections[0]?.offered).toEqual(['token', 'tok123']);
    expect(connections[0]?.protocol).toBe('token');
    expect(opened).toEqual(['token']);
  });

  it('offers no subprotocol without a token', async () => {
    const { url, connections } = await startServer();
    const { socket } = client(url, { token: '' });
    socket.connect();
    await until(() => connections.length === 1);
    expect(connections[0]?.offered).toEqual([]);
  });

  it('sends audio as binary frames byte for byte and never an empty frame', async () => {
    const { url, connections } = await startServer();
    const { socket } = client(url);
    socket.connect();
    socket.sendAudio(chunk(1)); // buffered while connecting
    socket.sendAudio(new ArrayBuffer(0));
    await until(() => socket.status === 'open');
    socket.sendAudio(chunk(2));
    socket.sendAudio(new Int16Array(0));
    socket.sendAudio(chunk(3));
    await until(() => (connections[0]?.frames.length ?? 0) >= 3);
    const frames = connections[0]!.frames;
    expect(frames.every((f) => f.binary && f.data.byteLength === 3200)).toBe(true);
    expect(frames.map((f) => marker(f.data))).toEqual([1, 2, 3]);
  });

  it('sends KeepAlive as a text frame at the idle cadence while no audio goes', async () => {
    const { url, connections } = await startServer();
    const { socket } = client(url, { keepAliveIdleMs: 150, primeSilenceAfterMs: 0 });
    socket.connect();
    await until(() => socket.status === 'open');
    socket.sendAudio(chunk(1));
    await sleep(800);
    const conn = connections[0]!;
    const keepAlives = conn.frames.filter((f) => !f.binary);
    expect(keepAlives.map((f) => f.data.toString())).toEqual(Array(keepAlives.length).fill('{"type":"KeepAlive"}'));
    // 800 ms / 150 ms: about 5, allowing for a slow shared machine.
    expect(keepAlives.length).toBeGreaterThanOrEqual(3);
    expect(keepAlives.length).toBeLessThanOrEqual(6);
    const gaps = keepAlives.slice(1).map((f, i) => f.at - keepAlives[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(120);
    // The first one waits for 150 ms after the audio.
    expect(keepAlives[0]!.at - conn.frames[0]!.at).toBeGreaterThanOrEqual(120);
  });

  it('on close: CloseStream, the last Results and Metadata arrive, then the server closes 1000', async () => {
    const { url, connections } = await startServer({
      onConnection: (conn) => {
        conn.socket.on('message', (data, isBinary) => {
          if (!isBinary && (data as Buffer).toString() === '{"type":"CloseStream"}') {
            conn.socket.send(JSON.stringify(finalResults(0, 0.2, [['bye.', 0, 0.2]], { speech_final: true })));
            conn.socket.send(JSON.stringify({ type: 'Metadata', request_id: 'req-1', duration: 0.2, channels: 1 }));
          }
        });
      },
    });
    const { socket, events } = client(url);
    socket.connect();
    socket.sendAudio(chunk(1));
    socket.sendAudio(chunk(2));
    await until(() => socket.status === 'open');
    const started = Date.now();
    const summary = await socket.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(texts(connections[0]!)).toEqual(['{"type":"CloseStream"}']);
    expect(binaries(connections[0]!)).toHaveLength(2);
    expect(events.map((e) => e.kind)).toEqual(['results', 'metadata']);
    expect(summary).toMatchObject({ code: 1000, clean: true, timedOut: false });
  });

  it('bounds the wait after CloseStream when the server never closes', async () => {
    const { url, connections } = await startServer({ ignoreCloseStream: true });
    const { socket } = client(url, { closeTimeoutMs: 300 });
    socket.connect();
    await until(() => socket.status === 'open');
    const serverSawClose = new Promise<number>((resolve) => connections[0]!.socket.on('close', (code) => resolve(code)));
    const started = Date.now();
    const summary = await socket.close();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(1_500);
    expect(summary).toMatchObject({ timedOut: true, clean: false });
    expect(await serverSawClose).toBe(1000);
  });

  it('stops when the upgrade is refused as unauthorized (401), without retrying', async () => {
    const { url, connections } = await startServer({ verify: (offered) => offered[1] === 'right-token' });
    const { socket, errors } = client(url, { token: 'wrong-token' });
    socket.connect();
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe('proxy-rejected');
    await sleep(700);
    expect(connections).toHaveLength(0);
    expect(socket.status).toBe('closed');
  });

  it('stops on a 4001 close with the reason', async () => {
    const { url } = await startServer({ onConnection: (conn) => conn.socket.close(4001, 'invalid token') });
    const { socket, errors } = client(url);
    socket.connect();
    await until(() => errors.length === 1);
    expect(errors[0]).toEqual({ code: 'proxy-rejected', message: expect.stringContaining('invalid token') });
  });

  it('reports an unreachable proxy', async () => {
    const { url, server } = await startServer();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { socket, errors } = client(url, { initialConnectAttempts: 1 });
    socket.connect();
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe('proxy-unreachable');
  });

  it('survives the proxy dropping the connection: reconnects and resends only unfinalized audio', async () => {
    let connectionCount = 0;
    const { url, connections } = await startServer({
      onConnection: (conn) => {
        connectionCount += 1;
        if (connectionCount === 1) {
          let received = 0;
          conn.socket.on('message', (_data, isBinary) => {
            if (!isBinary) return;
            received += 1;
            if (received === 5) {
              // Finalize the first 0.3 s (3 chunks), then die without a close frame.
              conn.socket.send(JSON.stringify(finalResults(0, 0.3, [['one', 0.05, 0.25]])), () => setTimeout(() => conn.socket.terminate(), 20));
            }
          });
        }
      },
    });
    const starts: number[] = [];
    const { socket, events } = client(url, {
      backoff: { initialMs: 50 },
      onConnection: (_index, info) => starts.push(info.streamOffsetSeconds),
    });
    socket.connect();
    await until(() => socket.status === 'open');
    for (let i = 0; i < 5; i++) socket.sendAudio(chunk(i));
    await until(() => connections.length === 2 && socket.status === 'open');
    for (let i = 5; i < 8; i++) socket.sendAudio(chunk(i));
    await until(() => binaries(connections[1]!).length >= 5);
    expect(binaries(connections[0]!).map(marker)).toEqual([0, 1, 2, 3, 4]);
    expect(binaries(connections[1]!).map(marker)).toEqual([3, 4, 5, 6, 7]);
    expect(starts).toEqual([0, expect.closeTo(0.3, 6)]);
    // The second server's time 0 is the stream's 0.3.
    connections[1]!.socket.send(JSON.stringify(finalResults(0, 0.5, [['two', 0.1, 0.3]])));
    await until(() => events.length === 2);
    const e = events[1];
    expect(e?.kind === 'results' && e.words[0]?.start).toBeCloseTo(0.4, 6);
  });
});
