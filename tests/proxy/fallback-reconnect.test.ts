/**
 * A stream that loses its upstream mid-way reconnects through the fallback chain with no words lost
 * or repeated. The extension's own ListenSocket and TranscriptStore (lib/listen, lib/transcript)
 * run here in Node against the real proxy with UPSTREAMS=deepgram,compatible: Deepgram (a hostile
 * fake naming one word per audio batch, testkit/upstream/hostile.ts) goes away mid-stream, the
 * proxy closes the client 1011, the socket reconnects and replays the audio no final covered, and
 * the chain, finding Deepgram unreachable, serves the new connection from the compatible server.
 *
 * Chosen over a browser e2e test: the replay under test is ListenSocket's (lib/listen/send-queue.ts),
 * which this drives unchanged; tests/e2e/network-faults.spec.ts does the same for its faults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ListenSocket } from '@/lib/listen/listen-socket';
import { buildListenUrl } from '@/lib/listen/listen-url';
import type { EngineNotice } from '@/lib/listen/engine-notice';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import { startProxy } from '@/proxy/server';
import { seededRandom } from '@/testkit/prng';
import { startFakeUpstream, wordForAudio } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, sleep, testConfig, waitFor } from './proxy-test-kit';

const BATCH_BYTES = 3200; // 100 ms of 16 kHz Int16 mono: one word of the hostile fake
const BATCHES = 40;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function distinctBatches(seed: number): Buffer[] {
  const random = seededRandom(seed);
  return Array.from({ length: BATCHES }, () => {
    const batch = Buffer.alloc(BATCH_BYTES);
    for (let i = 0; i < BATCH_BYTES; i += 2) batch.writeInt16LE(Math.round((random() - 0.5) * 2000), i);
    return batch;
  });
}

describe('losing the upstream mid-stream with a fallback chain', () => {
  it('reconnects through the chain to the next engine, told so in-band, and the transcript has every word exactly once', { timeout: 30_000 }, async () => {
    const deepgram = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY });
    let deepgramUp = true;
    cleanups.push(async () => {
      if (deepgramUp) await deepgram.close();
    });
    const compatible = await startFakeUpstream({ mode: 'hostile', apiKey: 'compatible-key-7' });
    cleanups.push(() => compatible.close());
    const proxy = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: deepgram.url,
        chain: { upstreams: ['deepgram', 'compatible'], compatible: { url: compatible.url, apiKey: 'compatible-key-7' }, fallbackAfterMs: 400 },
      }),
      { shutdownGraceMs: 500 },
    );
    cleanups.push(() => proxy.close());

    const store = new TranscriptStore();
    const notices: EngineNotice[] = [];
    const socket = new ListenSocket({
      url: buildListenUrl(proxy.url, { ...DEFAULT_SETTINGS, diarize: false }),
      token: TOKEN,
      createWebSocket: (url, protocols) => new WebSocket(url, protocols),
      onEvent: (event) => {
        if (event.kind === 'engine') notices.push(event.notice);
        store.apply(event);
      },
      backoff: { initialMs: 100, maxMs: 300 },
      maxSendRate: 4,
    });
    cleanups.push(async () => {
      await socket.close();
    });
    socket.connect();

    const batches = distinctBatches(15);
    for (const [index, batch] of batches.entries()) {
      if (index === 15) {
        // Some audio is confirmed by finals, some is not yet: Deepgram goes away with it.
        await waitFor(() => deepgram.connections[0]?.words.length === 15, 5000, 'Deepgram to hear 15 batches');
        deepgramUp = false;
        await deepgram.close();
      }
      socket.sendAudio(batch);
      await sleep(25);
    }
    const wordCount = () => store.snapshot().utterances.reduce((count, utterance) => count + utterance.words.length, 0);
    await waitFor(() => wordCount() >= BATCHES - 5, 15_000, 'the transcript to catch up');
    const summary = await socket.close();

    const words = store
      .snapshot()
      .utterances.flatMap((utterance) => utterance.words)
      .sort((a, b) => a.start - b.start)
      .map((word) => word.text);
    expect(words).toEqual(batches.map((batch) => wordForAudio(batch)));
    expect(notices).toEqual([{ engine: 'compatible', from: 'deepgram', reason: 'unreachable' }]);
    expect(summary.connections).toBe(2);
    // The audio Deepgram had not finalized went again, to the compatible server.
    expect(summary.replayedSeconds).toBeGreaterThan(0);
    expect(compatible.connections).toHaveLength(1);
  });
});
