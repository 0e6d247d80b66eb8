/**
 * The fixture relay (tests/fixtures/transcribe-relay.ts) in front of the fake Deepgram, spoken to
 * by the listen socket over real `ws` sockets: the relay behaves as issue 15 describes (no
 * subprotocol, dropped at a text frame, its own message shape), the 'listen' kind fails against it
 * as the extension used to, and the 'relay' kind gets captions with speakers through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ListenSocket, type ListenSocketOptions } from '@/lib/listen/listen-socket';
import type { ListenEvent, ResultsEvent } from '@/lib/listen/protocol';
import { startFakeUpstream } from '@/testkit/upstream';
import { RELAY_MULTI_SPEAKER_PATH, RELAY_PATH, startTranscribeRelay, type TranscribeRelay } from '../../fixtures/transcribe-relay';
import { chunk } from './fake-web-socket';

const UPSTREAM_KEY = 'fake-deepgram-key';
const RELAY_TOKEN = 'relay-token-1';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function start(): Promise<TranscribeRelay> {
  const fake = await startFakeUpstream({
    mode: 'normal',
    apiKey: UPSTREAM_KEY,
    script: [
      { speaker: 0, words: ['good', 'morning'] },
      { speaker: 1, words: ['hello', 'there'] },
    ],
    msPerWord: 200,
  });
  cleanups.push(() => fake.close());
  const relay = await startTranscribeRelay({ upstreamUrl: fake.url, upstreamKey: UPSTREAM_KEY, tokens: [RELAY_TOKEN] });
  cleanups.push(() => relay.close());
  return relay;
}

function socketTo(url: string, options: Partial<ListenSocketOptions>) {
  const events: ListenEvent[] = [];
  const errors: string[] = [];
  const socket = new ListenSocket({
    url,
    token: RELAY_TOKEN,
    createWebSocket: (u, protocols) => new WebSocket(u, protocols),
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e.message),
    initialConnectAttempts: 1,
    ...options,
  });
  cleanups.push(async () => {
    await socket.close();
  });
  return { socket, events, errors };
}

const until = async (check: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('a /ws/transcribe relay', () => {
  it('the relay kind: captions with both speakers, audio only, one connection', async () => {
    const relay = await start();
    const { socket, events } = socketTo(`${relay.origin}${RELAY_MULTI_SPEAKER_PATH}`, { serverKind: 'relay' });
    socket.connect();
    const finals = () => events.filter((e): e is ResultsEvent => e.kind === 'results' && e.isFinal);
    // 100 ms batches at real-time pace, with a Finalize after the first second (a VAD gate closing).
    for (let i = 0; i < 15; i++) {
      socket.sendAudio(chunk(1000));
      if (i === 9) socket.finalize();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(() => new Set(finals().flatMap((e) => e.words.map((w) => w.speaker))).size >= 2);
    await socket.close();
    const log = relay.connections[0];
    expect(relay.connections).toHaveLength(1);
    expect(log?.apiKey).toBe(RELAY_TOKEN);
    expect(log?.offeredProtocols).toBe('');
    expect(log?.textFrames).toEqual([]);
    expect(log?.sent[0]).toHaveProperty('speaker_segments');
    const text = finals().map((e) => e.transcript).join(' ');
    expect(text).toMatch(/good morning/i);
    expect(text).toMatch(/hello there/i);
  });

  it('the listen kind with a token: the handshake fails (the relay selects no subprotocol)', async () => {
    const relay = await start();
    const { socket, errors } = socketTo(`${relay.origin}${RELAY_PATH}`, { serverKind: 'listen' });
    socket.connect();
    await until(() => errors.length > 0);
    expect(relay.connections.every((c) => c.sent.length === 0)).toBe(true);
  });

  it('drops the connection at the first text frame, and closes 1008 with a reason for a wrong key', async () => {
    const relay = await start();
    const dropped = new WebSocket(`${relay.origin}${RELAY_PATH}?api_key=${RELAY_TOKEN}`);
    await new Promise((resolve) => dropped.once('open', resolve));
    dropped.send('{"type":"KeepAlive"}');
    const code = await new Promise<number>((resolve) => dropped.once('close', resolve));
    expect(code).toBe(1006);
    expect(relay.connections[0]?.textFrames).toEqual(['{"type":"KeepAlive"}']);

    const refused = new WebSocket(`${relay.origin}${RELAY_PATH}?api_key=wrong`);
    const [refusedCode, reason] = await new Promise<[number, string]>((resolve) => refused.once('close', (c, r) => resolve([c, r.toString()])));
    expect([refusedCode, reason]).toEqual([1008, 'Invalid API key']);
  });
});
