/**
 * The listen socket talking to a transcription relay (lib/listen/server-kind.ts): the token on the
 * URL, no subprotocol, never a text frame, silence in place of KeepAlive, Finalize and CloseStream,
 * and the relay's messages read into stream time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket, type ListenSocketOptions } from '@/lib/listen/listen-socket';
import type { ListenEvent, ResultsEvent } from '@/lib/listen/protocol';
import { RELAY_FINALIZE_SILENCE_SECONDS, RELAY_KEEPALIVE_SILENCE_SECONDS } from '@/lib/listen/server-kind';
import { downmixToMono } from '@/lib/listen/relay-audio';
import { chunk, fakeFactory } from './fake-web-socket';

const RELAY_URL = 'wss://relay.example/ws/transcribe';
const BYTES_PER_SECOND = 32_000;

function setup(options: Partial<ListenSocketOptions> = {}) {
  const fake = fakeFactory();
  const events: ListenEvent[] = [];
  const socket = new ListenSocket({
    url: RELAY_URL,
    token: 'relay-token',
    serverKind: 'relay',
    createWebSocket: fake.factory,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    meetingTimeOf: (s) => s, // would declare spans (text frames) on a 'listen' server
    ...options,
  });
  return { socket, fake, events };
}

const ms = (n: number) => vi.advanceTimersByTime(n);
const silenceBytes = (seconds: number) => Math.round(seconds * BYTES_PER_SECOND) & ~3;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ListenSocket with a relay', () => {
  it('puts the token in api_key and offers no subprotocol', () => {
    const { socket, fake } = setup();
    socket.connect();
    expect(fake.last().url).toBe(`${RELAY_URL}?api_key=relay-token`);
    expect(fake.last().protocols).toBeUndefined();
  });

  it('sends no text frame: not for KeepAlive, Finalize, spans or closing', async () => {
    const { socket, fake } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open('');
    socket.sendAudio(chunk(7));
    socket.finalize();
    ms(12_000); // three keep-alive intervals of quiet
    const closing = socket.close();
    ms(5_000);
    await closing;
    expect(ws.texts).toEqual([]);
    expect(ws.closeCalls.at(-1)?.code).toBe(1000);
  });

  it('keeps a quiet connection alive with 0.1 s of silence every 4 s', () => {
    const { socket, fake } = setup({ primeSilenceAfterMs: 0 });
    socket.connect();
    const ws = fake.last();
    ws.open('');
    ms(3_999);
    expect(ws.binaries).toHaveLength(0);
    ms(1);
    ms(8_000);
    const sizes = ws.binaries.map((b) => b.byteLength);
    expect(sizes).toEqual([1, 2, 3].map(() => silenceBytes(RELAY_KEEPALIVE_SILENCE_SECONDS)));
    expect(ws.binaries.every((b) => new Int16Array(b).every((s) => s === 0))).toBe(true);
  });

  it('sends a pause the relay can hear where Finalize would go, and keeps the stream clock right', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open('');
    socket.sendAudio(chunk(1, 1)); // stream 0..1
    socket.finalize();
    socket.sendAudio(chunk(2, 1)); // stream 1..2, server 1.6..2.6
    expect(ws.binaries.map((b) => b.byteLength)).toEqual([32_000, silenceBytes(RELAY_FINALIZE_SILENCE_SECONDS), 32_000]);
    ws.receive({ type: 'transcription', is_final: true, speech_final: true, transcript: 'late word', words: [{ word: 'late', start: 1.7, end: 2.0, speaker: 1 }, { word: 'word', start: 2.0, end: 2.2, speaker: 1 }] });
    const results = events.find((e): e is ResultsEvent => e.kind === 'results');
    expect(results?.words.map((w) => [w.text, Math.round(w.start * 1000) / 1000, w.speaker])).toEqual([
      ['late', 1.1, 1],
      ['word', 1.4, 1],
    ]);
  });

  it('reads a seed-style or Deepgram message as garbage, counted, not as captions', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open('');
    ws.receive({ type: 'Results', start: 0, duration: 1, channel: { alternatives: [{ transcript: 'x' }] } });
    expect(events).toEqual([]);
    expect(socket.parseStats.ignored['unknown-type']).toBe(1);
  });

  it('closes by itself after the closing pause and a bounded wait, keeping the last results', async () => {
    const { socket, fake, events } = setup({ relayCloseGraceMs: 1500 });
    socket.connect();
    const ws = fake.last();
    ws.open('');
    socket.sendAudio(chunk(3, 1));
    const closing = socket.close();
    expect(ws.binaries.at(-1)?.byteLength).toBe(silenceBytes(RELAY_FINALIZE_SILENCE_SECONDS));
    ms(1_000);
    ws.receive({ type: 'transcription', is_final: true, transcript: 'last', words: [{ word: 'last', start: 0.2, end: 0.5 }] });
    expect(ws.closeCalls).toEqual([]);
    ms(500);
    const summary = await closing;
    expect(ws.closeCalls).toEqual([{ code: 1000, reason: 'client closing' }]);
    expect(summary.timedOut).toBe(false);
    expect(events.filter((e) => e.kind === 'results')).toHaveLength(1);
  });

  it('leaves the Deepgram-compatible kind as it was: subprotocol token and text control frames', () => {
    const { socket, fake } = setup({ serverKind: 'listen', primeSilenceAfterMs: 0 });
    socket.connect();
    const ws = fake.last();
    expect(ws.url).toBe(RELAY_URL);
    expect(ws.protocols).toEqual(['token', 'relay-token']);
    ws.open();
    socket.finalize();
    ms(4_000);
    expect(ws.texts).toEqual(['{"type":"Finalize"}', '{"type":"KeepAlive"}']);
  });
});

describe('relay mode and what a relay does not say', () => {
  it('does not give up on a relay that says nothing about audio without words', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open('');
    for (let i = 0; i < 300; i++) {
      socket.sendAudio(chunk(5)); // 30 s of sound the relay's upstream finds no words in
      ms(100);
    }
    expect(fake.sockets).toHaveLength(1);
    expect(fake.last().closeCalls).toEqual([]);
  });
});

describe('downmixToMono', () => {
  it('averages interleaved channels into one, frame by frame', () => {
    const stereo = new Int16Array([100, 300, -200, 0, 32767, 32767, -32768, 0]);
    expect([...new Int16Array(downmixToMono(stereo.buffer, 2))]).toEqual([200, -100, 32767, -16384]);
    const mono = new Int16Array([1, 2, 3]);
    expect(downmixToMono(mono.buffer, 1)).toBe(mono.buffer);
  });
});
