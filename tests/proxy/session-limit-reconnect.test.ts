/**
 * Both sides of the session limit together: the extension's real ListenSocket (run in Node over
 * `ws`) streams through a real proxy with a tiny MAX_SESSION_SECONDS, in front of an upstream that
 * says one word per audio message (a hash of its bytes, testkit/upstream/hostile.ts without
 * garbage). At each limit the proxy closes 1001 after the upstream's last results; the socket
 * reconnects at once and replays what no final covered. Every message's word must then be in the
 * final transcript exactly once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ListenSocket, type StatusDetail } from '@/lib/listen/listen-socket';
import type { ListenEvent } from '@/lib/listen/protocol';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, wordForAudio, type HostileUpstream } from '@/testkit/upstream';
import { chunk } from '@/tests/unit/listen/fake-web-socket';
import { DEEPGRAM_KEY, LISTEN_QUERY, TOKEN, sleep, testConfig } from './proxy-test-kit';

let upstream: HostileUpstream | undefined;
let proxy: RunningProxy | undefined;
let socket: ListenSocket | undefined;
afterEach(async () => {
  await socket?.close();
  await proxy?.close();
  await upstream?.close();
  socket = undefined;
  proxy = undefined;
  upstream = undefined;
});


const SESSION_MS = 1000;

interface Run {
  sent: string[];
  events: ListenEvent[];
  reconnects: StatusDetail[];
  errors: unknown[];
  summary: Awaited<ReturnType<ListenSocket['close']>>;
}

/** Streams `chunks` messages of 100 ms in real time through the proxy, then closes. */
async function streamThroughLimit(chunks: number, onReconnect: () => void = () => {}): Promise<Run> {
  if (!proxy) throw new Error('start the proxy first');
  const events: ListenEvent[] = [];
  const reconnects: StatusDetail[] = [];
  const errors: unknown[] = [];
  socket = new ListenSocket({
    url: `${proxy.url}?${LISTEN_QUERY}`,
    token: TOKEN,
    createWebSocket: (url, protocols) => new WebSocket(url, protocols),
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
    onStatus: (status, detail) => {
      if (status !== 'connecting' || detail.retryInMs === undefined) return;
      reconnects.push(detail);
      onReconnect();
    },
    // The primer's silence would be a message, and so a word, of its own.
    primeSilenceAfterMs: 0,
  });
  socket.connect();
  const sent: string[] = [];
  const started = Date.now();
  for (let i = 0; i < chunks; i += 1) {
    const audio = chunk(i + 1);
    sent.push(wordForAudio(new Uint8Array(audio)));
    socket.sendAudio(audio);
    const wait = started + (i + 1) * 100 - Date.now();
    if (wait > 0) await sleep(wait);
  }
  const summary = await socket.close();
  socket = undefined;
  return { sent, events, reconnects, errors, summary };
}

const finalWords = (events: ListenEvent[]) =>
  events.flatMap((event) => (event.kind === 'results' && event.isFinal ? event.words.map((word) => word.text) : []));

async function proxyWithSessionLimit(): Promise<HostileUpstream> {
  upstream = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY, finalEvery: 5 });
  proxy = await startProxy(
    testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: upstream.url, limits: { ...DEFAULT_LIMITS, maxSessionMs: SESSION_MS } }),
    { shutdownGraceMs: 500 },
  );
  return upstream;
}

describe('the session limit, extension and proxy together', () => {
  it('reconnects at once at each limit, and no audio is lost or repeated in the transcript', { timeout: 20_000 }, async () => {
    const upstream = await proxyWithSessionLimit();
    const { sent, events, reconnects, errors, summary } = await streamThroughLimit(40);

    expect(errors).toEqual([]);
    // 4 s of streaming with a 1 s limit: at least three limits, each closed 1001 and retried at once.
    expect(reconnects.length).toBeGreaterThanOrEqual(3);
    for (const detail of reconnects) {
      expect(detail).toMatchObject({ code: 1001, retryInMs: 0, reason: expect.stringContaining('session limit') });
    }
    expect(upstream.connections.length).toBe(reconnects.length + 1);
    expect(finalWords(events)).toEqual(sent);
    // The upstream heard every message. One heard twice was replayed (no final covered it); a
    // replayed one may also be heard once only, when it reached the proxy during the drain.
    const heard = upstream.connections.flatMap((connection) => connection.words);
    expect(new Set(heard)).toEqual(new Set(sent));
    expect(heard.length - sent.length).toBeLessThanOrEqual(Math.round(summary.replayedSeconds * 10));
    expect(summary).toMatchObject({ droppedSeconds: 0, unsentSeconds: 0, clean: true });
  });

  it('replays what the upstream never finalized before the limit, once', { timeout: 20_000 }, async () => {
    const upstream = await proxyWithSessionLimit();
    // The first connection's upstream answers nothing, not even CloseStream: the proxy gives up
    // after its drain bound, and all of that connection's audio is unconfirmed.
    upstream.setSilent(true);
    const { sent, events, reconnects, errors, summary } = await streamThroughLimit(50, () => upstream.setSilent(false));

    expect(errors).toEqual([]);
    expect(reconnects[0]).toMatchObject({ code: 1001, retryInMs: 0 });
    // The limit at 1 s, then 2 s of drain: about 3 s of audio sent again.
    expect(summary.replayedSeconds).toBeGreaterThan(2);
    expect(finalWords(events)).toEqual(sent);
    expect(summary).toMatchObject({ droppedSeconds: 0, unsentSeconds: 0, clean: true });
  });
});
