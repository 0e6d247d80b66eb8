/**
 * The fake Deepgram as its own process, for bench/proxy.ts: prints its URL, stops on SIGTERM.
 * FAKE_MS_PER_WORD of audio per word (a multiple of 100 ms, so every message answers one frame).
 *
 * It also times every audio frame's one-way trip. The load generator writes, in the first bytes of
 * each frame it means to time, the send time (process.hrtime: CLOCK_MONOTONIC, one clock for every
 * process on the machine, in ns) and which group the stream belongs to; here the arrival time is
 * read the moment ws hands the frame over, before the fake's own work on it. The fake treats audio
 * as bytes (it counts them and never decodes them), so the stamp changes nothing else.
 * Each message it sends starts with its send time (stampMessage), for the way back.
 * "report\n" on stdin answers one line, `report {json}`, with percentiles per group, and starts over.
 */
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { startFakeUpstream } from '../testkit/upstream';
import { FRAME_STAMP_MAGIC, stampMessage, summarize } from './proxy-frame-stamp';

/** Arrival minus send, in ms, per group (the byte after the stamp). */
const samples = new Map<number, number[]>();

function timeFrame(data: Buffer, isBinary: boolean): void {
  if (!isBinary || data.length < 16 || data.readUInt32LE(0) !== FRAME_STAMP_MAGIC) return;
  const sentNs = data.readBigUInt64LE(8);
  const ms = Number(process.hrtime.bigint() - sentNs) / 1e6;
  const group = data[4] ?? 0;
  let list = samples.get(group);
  if (list === undefined) samples.set(group, (list = []));
  list.push(ms);
}

// The fixture keeps its sockets to itself; every socket passes through handleUpgrade, so the timing
// listener is added there, ahead of the fixture's own.
type UpgradeCallback = (client: WebSocket, request: IncomingMessage) => void;
// Called below with the server as `this` (handleUpgrade.call), so nothing is unbound.
// eslint-disable-next-line @typescript-eslint/unbound-method
const handleUpgrade = WebSocketServer.prototype.handleUpgrade;
WebSocketServer.prototype.handleUpgrade = function (request: IncomingMessage, socket: Duplex, head: Buffer, callback: UpgradeCallback) {
  handleUpgrade.call(this, request, socket, head, (client: WebSocket, upgraded: IncomingMessage) => {
    client.on('message', timeFrame);
    // The fixture sends only JSON text; each message leaves with its send time in front.
    const send = client.send.bind(client);
    client.send = ((data: unknown, ...rest: unknown[]) =>
      (send as (...args: unknown[]) => void)(typeof data === 'string' ? stampMessage(data) : data, ...rest)) as WebSocket['send'];
    callback(client, upgraded);
  });
};

const fake = await startFakeUpstream({ mode: 'normal',
  apiKey: process.env.FAKE_DEEPGRAM_KEY ?? 'bench-key',
  msPerWord: Number(process.env.FAKE_MS_PER_WORD ?? '300'),
  idleTimeoutMs: 60_000,
  recordSent: false,
  hashAudio: false,
});
process.stdout.write(`${fake.url}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'report') return;
  const report = Object.fromEntries([...samples].map(([group, list]) => [group, summarize(list)]));
  samples.clear();
  process.stdout.write(`report ${JSON.stringify(report)}\n`);
});
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
