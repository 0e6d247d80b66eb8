import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket, type ListenSocketOptions, type ListenStatus, type StatusDetail } from '@/lib/listen/listen-socket';
import type { ListenEvent } from '@/lib/listen/protocol';
import type { UserFacingError } from '@/lib/contract/messages';
import { chunk, fakeFactory, finalResults, markerOf } from './fake-web-socket';
import { installEnglishMessages } from '../settings-english-messages';

const URL = 'ws://localhost:8787/v1/listen?model=nova-3';

function setup(options: Partial<ListenSocketOptions> = {}) {
  const fake = fakeFactory();
  const events: ListenEvent[] = [];
  const statuses: [ListenStatus, StatusDetail][] = [];
  const errors: UserFacingError[] = [];
  const connections: [number, number][] = [];
  const socket = new ListenSocket({
    url: URL,
    token: 'secret-token',
    createWebSocket: fake.factory,
    random: () => 0.5, // no jitter: delays are exact
    onEvent: (e) => events.push(e),
    onStatus: (s, d) => statuses.push([s, d]),
    onError: (e) => errors.push(e),
    onConnection: (index, info) => connections.push([index, info.streamOffsetSeconds]),
    ...options,
  });
  return { socket, fake, events, statuses, errors, connections };
}

const ms = (n: number) => vi.advanceTimersByTime(n);

beforeEach(() => {
  vi.useFakeTimers();
  // Errors are the English messages a user reads (public/_locales/en/messages.json).
  installEnglishMessages();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ListenSocket: connecting and sending', () => {
  it('connects to the URL with subprotocols ["token", T] and arraybuffer binary type', () => {
    const { socket, fake } = setup();
    socket.connect();
    const ws = fake.last();
    expect(ws.url).toBe(URL);
    expect(ws.protocols).toEqual(['token', 'secret-token']);
    expect(ws.binaryType).toBe('arraybuffer');
  });

  it('sends no subprotocol when no token is set', () => {
    const { socket, fake } = setup({ token: '  ' });
    socket.connect();
    expect(fake.last().protocols).toBeUndefined();
  });

  it('buffers audio while connecting and sends it in order once open', () => {
    const { socket, fake, connections, statuses } = setup();
    socket.connect();
    for (let i = 1; i <= 5; i++) socket.sendAudio(chunk(i));
    const ws = fake.last();
    expect(ws.sent).toHaveLength(0);
    ws.open();
    expect(ws.binaries.map(markerOf)).toEqual([1, 2, 3, 4, 5]);
    expect(connections).toEqual([[0, 0]]);
    expect(statuses.map(([s]) => s)).toEqual(['connecting', 'open']);
    socket.sendAudio(chunk(6));
    expect(ws.binaries.map(markerOf)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never sends an empty frame', () => {
    const { socket, fake } = setup();
    socket.connect();
    expect(socket.sendAudio(new ArrayBuffer(0))).toBe(false);
    fake.last().open();
    expect(socket.sendAudio(new ArrayBuffer(0))).toBe(false);
    expect(socket.sendAudio(new Int16Array(0))).toBe(false);
    ms(20_000);
    expect(fake.last().binaries.filter((b) => b.byteLength === 0)).toHaveLength(0);
  });

  it('copies the caller\'s buffer, so reusing it cannot change audio already queued', () => {
    const { socket, fake } = setup();
    socket.connect();
    const reused = new Int16Array(1600).fill(7);
    socket.sendAudio(reused);
    reused.fill(9);
    fake.last().open();
    expect(markerOf(fake.last().binaries[0]!)).toBe(7);
  });

  it('sends Finalize as text, after the audio queued before it', () => {
    const { socket, fake } = setup();
    socket.connect();
    socket.sendAudio(chunk(1));
    socket.finalize();
    socket.sendAudio(chunk(2));
    const ws = fake.last();
    ws.open();
    expect(ws.sent.map((d) => (typeof d === 'string' ? d : markerOf(d)))).toEqual([1, '{"type":"Finalize"}', 2]);
  });

  it('delivers parsed events and counts what it ignores', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open();
    ws.receive('not json');
    ws.receive({ type: 'Mystery' });
    ws.receive({ type: 'SpeechStarted', channel: [0, 1], timestamp: 0.5 });
    expect(events).toEqual([{ kind: 'speech-started', timestamp: 0.5, channel: 0 }]);
    expect(socket.parseStats.parsed).toBe(1);
    expect(socket.parseStats.ignored['invalid-json']).toBe(1);
    expect(socket.parseStats.ignored['unknown-type']).toBe(1);
  });
});

