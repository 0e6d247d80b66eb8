/**
 * The offline engine on a two-channel stream, as a meeting sends it (channel 0 the tab, channel 1
 * the microphone): two different recorded clips (librivox, pocketsphinx-testdata) interleaved into
 * one linear16 stream with real pocketsphinx. Each channel's words must come back under its own
 * channel_index, as well recognised as the same clip decoded alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { wordErrorRate } from '@/lib/wer';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import {
  TOKEN,
  connectClient,
  engineProcesses,
  interleavePcm,
  librivoxPcm,
  referenceWords,
  resultsOf,
  silencePcm,
  streamPcm,
  testConfig,
  waitFor,
  type TestClient,
} from './proxy-test-kit';

interface Word {
  word: string;
  start: number;
  end: number;
}

const MONO_QUERY = 'encoding=linear16&sample_rate=16000&channels=1';
const STEREO_QUERY = 'encoding=linear16&sample_rate=16000&channels=2&multichannel=true';
/** Different clips, different words: channel 0 (the tab) and channel 1 (the microphone). */
const CLIPS = ['0870', '0920'] as const;
/** The engine ends an utterance after about 0.5 s of silence; the last one needs it too. */
const TAIL_SECONDS = 0.8;

const proxies: RunningProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

async function localProxy(): Promise<RunningProxy> {
  const proxy = await startProxy(testConfig({ limits: { ...DEFAULT_LIMITS, maxLocalEngineStreams: 8 } }), { shutdownGraceMs: 2000 });
  proxies.push(proxy);
  expect(proxy.upstreamKind).toBe('local');
  return proxy;
}

const requestIdOf = (client: TestClient): string => String(client.upgradeHeaders['dg-request-id']);
const channelIndexOf = (message: Record<string, unknown>): unknown => message.channel_index;

function wordsOf(message: Record<string, unknown>): Word[] {
  return (message.channel as { alternatives: { words: Word[] }[] }).alternatives[0]?.words ?? [];
}

/** The words of one channel's Results, in time order. */
function channelWords(messages: Record<string, unknown>[], channel: number, channels: number): string[] {
  return resultsOf(messages)
    .filter((message) => JSON.stringify(channelIndexOf(message)) === JSON.stringify([channel, channels]))
    .flatMap(wordsOf)
    .sort((a, b) => a.start - b.start)
    .map((word) => word.word);
}

/** Streams `pcm` (then closes the stream) and returns every message, once the engine closed 1000. */
async function transcribe(proxy: RunningProxy, query: string, pcm: Buffer, channels: number): Promise<{ messages: Record<string, unknown>[]; requestId: string; sawProcesses: number }> {
  const client = connectClient(proxy.url, { token: TOKEN, query });
  await client.opened;
  const requestId = requestIdOf(client);
  let sawProcesses = 0;
  const watch = setInterval(() => (sawProcesses = Math.max(sawProcesses, engineProcesses(requestId).length)), 200);
  try {
    await streamPcm(client.ws, pcm, { speed: 2, channels });
    client.ws.send('{"type":"CloseStream"}');
    const closed = await client.closed;
    expect(closed.code, closed.reason).toBe(1000);
  } finally {
    clearInterval(watch);
  }
  return { messages: client.messages, requestId, sawProcesses };
}

const rate = (reference: string[], hypothesis: string[]) => wordErrorRate(reference, hypothesis).rate;

