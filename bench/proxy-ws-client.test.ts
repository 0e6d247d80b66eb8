import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FRAME_STAMP_MAGIC, StampGroup } from './proxy-frame-stamp';
import {
  BENCH_MASK_KEY,
  connectBenchWebSocket,
  encodeAudioFrame,
  encodeMaskedFrame,
  FrameReader,
  stampEncodedFrame,
  unstampEncodedFrame,
  type BenchWebSocket,
} from './proxy-ws-client';

interface Served {
  url: string;
  server: Promise<WebSocket>;
  received: { data: Buffer; isBinary: boolean }[];
  headers: Promise<Record<string, string | string[] | undefined>>;
}

const servers: WebSocketServer[] = [];
const clients: BenchWebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((wss) => new Promise((resolve) => wss.close(resolve))));
});

async function serve(): Promise<Served> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const received: Served['received'] = [];
  let headers: (value: Record<string, string | string[] | undefined>) => void = () => {};
  const server = new Promise<WebSocket>((resolve) => {
    wss.once('connection', (socket, request) => {
      headers(request.headers);
      socket.on('message', (data: Buffer, isBinary: boolean) => received.push({ data, isBinary }));
      resolve(socket);
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/listen?encoding=linear16`,
    server,
    received,
    headers: new Promise((resolve) => {
      headers = resolve;
    }),
  };
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<BenchWebSocket> {
  const client = await connectBenchWebSocket(url, headers, 5000);
  clients.push(client);
  return client;
}

const until = async (check: () => boolean) => {
  for (let tries = 0; tries < 200 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('bench:proxy bare WebSocket client', () => {
  it('encodes a masked binary audio frame with a 16-bit length that a ws server reads as 3200 bytes of silence', async () => {
    const frame = encodeAudioFrame(3200);
    expect(frame.length).toBe(8 + 3200);
    expect(frame[0]).toBe(0x82); // FIN, binary
    expect(frame[1]).toBe(0x80 | 126); // masked, 16-bit length
    expect(frame.readUInt16BE(2)).toBe(3200);
    expect(frame.subarray(4, 8)).toEqual(BENCH_MASK_KEY);

    const served = await serve();
    const client = await connect(served.url, { Authorization: 'Token abc' });
    expect((await served.headers).authorization).toBe('Token abc');
    client.send(frame);
    await until(() => served.received.length === 1);
    expect(served.received[0]?.isBinary).toBe(true);
    expect(served.received[0]?.data).toEqual(Buffer.alloc(3200));
  });

  it('stamps only the first 16 payload bytes, masked, so the receiver reads the stamp and silence after it', async () => {
    const served = await serve();
    const client = await connect(served.url);
    const frame = encodeAudioFrame(3200);
    const before = process.hrtime.bigint();
    stampEncodedFrame(frame, StampGroup.Proxied);
    const after = process.hrtime.bigint();
    client.send(frame);
    // The same buffer, unstamped again (a warm-up send), reads as silence.
    const reused = Buffer.from(frame);
    unstampEncodedFrame(reused);
    client.send(reused);
    await until(() => served.received.length === 2);
    const stamped = served.received[0]?.data ?? Buffer.alloc(0);
    expect(stamped.length).toBe(3200);
    expect(stamped.readUInt32LE(0)).toBe(FRAME_STAMP_MAGIC);
    expect(stamped[4]).toBe(StampGroup.Proxied);
    const sent = stamped.readBigUInt64LE(8);
    expect(sent >= before && sent <= after).toBe(true);
    expect(stamped.subarray(16).every((byte) => byte === 0)).toBe(true);
    expect(served.received[1]?.data).toEqual(Buffer.alloc(3200));
  });

  it('encodes short and long text frames a ws server reads', async () => {
    const served = await serve();
    const client = await connect(served.url);
    const long = 'x'.repeat(70_000);
    client.send(encodeMaskedFrame(0x1, Buffer.from('{"type":"KeepAlive"}')));
    client.send(encodeMaskedFrame(0x1, Buffer.from(long)));
    await until(() => served.received.length === 2);
    expect(served.received.map(({ data, isBinary }) => [data.toString('utf8'), isBinary])).toEqual([
      ['{"type":"KeepAlive"}', false],
      [long, false],
    ]);
  });

  it('reads what a ws server sends: text of every length form, binary, fragmented messages, and answers pings', async () => {
    const served = await serve();
    const client = await connect(served.url);
    const messages: [string, boolean][] = [];
    client.onMessage = (data, isBinary) => messages.push([data.toString('latin1'), isBinary]);
    const server = await served.server;
    const pong = new Promise<Buffer>((resolve) => server.once('pong', resolve));
    const medium = `{"type":"Results","start":1.2,"duration":0.3,"pad":"${'y'.repeat(900)}"}`;
    const large = 'z'.repeat(70_000);
    server.send('{"type":"Metadata"}');
    server.send(medium);
    server.send(Buffer.from(large), { binary: true });
    server.send('frag', { fin: false });
    server.send('ment', { fin: false });
    server.send('ed', { fin: true });
    server.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    await until(() => messages.length === 4);
    expect(messages).toEqual([
      ['{"type":"Metadata"}', false],
      [medium, false],
      [large, true],
      ['fragmented', false],
    ]);
  });

  it('answers the server close with its code and reports the connection closed', async () => {
    const served = await serve();
    const client = await connect(served.url);
    const server = await served.server;
    const closedByServer = new Promise<number>((resolve) => server.once('close', resolve));
    const reported = new Promise<void>((resolve) => client.onClose(resolve));
    server.close(4001, 'bye');
    expect(await closedByServer).toBe(4001);
    await reported;
    expect(client.open).toBe(false);
  });

  it('closes with 1000 when the client ends the stream', async () => {
    const served = await serve();
    const client = await connect(served.url);
    const server = await served.server;
    const code = new Promise<number>((resolve) => server.once('close', resolve));
    const reported = new Promise<void>((resolve) => client.onClose(resolve));
    client.close(1000);
    expect(await code).toBe(1000);
    await reported;
    expect(client.closed).toBe(true);
  });

  it('refuses an upgrade the server answers with an HTTP status', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: () => false });
    servers.push(wss);
    await new Promise((resolve) => wss.once('listening', resolve));
    await expect(connectBenchWebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, {}, 5000)).rejects.toThrow(/HTTP 401/);
  });

  it('reads frames split across chunks at any byte, and several frames in one chunk', () => {
    const messages: [string, boolean][] = [];
    const reader = new FrameReader({ message: (data, isBinary) => messages.push([data.toString('latin1'), isBinary]), close: () => {}, ping: () => {} });
    const text = (payload: string, first = 0x81) => {
      const body = Buffer.from(payload);
      const header = body.length < 126 ? Buffer.from([first, body.length]) : Buffer.from([first, 126, body.length >> 8, body.length & 0xff]);
      return Buffer.concat([header, body]);
    };
    const stream = Buffer.concat([text('a'), text('b'.repeat(300)), text('par', 0x01), text('ts', 0x80)]);
    for (let at = 0; at < stream.length; at += 1) reader.push(stream.subarray(at, at + 1));
    reader.push(Buffer.concat([text('c'), text('d')]));
    expect(messages).toEqual([
      ['a', false],
      ['b'.repeat(300), false],
      ['parts', false],
      ['c', false],
      ['d', false],
    ]);
  });
});