describe('ListenSocket: KeepAlive', () => {
  it('sends {"type":"KeepAlive"} as text every 4 s while no audio goes, and not while audio flows', () => {
    const { socket, fake } = setup({ primeSilenceAfterMs: 0 });
    socket.connect();
    const ws = fake.last();
    ws.open();
    ms(3_999);
    expect(ws.texts).toEqual([]);
    ms(1);
    expect(ws.texts).toEqual(['{"type":"KeepAlive"}']);
    ms(4_000);
    ms(4_000);
    expect(ws.texts).toHaveLength(3);
    // Audio every 100 ms for 10 s: no KeepAlive needed.
    for (let i = 0; i < 100; i++) {
      socket.sendAudio(chunk(1));
      ms(100);
    }
    expect(ws.texts).toHaveLength(3);
    ms(3_800); // the last audio went 100 ms before the loop ended
    expect(ws.texts).toHaveLength(3);
    ms(200);
    expect(ws.texts).toHaveLength(4);
  });

  it('primes a new connection with 100 ms of silence when no audio came within 3 s (Deepgram needs audio within 10 s)', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open();
    ms(3_000);
    expect(ws.binaries.map((b) => b.byteLength)).toEqual([3200]);
    expect(new Int16Array(ws.binaries[0]!).every((s) => s === 0)).toBe(true);
    // The primer is not stream audio: a word at server time 0.3 is 0.2 s into the stream.
    socket.sendAudio(chunk(1, 1));
    ws.receive(finalResults(0.1, 1, [['hi', 0.3, 0.5]]));
    const e = events[0];
    expect(e?.kind === 'results' && [e.start, e.words[0]?.start]).toEqual([0, expect.closeTo(0.2, 6)]);
  });
});

