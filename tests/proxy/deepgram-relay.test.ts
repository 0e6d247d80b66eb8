/**
 * The proxy in front of a Deepgram-compatible server (the fake in testkit/upstream/normal.ts): audio and control
 * messages up, server messages down, closes relayed, handshake failures explained.
 */
import { createHash } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { createDeepgramUpstream } from '@/proxy/upstreams/deepgram';
import { startFakeUpstream, type FakeDeepgram, type FakeDeepgramOptions } from '@/testkit/upstream';
import {
  DEEPGRAM_KEY,
  TOKEN,
  connectClient,
  interleavePcm,
  resultsOf,
  silencePcm,
  sleep,
  streamPcm,
  testConfig,
  transcriptOf,
  waitFor,
} from './proxy-test-kit';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function proxyInFrontOf(options: Partial<FakeDeepgramOptions> = {}, upstreamUrl?: string): Promise<{ fake: FakeDeepgram; proxy: RunningProxy }> {
  const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, ...options });
  cleanups.push(() => fake.close());
  const proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: upstreamUrl ?? fake.url }), { shutdownGraceMs: 1000 });
  cleanups.push(() => proxy.close());
  return { fake, proxy };
}

describe('relay through the proxy to a Deepgram-compatible upstream', () => {
  it('delivers interim and final Results from upstream to the client, with speakers when diarizing', async () => {
    const { fake, proxy } = await proxyInFrontOf({ script: [{ speaker: 1, words: ['good', 'morning', 'everyone'] }] });
    const client = connectClient(proxy.url, { token: TOKEN, query: 'model=nova-3&encoding=linear16&sample_rate=16000&interim_results=true&diarize=true' });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.6), { speed: 4 });
    await waitFor(() => resultsOf(client.messages).some((message) => message.is_final === true), 3000, 'a final result');
    const results = resultsOf(client.messages);
    const firstFinal = results.findIndex((message) => message.is_final === true);
    const interims = results.slice(0, firstFinal).filter((message) => message.is_final === false);
    expect(interims.map(transcriptOf)).toEqual(['good', 'good morning', 'good morning everyone']);
    const final = results.find((message) => message.is_final === true);
    expect(final).toMatchObject({ speech_final: true });
    expect(transcriptOf(final ?? {})).toBe('good morning everyone');
    const words = (final?.channel as { alternatives: { words: { speaker: number; start: number }[] }[] }).alternatives[0]?.words;
    expect(words?.map((word) => word.speaker)).toEqual([1, 1, 1]);
    expect(words?.[1]?.start).toBeCloseTo(0.1, 3);
    expect(fake.connections[0]?.audioBytes).toBe(0.6 * 32_000);
    client.ws.close(1000);
    await client.closed;
  });

  it("passes a meeting's two channels through and relays each channel's Results with channel_index untouched", async () => {
    const { fake, proxy } = await proxyInFrontOf({
      script: [{ speaker: 0, words: ['others', 'speak'] }],
      channelScripts: [[], [{ speaker: 0, words: ['you', 'answer'] }]],
    });
    const query = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=2&multichannel=true&interim_results=true';
    const client = connectClient(proxy.url, { token: TOKEN, query });
    await client.opened;
    const sound = Buffer.alloc(0.6 * 32_000, 1);
    await streamPcm(client.ws, interleavePcm([sound, sound]), { speed: 4, channels: 2 });
    client.ws.send('{"type":"CloseStream"}');
    expect((await client.closed).code).toBe(1000);
    expect(fake.connections[0]?.query.toString()).toBe(query);
    expect(fake.connections[0]?.audioBytes).toBe(0.6 * 64_000);
    // Every message reaches the client as the upstream sent it, in order (channel_index included).
    expect(client.messages).toEqual(fake.connections[0]?.sent);
    const finals = resultsOf(client.messages).filter((message) => message.is_final === true);
    const transcriptsOn = (channel: number) =>
      finals.filter((message) => JSON.stringify(message.channel_index) === JSON.stringify([channel, 2])).map(transcriptOf);
    expect(transcriptsOn(0)).toEqual(['others speak', 'others speak']);
    expect(transcriptsOn(1)).toEqual(['you answer', 'you answer']);
    expect(client.messages.at(-1)).toMatchObject({ type: 'Metadata', channels: 2, duration: 0.6 });
  });

  it('keeps audio sent before the upstream is open and flushes it in order', async () => {
    // An upstream that takes 300 ms to accept the TCP connection's upgrade.
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    cleanups.push(() => fake.close());
    const slow = await slowTcpForward(fake.port, 300);
    cleanups.push(() => new Promise((resolve) => slow.close(() => resolve())));
    const proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: `ws://127.0.0.1:${(slow.address() as AddressInfo).port}/v1/listen` }));
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const frames = [Buffer.alloc(3200, 1), Buffer.alloc(3200, 2), Buffer.alloc(3200, 3)];
    for (const frame of frames) client.ws.send(frame);
    client.ws.send('{"type":"CloseStream"}');
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    const metadata = client.messages.find((message) => message.type === 'Metadata');
    expect(metadata?.sha256).toBe(createHash('sha256').update(Buffer.concat(frames)).digest('hex'));
    expect(fake.connections[0]?.audioFrames).toBe(3);
  });

  it('bounds what it keeps for an upstream that does not open: close 1011 when the buffer is full', async () => {
    // A TCP listener that accepts but never answers the upgrade.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise((resolve) => silent.close(() => resolve())));
    let closed: { code: number; reason: string } | undefined;
    const upstream = createDeepgramUpstream({
      url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/listen`,
      apiKey: DEEPGRAM_KEY,
      maxPendingBytes: 10_000,
    })({
      requestId: 'test',
      params: { query: new URLSearchParams(), format: { encoding: 'linear16', sampleRate: 16_000, channels: 1 } },
      logger: pino({ level: 'silent' }),
      events: { opened: () => {}, message: () => {}, closed: (code, reason) => (closed = { code, reason }) },
    });
    for (let i = 0; i < 3; i += 1) upstream.sendAudio(Buffer.alloc(3200));
    expect(closed).toBeUndefined();
    upstream.sendAudio(Buffer.alloc(3200));
    expect(closed).toEqual({ code: 1011, reason: 'upstream did not open in time and the audio buffer is full' });
    upstream.destroy();
  });

  it('relays KeepAlive and Finalize as text to the upstream', async () => {
    const { fake, proxy } = await proxyInFrontOf({ script: [{ speaker: 0, words: ['one', 'two', 'three', 'four', 'five', 'six'] }] });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{"type":"KeepAlive"}');
    await streamPcm(client.ws, silencePcm(0.25), { speed: 4 });
    client.ws.send('{"type":"Finalize"}');
    await waitFor(() => resultsOf(client.messages).some((message) => message.from_finalize === true), 2000, 'a from_finalize result');
    expect(fake.connections[0]?.keepAlives).toBe(1);
    expect(fake.connections[0]?.controls).toEqual(['KeepAlive', 'Finalize']);
    const flushed = resultsOf(client.messages).find((message) => message.from_finalize === true);
    expect(transcriptOf(flushed ?? {})).toBe('One two');
    client.ws.close(1000);
    await client.closed;
  });

  it('answers CloseStream with the last final Results, Metadata and close 1000 at the client', async () => {
    const { proxy } = await proxyInFrontOf({ script: [{ speaker: 0, words: ['almost', 'done', 'here', 'now'] }] });
    const client = connectClient(proxy.url, { token: TOKEN, query: 'encoding=linear16&sample_rate=16000' });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.2), { speed: 4 });
    client.ws.send('{"type":"CloseStream"}');
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    const types = client.messages.map((message) => message.type);
    expect(types.slice(-2)).toEqual(['Results', 'Metadata']);
    expect(transcriptOf(client.messages.at(-2) ?? {})).toBe('almost done');
    expect(client.messages.at(-1)).toMatchObject({ transaction_key: 'deprecated', duration: 0.2, channels: 1 });
  });

  it('waits for a slow upstream after CloseStream instead of applying the idle rule', { timeout: 10_000 }, async () => {
    // An upstream that takes 3.5 s to answer CloseStream; the proxy's idle backstop is 0.5 + 2 s.
    const slow = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((resolve) => slow.close(() => resolve())));
    slow.on('connection', (socket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary || !data.toString().includes('CloseStream')) return;
        setTimeout(() => {
          socket.send(JSON.stringify({ type: 'Metadata', request_id: 'slow', duration: 0 }));
          socket.close(1000);
        }, 3500);
      });
    });
    await new Promise((resolve) => slow.once('listening', resolve));
    const proxy = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: `ws://127.0.0.1:${(slow.address() as AddressInfo).port}/v1/listen`,
        limits: { ...DEFAULT_LIMITS, idleTimeoutMs: 500 },
      }),
    );
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(Buffer.alloc(3200));
    client.ws.send('{"type":"CloseStream"}');
    expect(await client.closed).toEqual({ code: 1000, reason: '' });
    expect(client.messages.at(-1)).toMatchObject({ type: 'Metadata' });
  });

  it("relays the upstream's 1011 NET-0001 idle close with its reason", async () => {
    const { proxy } = await proxyInFrontOf({ idleTimeoutMs: 400 });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toContain('NET-0001');
  });

  it("relays the upstream's 1008 DATA-0000 when the audio cannot be decoded", async () => {
    const { proxy } = await proxyInFrontOf();
    const client = connectClient(proxy.url, { token: TOKEN, query: 'encoding=opus&sample_rate=48000' });
    await client.opened;
    client.ws.send(Buffer.alloc(200, 7));
    const closed = await client.closed;
    expect(closed).toMatchObject({ code: 1008, reason: expect.stringContaining('DATA-0000') });
  });

  it('turns an upstream 401 into a client close 1008 with a reason a person can read', async () => {
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: 'the-real-key' });
    cleanups.push(() => fake.close());
    const proxy = await startProxy(testConfig({ deepgramApiKey: 'a-revoked-key', deepgramUrl: fake.url }));
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(Buffer.alloc(3200));
    expect(await client.closed).toEqual({ code: 1008, reason: 'upstream rejected the key (401)' });
  });

  it.each([
    [402, 1008, 'out of credit'],
    [403, 1008, 'refused access (403)'],
    [429, 1008, 'too many streams'],
    [400, 1008, 'Fake refusal 400.'],
    [503, 1011, 'unavailable (503)'],
  ])('turns an upstream %i on the handshake into close %i', async (status, code, words) => {
    const { proxy } = await proxyInFrontOf({ rejectUpgrade: { status } });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(code);
    expect(closed.reason).toContain(words);
  });

  it('closes the client with 1011 when the upstream cannot be reached', async () => {
    const unused = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    const deadUrl = unused.url;
    await unused.close();
    const proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: deadUrl }));
    cleanups.push(() => proxy.close());
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toContain('upstream unreachable (ECONNREFUSED)');
  });

  it('closes the upstream when the client goes away without a word', async () => {
    const { fake, proxy } = await proxyInFrontOf();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await waitFor(() => fake.connections.length === 1, 2000, 'the upstream connection');
    client.ws.terminate();
    await fake.connections[0]?.closed;
    expect(fake.connections[0]?.closedBy).toBe('client');
  });

  it('on close(): sends CloseStream upstream, lets the last results through, then closes clients with 1001', async () => {
    const { fake, proxy } = await proxyInFrontOf({ script: [{ speaker: 0, words: ['still', 'talking', 'when', 'stopped'] }] });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.25), { speed: 4 });
    await sleep(100);
    await proxy.close();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(fake.connections[0]?.controls).toEqual(['CloseStream']);
    expect(client.messages.map((message) => message.type).slice(-2)).toEqual(['Results', 'Metadata']);
    const health = await fetch(proxy.url.replace('ws://', 'http://').replace('/v1/listen', '/healthz')).catch(() => undefined);
    expect(health).toBeUndefined();
  });

  it('refuses unknown text messages with close 1008', async () => {
    const { proxy } = await proxyInFrontOf();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{"type":"Transcribe","url":"https://example.com/a.mp3"}');
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('KeepAlive, Finalize, CloseStream');
  });
});

/** A TCP forwarder that waits `delayMs` before connecting through: an upstream slow to open. */
async function slowTcpForward(targetPort: number, delayMs: number): Promise<Server> {
  const server = createServer((socket) => {
    socket.pause();
    setTimeout(() => {
      const upstream = connect(targetPort, '127.0.0.1', () => {
        socket.pipe(upstream).pipe(socket);
        socket.resume();
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}
