/** The fake Deepgram itself, spoken to directly: other suites rely on it following the protocol. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeDeepgram, type TimedUpstream } from '@/testkit/upstream';
import { DEEPGRAM_KEY, connectClient, interleavePcm, resultsOf, silencePcm, streamPcm, transcriptOf, upgradeAnswer, waitFor } from './proxy-test-kit';

let fake: FakeDeepgram | TimedUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake Deepgram', () => {
  it("answers a wrong or missing key with 401 and Deepgram's JSON body", async () => {
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Token nope' }];
    for (const headers of attempts) {
      const answer = await upgradeAnswer(`${fake.url}?encoding=linear16&sample_rate=16000`, headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' });
      expect(answer.headers['dg-error']).toBe('Invalid credentials.');
    }
  });

  it('accepts the key as the token subprotocol and echoes "token"', async () => {
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    const answer = await upgradeAnswer(`${fake.url}?encoding=linear16&sample_rate=16000`, { 'Sec-WebSocket-Protocol': `token, ${DEEPGRAM_KEY}` });
    expect(answer.status).toBe(101);
    expect(answer.headers['sec-websocket-protocol']).toBe('token');
  });

  it('plays a two-speaker script in order with speakers, looping while audio continues', async () => {
    fake = await startFakeUpstream({ mode: 'normal',
      apiKey: DEEPGRAM_KEY,
      msPerWord: 100,
      script: [
        { speaker: 0, words: ['hi', 'there'] },
        { speaker: 1, words: ['hello', 'back'] },
      ],
    });
    const client = connectClient(fake.url, { token: DEEPGRAM_KEY, via: 'header', query: 'encoding=linear16&sample_rate=16000&diarize=true&punctuate=true' });
    await client.opened;
    await streamPcm(client.ws, silencePcm(1.0), { speed: 5 });
    await waitFor(() => resultsOf(client.messages).length >= 3, 2000, 'three finals');
    const finals = resultsOf(client.messages).filter((message) => message.is_final === true);
    expect(finals.slice(0, 3).map(transcriptOf)).toEqual(['Hi there.', 'Hello back.', 'Hi there.']);
    const speakers = finals.slice(0, 2).map(
      (message) => (message.channel as { alternatives: { words: { speaker: number }[] }[] }).alternatives[0]?.words[0]?.speaker,
    );
    expect(speakers).toEqual([0, 1]);
    // Finals cover contiguous spans of audio time.
    expect(finals[1]?.start).toBeCloseTo(Number(finals[0]?.start) + Number(finals[0]?.duration), 6);
    expect(resultsOf(client.messages).some((message) => message.is_final === false)).toBe(false);
    client.ws.send('{"type":"KeepAlive"}');
    client.ws.send('{"type":"CloseStream"}');
    expect((await client.closed).code).toBe(1000);
    expect(fake.connections[0]).toMatchObject({ keepAlives: 1, audioBytes: 32_000, controls: ['KeepAlive', 'CloseStream'] });
  });

  it('answers each channel of a multichannel stream apart, under its channel_index, silent channels saying nothing', async () => {
    fake = await startFakeUpstream({
      mode: 'normal',
      apiKey: DEEPGRAM_KEY,
      msPerWord: 100,
      script: [{ speaker: 0, words: ['from', 'the', 'tab'] }],
      channelScripts: [[], [{ speaker: 0, words: ['you', 'said', 'this'] }]],
    });
    const client = connectClient(fake.url, {
      token: DEEPGRAM_KEY,
      via: 'header',
      query: 'encoding=linear16&sample_rate=16000&channels=2&multichannel=true&interim_results=true&utterance_end_ms=1000&vad_events=true',
    });
    await client.opened;
    // 1 s: the tab sounds throughout; the microphone is gated (zeros) for the first 0.5 s.
    const tab = Buffer.alloc(16_000 * 2, 1);
    const mic = Buffer.concat([silencePcm(0.5), Buffer.alloc(8000 * 2, 1)]);
    await streamPcm(client.ws, interleavePcm([tab, mic]), { speed: 5, channels: 2 });
    client.ws.send('{"type":"Finalize","channel":1}');
    client.ws.send('{"type":"CloseStream"}');
    expect((await client.closed).code).toBe(1000);
    const finals = resultsOf(client.messages).filter((message) => message.is_final === true);
    const wordsOn = (channel: number) =>
      finals
        .filter((message) => JSON.stringify(message.channel_index) === JSON.stringify([channel, 2]))
        .flatMap((message) => (message.channel as { alternatives: { words: { word: string; start: number }[] }[] }).alternatives[0]?.words ?? []);
    expect(wordsOn(0).map((word) => word.word)).toEqual(['from', 'the', 'tab', 'from', 'the', 'tab', 'from', 'the']);
    expect(wordsOn(1).map((word) => word.word)).toEqual(['you', 'said', 'this', 'you']);
    // The microphone's words start when its sound does, on the stream's one timeline.
    expect(wordsOn(1)[0]?.start).toBeCloseTo(0.5, 6);
    for (const message of client.messages) {
      if (message.type === 'Results') expect([[0, 2], [1, 2]]).toContainEqual(message.channel_index);
      if (message.type === 'UtteranceEnd' || message.type === 'SpeechStarted') expect([[0, 2], [1, 2]]).toContainEqual(message.channel);
    }
    // Finalize named channel 1: only its pending word was flushed by it.
    expect(finals.filter((message) => message.from_finalize === true).map((message) => message.channel_index)).toEqual([[1, 2]]);
    expect(client.messages.at(-1)).toMatchObject({ type: 'Metadata', duration: 1, channels: 2 });
  });

  it('hashes the audio into Metadata, unless a load test turns hashing off', async () => {
    const metadataFrom = async (hashAudio: boolean | undefined) => {
      fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, ...(hashAudio === undefined ? {} : { hashAudio }) });
      const client = connectClient(fake.url, { token: DEEPGRAM_KEY, via: 'header', query: 'encoding=linear16&sample_rate=16000' });
      await client.opened;
      await streamPcm(client.ws, silencePcm(0.5), { speed: 5 });
      client.ws.send('{"type":"CloseStream"}');
      expect((await client.closed).code).toBe(1000);
      await fake.close();
      fake = undefined;
      return client.messages.find((message) => message.type === 'Metadata');
    };
    const hashed = await metadataFrom(undefined);
    expect(hashed?.sha256).toBe(createHash('sha256').update(silencePcm(0.5)).digest('hex'));
    const unhashed = await metadataFrom(false);
    expect(unhashed).toMatchObject({ type: 'Metadata', duration: 0.5, channels: 1 });
    expect(unhashed).not.toHaveProperty('sha256');
  });

  it('closes 1011 NET-0001 after idleTimeoutMs of nothing', async () => {
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 300 });
    const client = connectClient(fake.url, { token: DEEPGRAM_KEY, via: 'header' });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^NET-0001/);
    expect(fake.connections[0]?.closedBy).toBe('fake');
  });
});

describe('timed fake upstream (the benchmarks\' captions)', () => {
  it('answers a multichannel stream on each channel in audio time per channel, and mono as one channel', async () => {
    const captionsFor = async (query: string, pcm: Buffer, channels: number) => {
      fake = await startFakeUpstream({ mode: 'timed', apiKey: DEEPGRAM_KEY, answer: 'captions' });
      const client = connectClient(fake.url, { token: DEEPGRAM_KEY, via: 'header', query });
      await client.opened;
      await streamPcm(client.ws, pcm, { speed: 20, channels });
      client.ws.send('{"type":"CloseStream"}');
      await client.closed;
      await fake.close();
      fake = undefined;
      return client.messages;
    };
    // 1 s of audio either way: interims at 0.5 s and 1 s, on each channel.
    const stereo = await captionsFor('encoding=linear16&sample_rate=16000&channels=2&multichannel=true', silencePcm(2), 2);
    expect(resultsOf(stereo).map((message) => message.channel_index)).toEqual([[0, 2], [1, 2], [0, 2], [1, 2]]);
    expect(stereo.at(-1)).toMatchObject({ type: 'Metadata', duration: 1, channels: 2 });
    const mono = await captionsFor('encoding=linear16&sample_rate=16000&channels=1', silencePcm(1), 1);
    expect(resultsOf(mono).map((message) => message.channel_index)).toEqual([[0, 1], [0, 1]]);
    expect(mono.at(-1)).toMatchObject({ type: 'Metadata', duration: 1, channels: 1 });
  });
});