describe('ListenSocket: close()', () => {
  it('flushes, sends CloseStream, delivers the last results and resolves when the server closes', async () => {
    const { socket, fake, events, statuses } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open();
    socket.sendAudio(chunk(1));
    const closing = socket.close();
    expect(ws.texts).toEqual(['{"type":"CloseStream"}']);
    expect(socket.sendAudio(chunk(2))).toBe(false);
    ws.receive(finalResults(0, 0.1, [['last', 0, 0.1]]));
    ws.receive({ type: 'Metadata', request_id: 'r1', duration: 0.1 });
    ws.serverClose(1000);
    const summary = await closing;
    expect(events.map((e) => e.kind)).toEqual(['results', 'metadata']);
    expect(summary).toMatchObject({ code: 1000, clean: true, timedOut: false, connections: 1, unsentSeconds: 0 });
    expect(summary.streamSeconds).toBeCloseTo(0.1, 6);
    expect(statuses.at(-1)?.[0]).toBe('closed');
  });

  it('waits at most 5 s for the server, then forces the close', async () => {
    const { socket, fake } = setup();
    socket.connect();
    const ws = fake.last();
    ws.open();
    const closing = socket.close();
    let done = false;
    void closing.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const summary = await closing;
    expect(summary).toMatchObject({ timedOut: true, clean: false, code: null });
    expect(ws.closeCalls).toEqual([{ code: 1000, reason: 'client closing' }]);
  });

  it('closed while connecting: sends buffered audio and CloseStream once open', async () => {
    const { socket, fake } = setup();
    socket.connect();
    socket.sendAudio(chunk(3));
    const closing = socket.close();
    const ws = fake.last();
    ws.open();
    expect(ws.sent.map((d) => (typeof d === 'string' ? d : markerOf(d)))).toEqual([3, '{"type":"CloseStream"}']);
    ws.serverClose(1000);
    expect(await closing).toMatchObject({ clean: true });
  });

  it('sends a long backlog paced, then CloseStream, waiting longer by the time that takes', async () => {
    // 20 s queued while the network was down: sent at once it would pass the proxy's rate limit
    // (1.25x real time plus a burst) and the proxy would cut the stream, and those words, off.
    const { socket, fake } = setup();
    socket.connect();
    for (let i = 0; i < 200; i += 1) socket.sendAudio(chunk(i % 1000));
    const closing = socket.close();
    let done = false;
    void closing.then(() => (done = true));
    const ws = fake.last();
    ws.open();
    const binaries = () => ws.sent.filter((d) => typeof d !== 'string').length;
    expect(binaries()).toBe(30); // the 3 s burst
    expect(ws.texts).toEqual([]);
    ms(6_000); // 7.5 s more at 1.25x (less a chunk: each wait is rounded up to a whole ms)
    expect(binaries()).toBeGreaterThanOrEqual(104);
    expect(binaries()).toBeLessThanOrEqual(105);
    expect(ws.texts).toEqual([]);
    ms(7_610); // the remaining 9.5 s
    expect(binaries()).toBe(200);
    expect(ws.texts).toEqual(['{"type":"CloseStream"}']);
    // 5 s for the last results, plus (20 - 3) s / 1.25 = 13.6 s of pacing.
    await vi.advanceTimersByTimeAsync(18_600 - 13_610 - 1);
    expect(done).toBe(false);
    ws.serverClose(1000);
    expect(await closing).toMatchObject({ clean: true, timedOut: false, unsentSeconds: 0 });
  });

  it('a paced flush to a server that never answers is still bounded', async () => {
    const { socket, fake } = setup();
    socket.connect();
    for (let i = 0; i < 200; i += 1) socket.sendAudio(chunk(i % 1000));
    const closing = socket.close();
    fake.last().open();
    await vi.advanceTimersByTimeAsync(18_600);
    expect(await closing).toMatchObject({ timedOut: true, clean: false });
  });

  it('resolves at once when it never connected, and close() twice returns the same promise', async () => {
    const { socket } = setup();
    const a = socket.close();
    expect(socket.close()).toBe(a);
    expect(await a).toMatchObject({ code: null, connections: 0 });
  });

  it('does not reconnect when the server closes during close()', async () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    const closing = socket.close();
    fake.last().serverClose(1011, 'oops');
    await closing;
    ms(60_000);
    expect(fake.sockets).toHaveLength(1);
  });
});

describe('ListenSocket: errors', () => {
  it('reports proxy-unreachable when the first connection never opens (after 3 tries by default)', () => {
    const { socket, fake, errors, statuses } = setup();
    socket.connect();
    fake.last().fail();
    ms(500);
    fake.last().fail();
    ms(1_000);
    expect(errors).toEqual([]);
    fake.last().fail();
    expect(fake.sockets).toHaveLength(3);
    expect(errors).toEqual([{ code: 'proxy-unreachable', message: expect.stringContaining('localhost:8787') }]);
    expect(statuses.at(-1)?.[0]).toBe('closed');
    ms(60_000);
    expect(fake.sockets).toHaveLength(3);
  });

  it('counts a handshake that hangs past the connect timeout as a failure', () => {
    const { socket, fake, errors } = setup({ initialConnectAttempts: 1, connectTimeoutMs: 2_000 });
    socket.connect();
    ms(2_000);
    expect(errors.map((e) => e.code)).toEqual(['proxy-unreachable']);
    expect(fake.last().closeCalls).toHaveLength(1);
  });

  it('stops on a refused handshake the implementation can see (ws: "Unexpected server response: 401")', () => {
    const { socket, fake, errors } = setup();
    socket.connect();
    fake.last().fail(new Error('Unexpected server response: 401'));
    expect(errors).toEqual([{ code: 'proxy-rejected', message: expect.stringContaining('token') }]);
    ms(60_000);
    expect(fake.sockets).toHaveLength(1);
  });

  it.each([
    [1008, 'DATA-0000'],
    [4001, 'invalid token'],
    [4003, 'forbidden'],
    [4401, 'unauthorized'],
  ])('stops on close %i (%s) with the reason and does not retry', (code, reason) => {
    const { socket, fake, errors, statuses } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(code, reason);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('proxy-rejected');
    expect(errors[0]?.message).toContain(reason === 'unauthorized' ? 'token' : reason);
    expect(statuses.at(-1)).toEqual(['closed', expect.objectContaining({ code })]);
    ms(60_000);
    expect(fake.sockets).toHaveLength(1);
  });

  it('reports a token the WebSocket constructor refuses as a value, not a throw', () => {
    const { socket, errors } = setup({
      createWebSocket: () => {
        throw new SyntaxError("Failed to construct 'WebSocket': The subprotocol 'a b' is invalid.");
      },
      token: 'a b',
    });
    expect(() => socket.connect()).not.toThrow();
    expect(errors.map((e) => e.code)).toEqual(['proxy-rejected']);
  });
});