// One retry: these wait on real decoder processes, and their Finalize answers came late once in
// a fresh-clone run on the shared 2-core machine (15 s) while passing in the runs before it.
describe('local pocketsphinx engine, two channels', { retry: 1 }, () => {
  it('transcribes each channel apart under its channel_index, as well as each clip alone', { timeout: 90_000 }, async () => {
    const proxy = await localProxy();
    const clips = CLIPS.map((clip) => Buffer.concat([librivoxPcm(clip), silencePcm(TAIL_SECONDS)]));
    const references = CLIPS.map((clip) => referenceWords(clip));

    // Each clip alone, mono, as the extension's tab-only session sends it (both at once: two decoders).
    const alone = await Promise.all(clips.map((pcm) => transcribe(proxy, MONO_QUERY, pcm, 1)));
    const aloneRates = alone.map((run, index) => rate(references[index] ?? [], channelWords(run.messages, 0, 1)));

    const stereo = interleavePcm(clips);
    const both = await transcribe(proxy, STEREO_QUERY, stereo, 2);
    const results = resultsOf(both.messages);
    expect(results.length).toBeGreaterThanOrEqual(2);
    for (const result of results) {
      expect(result).toMatchObject({ type: 'Results', is_final: true, speech_final: true });
      expect([[0, 2], [1, 2]]).toContainEqual(channelIndexOf(result));
    }
    const heard = [0, 1].map((channel) => channelWords(both.messages, channel, 2));
    const rates = heard.map((words, channel) => rate(references[channel] ?? [], words));
    // The other clip's reference scores far worse: the words are under the right channel.
    const crossed = heard.map((words, channel) => rate(references[1 - channel] ?? [], words));
    console.info(
      `per-channel WER: channel 0 (${CLIPS[0]}) ${(rates[0] ?? NaN).toFixed(3)} vs alone ${(aloneRates[0] ?? NaN).toFixed(3)}; ` +
        `channel 1 (${CLIPS[1]}) ${(rates[1] ?? NaN).toFixed(3)} vs alone ${(aloneRates[1] ?? NaN).toFixed(3)}; ` +
        `against the other clip: ${crossed.map((value) => value.toFixed(3)).join(', ')}`,
    );
    for (const channel of [0, 1]) {
      expect(rates[channel]).toBeLessThanOrEqual((aloneRates[channel] ?? 0) + 0.02);
      expect(rates[channel]).toBeLessThan(0.5);
      expect(crossed[channel]).toBeGreaterThan(0.8);
    }
    // Each channel's timeline is its own audio: no word ends after the channel's audio.
    for (const result of results) {
      for (const word of wordsOf(result)) expect(word.end).toBeLessThanOrEqual(stereo.length / 64_000);
    }

    const metadata = both.messages.at(-1);
    expect(metadata).toMatchObject({ type: 'Metadata', channels: 2 });
    expect(metadata?.duration).toBeCloseTo(stereo.length / 64_000, 2);
    // One decoder process per channel, all gone once the stream closed.
    expect(both.sawProcesses).toBeGreaterThanOrEqual(2);
    expect(engineProcesses(both.requestId)).toEqual([]);
  });

  it('answers a Finalize naming one channel on that channel only, the stream staying open', { timeout: 40_000 }, async () => {
    const proxy = await localProxy();
    const client = connectClient(proxy.url, { token: TOKEN, query: STEREO_QUERY });
    await client.opened;
    const requestId = requestIdOf(client);
    await streamPcm(client.ws, interleavePcm(CLIPS.map((clip) => librivoxPcm(clip))), { speed: 3, channels: 2 });
    client.ws.send('{"type":"Finalize","channel":1}');
    await waitFor(() => resultsOf(client.messages).some((message) => message.from_finalize === true), 15_000, 'a from_finalize result');
    // The pause in sending then ends channel 0's utterance too, without from_finalize.
    await waitFor(() => channelWords(client.messages, 0, 2).length > 0, 15_000, "channel 0's words");
    const flushed = resultsOf(client.messages).filter((message) => message.from_finalize === true);
    expect(flushed.map(channelIndexOf)).toEqual(flushed.map(() => [1, 2]));
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.ws.send('{"type":"CloseStream"}');
    expect((await client.closed).code).toBe(1000);
    expect(engineProcesses(requestId)).toEqual([]);
  });

  it('refuses two channels without multichannel=true: it does not mix channels into one', async () => {
    const proxy = await localProxy();
    const client = connectClient(proxy.url, { token: TOKEN, query: 'encoding=linear16&sample_rate=16000&channels=2' });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe('the local engine takes channels=2 only with multichannel=true (a decoder per channel)');
    expect(engineProcesses(requestIdOf(client))).toEqual([]);
  });
});
