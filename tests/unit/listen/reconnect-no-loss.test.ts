/**
 * Socket and transcript store together through repeated connection drops: every word of the
 * audio ends up in the transcript exactly once, at its stream time.
 *
 * The "server" is a deterministic stand-in for a recognizer: each 100 ms chunk carries one word
 * (its marker), said 20-80 ms into the chunk. It sends an interim after every chunk and a final
 * for every 5 chunks it received, timed on its own connection clock as a real server would.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket } from '@/lib/listen/listen-socket';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import { seededRandom } from '@/testkit/prng';
import { chunk, fakeFactory, markerOf, type FakeWebSocket } from './fake-web-socket';

class Recognizer {
  private seen = 0;
  private pending: { marker: number; at: number }[] = [];
  private finalizedUpTo = 0;

  constructor(private readonly ws: FakeWebSocket) {}

  /** Handles every frame the client sent since the last call. */
  pump(): void {
    const frames = this.ws.binaries;
    while (this.seen < frames.length) {
      const frame = frames[this.seen] as ArrayBuffer;
      const at = this.seen * 0.1;
      this.seen += 1;
      this.pending.push({ marker: markerOf(frame), at });
      this.ws.receive(this.results(false, this.pending));
      if (this.pending.length === 5) this.finalize();
    }
    if (this.ws.texts.includes('{"type":"CloseStream"}')) this.finalize();
  }

  private finalize(): void {
    if (this.pending.length === 0) return;
    this.ws.receive(this.results(true, this.pending));
    this.finalizedUpTo = this.seen * 0.1;
    this.pending = [];
  }

  private results(isFinal: boolean, items: { marker: number; at: number }[]): object {
    const start = isFinal ? this.finalizedUpTo : (items[0]?.at ?? 0);
    const words = items.map(({ marker, at }) => ({ word: `w${marker}`, start: at + 0.02, end: at + 0.08, confidence: 0.9 }));
    return {
      type: 'Results',
      start,
      duration: this.seen * 0.1 - start,
      is_final: isFinal,
      speech_final: false,
      channel: { alternatives: [{ transcript: words.map((w) => w.word).join(' '), words }] },
    };
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('reconnects lose and duplicate nothing', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: 600 words through random drops', async (seed) => {
    const random = seededRandom(seed);
    const fake = fakeFactory();
    const store = new TranscriptStore();
    const socket = new ListenSocket({
      url: 'ws://localhost:8787/v1/listen',
      createWebSocket: fake.factory,
      random,
      onEvent: (event) => store.apply(event),
    });
    const recognizers = new Map<FakeWebSocket, Recognizer>();
    const serve = () => {
      const ws = fake.last();
      if (ws.readyState === 0 && random() < 0.9) ws.open();
      if (ws.readyState !== 1) return;
      let r = recognizers.get(ws);
      if (!r) recognizers.set(ws, (r = new Recognizer(ws)));
      r.pump();
    };

    socket.connect();
    let drops = 0;
    for (let i = 0; i < 600; i++) {
      socket.sendAudio(chunk(i));
      serve();
      if (random() < 0.02 && fake.last().readyState === 1) {
        // The connection dies between two messages, with or without the final in flight.
        fake.last().serverClose(random() < 0.5 ? 1006 : 1011);
        drops += 1;
      }
      vi.advanceTimersByTime(100);
      serve();
    }
    const closing = socket.close();
    for (let i = 0; i < 100 && fake.last().readyState !== 1; i++) {
      vi.advanceTimersByTime(100);
      serve();
    }
    serve();
    fake.last().serverClose(1000);
    const summary = await closing;

    const words = store.snapshot().utterances.flatMap((u) => u.words);
    expect(drops).toBeGreaterThan(3);
    expect(summary.droppedSeconds).toBe(0);
    expect(words.map((w) => w.text)).toEqual(Array.from({ length: 600 }, (_, i) => `w${i}`));
    words.forEach((w, i) => expect(w.start).toBeCloseTo(i * 0.1 + 0.02, 6));
    expect(summary.connections).toBeGreaterThan(drops);
  });
});