describe('ListenSocket: reconnecting', () => {
  it('reconnects after 1011 with backoff, reporting why while it waits', () => {
    const { socket, fake, statuses, errors, connections } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1011, 'NET-0001');
    expect(statuses.at(-1)).toEqual([
      'connecting',
      expect.objectContaining({ attempt: 1, retryInMs: 500, code: 1011, reason: 'NET-0001', error: expect.objectContaining({ code: 'proxy-closed' }) }),
    ]);
    expect(socket.status).toBe('connecting');
    ms(499);
    expect(fake.sockets).toHaveLength(1);
    ms(1);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    expect(connections.map(([i]) => i)).toEqual([0, 1]);
    expect(errors).toEqual([]);
  });

  it('backs off 0.5 s doubling to 30 s while the proxy stays down', () => {
    const { socket, fake, statuses } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1006);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const detail = statuses.at(-1)?.[1];
      delays.push(detail?.retryInMs ?? -1);
      ms(detail?.retryInMs ?? 0);
      fake.last().fail();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('names Deepgram when the proxy is up but its speech service is not, backs off, and stops after a bounded time', () => {
    const { socket, fake, statuses, errors } = setup();
    socket.connect();
    const waits: number[] = [];
    for (let i = 0; i < 20 && socket.status !== 'closed'; i++) {
      fake.last().open();
      fake.last().serverClose(1011, 'upstream unreachable (ENOTFOUND)');
      const detail = statuses.at(-1)?.[1];
      if (errors.length > 0) break;
      expect(detail?.error?.message).toMatch(/^The proxy is running, but its speech service \(Deepgram\) is not answering/);
      expect(detail?.error?.message).not.toContain('connection to the proxy was lost');
      waits.push(detail?.retryInMs ?? -1);
      ms(detail?.retryInMs ?? 0);
    }
    // 7 retries with backoff (about a minute of waiting), then the session is told to stop.
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
    expect(socket.status).toBe('closed');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(
      'Captions stopped: the proxy is running, but its speech service (Deepgram) did not answer for 62 s (1011: upstream unreachable (ENOTFOUND)). What was captured is saved; press Start to try again.',
    );
  });

  it('a stream that carried results starts the count of speech-service failures over', () => {
    const { socket, fake, errors } = setup();
    socket.connect();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 7; i++) {
        fake.last().open();
        fake.last().serverClose(1011, 'upstream connection lost');
        ms(30_000);
      }
      fake.last().open();
      fake.last().receive(finalResults(0, 1, [['hello', 0, 1]]));
      fake.last().serverClose(1011, 'upstream connection lost');
      ms(30_000);
    }
    expect(errors).toEqual([]);
    expect(socket.status).not.toBe('closed');
  });

  it('reconnects at once on 1001 (going away)', () => {
    const { socket, fake, statuses } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1001, 'restart');
    expect(statuses.at(-1)?.[1].retryInMs).toBe(0);
    ms(0);
    expect(fake.sockets).toHaveLength(2);
  });

  it('reconnects on an unexpected normal close too', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1000);
    ms(500);
    expect(fake.sockets).toHaveLength(2);
  });

  it('replays only audio no final covered, then what was buffered meanwhile, and maps times to the stream', () => {
    const { socket, fake, events, connections } = setup();
    socket.connect();
    const first = fake.last();
    first.open();
    for (let i = 0; i < 10; i++) socket.sendAudio(chunk(i));
    // The server finalized the first 0.5 s (chunks 0-4), then died.
    first.receive(finalResults(0, 0.5, [['early', 0.1, 0.4]]));
    first.serverClose(1006);
    for (let i = 10; i < 13; i++) socket.sendAudio(chunk(i));
    ms(500);
    const second = fake.last();
    expect(second).not.toBe(first);
    second.open();
    expect(second.binaries.map(markerOf)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(connections).toEqual([
      [0, 0],
      [1, 0.5],
    ]);
    // Server time restarts at 0 on the new connection: 0.2 there is 0.7 in the stream.
    second.receive(finalResults(0, 0.8, [['later', 0.2, 0.6]]));
    const e = events.at(-1);
    expect(e?.kind === 'results' && [e.start, e.duration, e.words[0]?.start, e.words[0]?.end]).toEqual([
      0.5,
      expect.closeTo(0.8, 6),
      expect.closeTo(0.7, 6),
      expect.closeTo(1.1, 6),
    ]);
    // Each chunk went to a server at most once after a final covered it: 0-4 only ever once.
    const all = [...first.binaries, ...second.binaries].map(markerOf);
    for (let i = 0; i < 5; i++) expect(all.filter((m) => m === i)).toHaveLength(1);
  });

  it('replays a two-channel stream (a meeting) by its own byte rate: both channels of every unconfirmed chunk, once', () => {
    // 100 ms of interleaved tab+microphone audio is 6,400 bytes: chunk(i, 0.2) has that many.
    const { socket, fake, events } = setup({ bytesPerSecond: 64_000 });
    socket.connect();
    const first = fake.last();
    first.open();
    for (let i = 0; i < 10; i++) socket.sendAudio(chunk(i, 0.2));
    // Channel 1 (the microphone) was finalized up to 0.5 s, then the connection died.
    first.receive(finalResults(0, 0.5, [['mine', 0.1, 0.4]], { channel_index: [1, 2] }));
    first.serverClose(1006);
    ms(500);
    const second = fake.last();
    second.open();
    expect(second.binaries.map(markerOf)).toEqual([5, 6, 7, 8, 9]);
    expect(second.binaries.every((b) => b.byteLength === 6_400)).toBe(true);
    second.receive(finalResults(0, 0.3, [['theirs', 0.1, 0.2]], { channel_index: [0, 2] }));
    const e = events.at(-1);
    expect(e?.kind === 'results' && e.words[0]?.start).toBeCloseTo(0.6, 6);
  });

  it('tells an archiving proxy where each connection starts in the stream, so a replayed final keeps its time', () => {
    const url = `${URL}&captionist_session=capture-1234`;
    const { socket, fake } = setup({ url });
    socket.connect();
    const first = fake.last();
    expect(new globalThis.URL(first.url).searchParams.get('captionist_offset')).toBe('0');
    first.open();
    for (let i = 0; i < 10; i++) socket.sendAudio(chunk(i));
    first.receive(finalResults(0, 0.5, [['early', 0.1, 0.4]]));
    first.serverClose(1006);
    ms(500);
    const second = fake.last();
    expect(second).not.toBe(first);
    // The replay starts at chunk 5, stream second 0.5.
    expect(new globalThis.URL(second.url).searchParams.get('captionist_offset')).toBe('0.5');
    expect(new globalThis.URL(second.url).searchParams.get('captionist_session')).toBe('capture-1234');
  });

  it('declares each span\'s meeting start before its audio, and again for the replay on a new connection', () => {
    // Stream seconds 0-0.5 were meeting 2.0-2.5, then the gate held back silence: 0.5-1.0 are meeting 8.0-8.5.
    const meetingTimeOf = (streamSeconds: number) => (streamSeconds < 0.5 - 1e-9 ? 2 + streamSeconds : 7.5 + streamSeconds);
    const { socket, fake } = setup({ url: `${URL}&captionist_session=capture-1234`, meetingTimeOf });
    socket.connect();
    const first = fake.last();
    first.open();
    for (let i = 0; i < 10; i++) socket.sendAudio(chunk(i));
    const order = (ws: typeof first) => ws.sent.map((item) => (typeof item === 'string' ? (JSON.parse(item) as { meeting_start?: number }).meeting_start : markerOf(item)));
    // Declarations are objects' meeting starts; audio shows as its marker.
    expect(order(first)).toEqual([2, 0, 1, 2, 3, 4, 8, 5, 6, 7, 8, 9]);
    first.receive(finalResults(0, 0.7, [['early', 0.1, 0.6]]));
    first.serverClose(1006);
    ms(500);
    const second = fake.last();
    second.open();
    // The replay starts at chunk 7, stream second 0.7, meeting 8.2.
    expect(order(second)).toEqual([8.2, 7, 8, 9]);
  });

  it('leaves the URL alone without an archive session', () => {
    const { socket, fake } = setup();
    socket.connect();
    expect(fake.last().url).toBe(URL);
  });

  it('can be told not to replay unfinalized audio', () => {
    const { socket, fake } = setup({ replayUnconfirmed: false });
    socket.connect();
    fake.last().open();
    socket.sendAudio(chunk(1));
    fake.last().serverClose(1011);
    socket.sendAudio(chunk(2));
    ms(500);
    fake.last().open();
    expect(fake.last().binaries.map(markerOf)).toEqual([2]);
  });

  it('keeps at most the configured seconds of audio while disconnected, dropping the oldest', async () => {
    const { socket, fake } = setup({ maxBufferedSeconds: 1 });
    socket.connect();
    for (let i = 0; i < 20; i++) socket.sendAudio(chunk(i));
    fake.last().open();
    expect(fake.last().binaries.map(markerOf)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const closing = socket.close();
    fake.last().serverClose(1000);
    const summary = await closing;
    expect(summary.droppedSeconds).toBeCloseTo(1, 6);
    expect(summary.streamSeconds).toBeCloseTo(2, 6);
  });

  it('holds at least 60 s of audio by default (1.92 MB at 16 kHz Int16)', () => {
    const { socket, fake } = setup({ serverSilenceTimeoutMs: 0 });
    socket.connect();
    for (let i = 0; i < 600; i++) socket.sendAudio(chunk(i % 30000));
    fake.last().open();
    ms(120_000);
    const bytes = fake.last().binaries.reduce((n, b) => n + b.byteLength, 0);
    expect(bytes).toBe(1_920_000);
  });

  it('paces a long backlog at 1.25x real time after a 3 s burst', () => {
    const { socket, fake } = setup();
    socket.connect();
    for (let i = 0; i < 100; i++) socket.sendAudio(chunk(i)); // 10 s of audio
    fake.last().open();
    const sentSeconds = () => fake.last().binaries.length * 0.1;
    expect(sentSeconds()).toBeCloseTo(3, 6);
    ms(1_000);
    expect(sentSeconds()).toBeCloseTo(4.2, 6); // 1.25 s more, in whole 100 ms chunks
    ms(5_000);
    expect(sentSeconds()).toBeCloseTo(10, 6);
  });

  it('notices a server that accepts audio and then goes silent, and reconnects', () => {
    const { socket, fake, statuses } = setup();
    socket.connect();
    fake.last().open();
    fake.last().receive({ type: 'SpeechStarted', timestamp: 0 });
    for (let i = 0; i < 140; i++) {
      socket.sendAudio(chunk(i));
      ms(100);
    }
    expect(fake.sockets).toHaveLength(1); // 14 s: still waiting
    ms(1_010);
    expect(fake.sockets).toHaveLength(2);
    expect(fake.sockets[0]?.closeCalls[0]?.code).toBe(4000);
    expect(statuses.some(([s, d]) => s === 'connecting' && d.error?.message.includes('stopped answering'))).toBe(true);
  });

  it('does not count a server quiet during KeepAlive-only periods as dead', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    ms(120_000);
    expect(fake.sockets).toHaveLength(1);
  });

  it('starts the backoff over once a connection is healthy again', () => {
    const { socket, fake, statuses } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1011);
    ms(500);
    fake.last().fail();
    ms(1_000);
    fake.last().open();
    fake.last().receive({ type: 'SpeechStarted', timestamp: 0 });
    fake.last().serverClose(1011);
    expect(statuses.at(-1)?.[1].retryInMs).toBe(500);
  });
});
