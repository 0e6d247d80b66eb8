/**
 * The listen socket: one session's audio to a /v1/listen server, and its transcripts back.
 *
 * - Connects with the token as WebSocket subprotocols `token, <T>` (browsers cannot set headers).
 * - Sends PCM as binary frames, never an empty one (an empty frame closes a Deepgram stream).
 * - Buffers audio (bounded) while connecting or reconnecting and sends it once open.
 * - Sends `{"type":"KeepAlive"}` as a text frame whenever no audio went for a few seconds.
 * - `close()` flushes, sends `{"type":"CloseStream"}`, waits (bounded) for the last results and the
 *   server's close, then forces the close.
 * - Reconnects with backoff on unexpected closes; stops on refusals retrying cannot fix.
 *
 * Times: every event it emits is in *stream seconds*: seconds of audio handed to sendAudio() since
 * this socket was created. The server restarts at 0 on each connection and a reconnect replays the
 * audio the dead connection had not finalized; the socket undoes both, so the owner maps stream
 * seconds to meeting time with one timeline for the whole session and never resets it.
 *
 * Replay rule: audio sent on a connection is kept until a final result covers it. If the
 * connection dies, the uncovered audio is sent again on the next one, ahead of what was buffered
 * meanwhile, so words in flight are not lost; audio a final already covered is never sent again,
 * so its words cannot come back twice.
 */
import type { UserFacingError } from '../contract/messages';
import { backoffDelay, type BackoffOptions } from './backoff';
import { classifyClose, classifyHandshakeFailure, cleanReason, httpStatusFromError, type CloseVerdict } from './close-codes';
import { ConnectionClock } from './connection-clock';
import { AUDIO_BYTES_PER_SECOND, withStreamOffset } from './listen-url';
import { createParseStats, parseServerMessage, type ListenEvent, type ParseStats, type ResultsEvent } from './protocol';

/** The part of the WebSocket API we use; the browser's WebSocket and Node's `ws` both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount?: number;
  readonly protocol?: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  // Handlers take `never` so both DOM and ws event types fit; ours annotate what they read.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketFactory = (url: string, protocols: string[] | undefined) => WebSocketLike;

/** The browser's own WebSocket, for the offscreen document (Node tests pass `ws` or a fake). */
export const browserWebSocket: WebSocketFactory = (url, protocols) => new WebSocket(url, protocols);

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Reads the globals at call time, so test fake timers installed later still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type ListenStatus = 'connecting' | 'open' | 'closed';

export interface StatusDetail {
  /** Index of the connection this status is about (0 = the first). */
  connection: number;
  /** 0 on the first try; the retry number while reconnecting. */
  attempt: number;
  /** Set while waiting to reconnect. */
  retryInMs?: number;
  /** Why we are reconnecting (transient), or why the socket closed for good. */
  error?: UserFacingError;
  code?: number;
  reason?: string;
}

export interface ConnectionInfo {
  /** Stream seconds at which this connection's server time 0 lies. */
  streamOffsetSeconds: number;
  /** Seconds of buffered or replayed audio waiting to go when it opened. */
  backlogSeconds: number;
  /** The subprotocol the server chose ("token" when a token was sent). */
  protocol: string;
}

export interface CloseSummary {
  /** The server's close code, or null when none came (timeout, never connected). */
  code: number | null;
  reason: string;
  /** The server closed after our CloseStream within the bound, so its last results arrived. */
  clean: boolean;
  timedOut: boolean;
  connections: number;
  /** Audio handed to sendAudio(). */
  streamSeconds: number;
  /** Audio frames sent on all connections, replays included. */
  sentSeconds: number;
  /** Audio sent again on a new connection because the old one died before finalizing it. */
  replayedSeconds: number;
  /** Audio dropped because the buffer was full (a long outage). */
  droppedSeconds: number;
  /** Audio still buffered when the socket closed (never reached a server). */
  unsentSeconds: number;
  keepAlivesSent: number;
  parse: ParseStats;
}

export interface ListenSocketOptions {
  url: string;
  /** Sent as subprotocols ['token', token]; no subprotocol when empty. */
  token?: string;
  createWebSocket: WebSocketFactory;
  onEvent?: (event: ListenEvent) => void;
  onStatus?: (status: ListenStatus, detail: StatusDetail) => void;
  /** The socket gave up (refused, unreachable on the first try): it is closed after this. */
  onError?: (error: UserFacingError) => void;
  /** A connection opened: server time restarts at 0 there (events are already in stream time). */
  onConnection?: (index: number, info: ConnectionInfo) => void;
  clock?: Clock;
  random?: () => number;
  bytesPerSecond?: number;
  /** Audio kept while disconnected plus audio not yet finalized. Default 90 s (2.88 MB at 16 kHz). */
  maxBufferedSeconds?: number;
  /** Send KeepAlive after this long without sending anything. Default 4000 (Deepgram closes at 10 s). */
  keepAliveIdleMs?: number;
  /** How long close() waits for the server's close after CloseStream. Default 5000. */
  closeTimeoutMs?: number;
  /** A handshake taking longer counts as a failure. Default 10000. */
  connectTimeoutMs?: number;
  /** Audio sent and nothing heard back for this long: the server is dead, reconnect. 0 disables. Default 15000. */
  serverSilenceTimeoutMs?: number;
  /** Attempts before the very first connection is declared unreachable. Default 3. */
  initialConnectAttempts?: number;
  /** Reconnect on unexpected closes. Default true. */
  reconnect?: boolean;
  /** Re-send audio the dead connection had not finalized. Default true. */
  replayUnconfirmed?: boolean;
  /** Backlog pacing as a multiple of real time (Deepgram asks for <= 1.25). Default 1.25. */
  maxSendRate?: number;
  /** Audio that may go at once before pacing starts. Default 3 s. */
  sendBurstSeconds?: number;
  /**
   * A new Deepgram connection needs audio within 10 s even with KeepAlives; if nothing was sent this
   * long after opening, send 100 ms of silence (not part of the stream). 0 disables. Default 3000.
   */
  primeSilenceAfterMs?: number;
  backoff?: BackoffOptions;
}

const WS_OPEN = 1;
const KEEP_ALIVE = JSON.stringify({ type: 'KeepAlive' });
const FINALIZE = JSON.stringify({ type: 'Finalize' });
const CLOSE_STREAM = JSON.stringify({ type: 'CloseStream' });
/** Hold the queue while the browser's own send buffer is this full. */
const MAX_WS_BUFFERED_BYTES = 256 * 1024;
const PRIME_SILENCE_SECONDS = 0.1;
/** A connection that lived this long was healthy: the next failure starts the backoff over. */
const HEALTHY_CONNECTION_MS = 30_000;
/** Local close code for abandoning a server that stopped answering (4000-4999: application use). */
const CLOSE_UNRESPONSIVE = 4000;

interface Chunk {
  data: ArrayBuffer;
  streamStart: number;
  seconds: number;
}

type QueueItem = { kind: 'audio'; chunk: Chunk } | { kind: 'finalize' };

type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'closing' | 'closed';

function copyBuffer(pcm: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (pcm instanceof ArrayBuffer) return pcm.slice(0);
  const out = new ArrayBuffer(pcm.byteLength);
  new Uint8Array(out).set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return out;
}

export class ListenSocket {
  readonly parseStats: ParseStats = createParseStats();

  private readonly opts: ListenSocketOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly bps: number;
  private readonly maxBufferSeconds: number;
  private readonly speakerIds = new Map<string, number>();

  private phase: Phase = 'idle';
  private ws: WebSocketLike | null = null;
  private wsOpened = false;
  private wsError: unknown = null;
  private everOpened = false;
  private connections = 0;
  private attempt = 0;
  private initialFailures = 0;

  private queue: QueueItem[] = [];
  private unconfirmed: Chunk[] = [];
  private bufferedSeconds = 0;
  private streamBytes = 0;
  private connClock = new ConnectionClock(0);
  private finalCursor = 0;

  private tokens = 0;
  private lastRefillAt = 0;
  private openedAt = 0;
  private lastSendAt = 0;
  private sentAudioThisConnection = false;
  private primed = false;
  private awaitingReplySince: number | null = null;

  private closeStreamSent = false;
  private closePromise: Promise<CloseSummary> | null = null;
  private resolveClose: ((summary: CloseSummary) => void) | null = null;

  private connectTimer: unknown = null;
  private backoffTimer: unknown = null;
  private houseTimer: unknown = null;
  private drainTimer: unknown = null;
  private closeTimer: unknown = null;

  private readonly totals = { sentSeconds: 0, replayedSeconds: 0, droppedSeconds: 0, keepAlives: 0 };

  constructor(options: ListenSocketOptions) {
    this.opts = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.bps = options.bytesPerSecond ?? AUDIO_BYTES_PER_SECOND;
    this.maxBufferSeconds = options.maxBufferedSeconds ?? 90;
  }

  /** Where the socket is: 'connecting' also covers waiting to reconnect and closing. */
  get status(): ListenStatus {
    if (this.phase === 'open' || (this.phase === 'closing' && this.wsOpened && this.ws)) return 'open';
    if (this.phase === 'closed' || this.phase === 'idle') return 'closed';
    return 'connecting';
  }

  /** Seconds of audio handed to sendAudio() so far: the stream clock events are expressed in. */
  get streamSeconds(): number {
    return this.streamBytes / this.bps;
  }

  connect(): void {
    if (this.phase !== 'idle') return;
    this.openConnection();
  }

  /**
   * Queues PCM for the server. Returns false (and sends nothing) for an empty buffer or after
   * close(). The buffer is copied: the caller may reuse it.
   */
  sendAudio(pcm: ArrayBuffer | ArrayBufferView): boolean {
    if (pcm.byteLength === 0) return false;
    if (this.phase === 'closed' || (this.phase === 'closing' && this.closeStreamSent)) return false;
    const seconds = pcm.byteLength / this.bps;
    const chunk: Chunk = { data: copyBuffer(pcm), streamStart: this.streamBytes / this.bps, seconds };
    this.streamBytes += pcm.byteLength;
    this.queue.push({ kind: 'audio', chunk });
    this.bufferedSeconds += seconds;
    this.enforceBufferCap();
    this.drain();
    return true;
  }

  /** Asks the server to finalize what it has (e.g. at a turn boundary); sent in order with the audio. */
  finalize(): boolean {
    if (this.phase === 'closed' || this.phase === 'closing') return false;
    this.queue.push({ kind: 'finalize' });
    this.drain();
    return true;
  }

  /** CloseStream, bounded wait for the server's last results and close, then a forced close. */
  close(): Promise<CloseSummary> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = new Promise<CloseSummary>((resolve) => {
      this.resolveClose = resolve;
    });
    const previous = this.phase;
    if (previous === 'closed' || previous === 'idle') {
      this.phase = 'closing';
      this.finish(null, '', false, false);
      return this.closePromise;
    }
    this.phase = 'closing';
    // The backlog still goes paced (a flood would be cut off by the proxy's rate limit and its
    // words lost), so the bound grows by the time that takes.
    this.closeTimer = this.clock.setTimeout(() => this.forceClose(), (this.opts.closeTimeoutMs ?? 5000) + this.pacedFlushMs());
    if (previous === 'open') {
      this.sendCloseStream();
    } else if (previous === 'waiting') {
      this.clearTimer('backoffTimer');
      // Buffered audio deserves one more try within the bound; otherwise there is nothing to close.
      if (this.queue.some((item) => item.kind === 'audio')) this.openConnection();
      else this.finish(null, '', false, false);
    }
    // 'connecting': onopen flushes and sends CloseStream; a failed handshake finishes.
    return this.closePromise;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private openConnection(): void {
    const index = this.connections;
    this.connections += 1;
    if (this.phase !== 'closing') this.phase = 'connecting';
    this.wsOpened = false;
    this.wsError = null;
    this.emitStatus('connecting', { connection: index, attempt: this.attempt });

    const token = (this.opts.token ?? '').trim();
    let ws: WebSocketLike;
    try {
      // An archiving proxy needs each connection's stream offset (listen-url.ts withStreamOffset).
      ws = this.opts.createWebSocket(withStreamOffset(this.opts.url, this.nextOrigin()), token ? ['token', token] : undefined);
    } catch (error) {
      // The constructor throws SyntaxError for a malformed URL or a token with spaces or commas.
      const detail = error instanceof Error ? error.message : String(error);
      this.fail({
        code: token && /protocol/i.test(detail) ? 'proxy-rejected' : 'invalid-proxy-url',
        message:
          token && /protocol/i.test(detail)
            ? 'The token contains characters that cannot be sent (spaces, commas or quotes). Check the token in Options.'
            : `The proxy URL cannot be used: ${cleanReason(detail)}`,
      });
      return;
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      if (this.ws === ws) this.handleOpen(index);
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (this.ws === ws) this.handleMessage(event.data);
    };
    ws.onerror = (event: unknown) => {
      if (this.ws === ws) this.wsError = event;
    };
    ws.onclose = (event: { code: number; reason?: string }) => {
      if (this.ws === ws) this.handleClose(event.code, event.reason ?? '');
    };
    this.connectTimer = this.clock.setTimeout(() => {
      if (this.ws !== ws || this.wsOpened) return;
      this.abandon(ws);
      this.handleHandshakeFailure(null);
    }, this.opts.connectTimeoutMs ?? 10_000);
  }

  /** The stream time a connection opened now starts at: the first audio waiting to go (a replay first). */
  private nextOrigin(): number {
    const firstAudio = this.queue.find((item) => item.kind === 'audio');
    return firstAudio?.kind === 'audio' ? firstAudio.chunk.streamStart : this.streamSeconds;
  }

  private handleOpen(index: number): void {
    this.clearTimer('connectTimer');
    this.wsOpened = true;
    this.everOpened = true;
    this.initialFailures = 0;
    const now = this.clock.now();
    this.openedAt = now;
    this.lastSendAt = now;
    this.lastRefillAt = now;
    this.tokens = this.burstSeconds();
    this.sentAudioThisConnection = false;
    this.primed = false;
    this.awaitingReplySince = null;
    const origin = this.nextOrigin();
    this.connClock = new ConnectionClock(origin);
    this.finalCursor = origin;
    this.opts.onConnection?.(index, {
      streamOffsetSeconds: origin,
      backlogSeconds: this.bufferedSeconds,
      protocol: this.ws?.protocol ?? '',
    });
    if (this.phase === 'closing') {
      this.sendCloseStream();
      return;
    }
    this.phase = 'open';
    this.emitStatus('open', { connection: index, attempt: this.attempt });
    this.drain();
    this.scheduleHousekeeping();
  }

  private handleMessage(data: unknown): void {
    this.awaitingReplySince = null;
    // A server that answers is healthy: the next failure starts the backoff from the beginning.
    this.attempt = 0;
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      this.parseStats.ignored['not-utf8'] += 1;
      return;
    }
    const result = parseServerMessage(data, { stats: this.parseStats, speakerIds: this.speakerIds });
    if (!result.ok) return;
    const event = this.toStreamTime(result.event);
    if (event.kind === 'results' && event.isFinal) {
      // An untimed final (seed-style proxies) can only mean "everything so far": confirming less
      // would replay, and so repeat, words it already sent after a reconnect.
      this.confirmUpTo(event.timed ? event.start + event.duration : this.connClock.streamCursor);
    }
    this.opts.onEvent?.(event);
  }

  private handleClose(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    this.clearConnectionTimers();
    if (ws) this.detach(ws);
    if (this.phase === 'closing') {
      this.finish(code, reason, this.closeStreamSent && code === 1000, false);
      return;
    }
    if (!this.wsOpened) {
      this.handleHandshakeFailure(httpStatusFromError(this.wsError));
      return;
    }
    if (this.clock.now() - this.openedAt >= HEALTHY_CONNECTION_MS) this.attempt = 0;
    this.retryOrFail(classifyClose(code, reason), code, reason);
  }

  private handleHandshakeFailure(httpStatus: number | null): void {
    this.ws = null;
    this.clearConnectionTimers();
    const verdict = classifyHandshakeFailure(this.hostForMessages(), httpStatus);
    if (this.phase === 'closing') {
      this.finish(null, verdict.error.message, false, false);
      return;
    }
    if (!this.everOpened) {
      this.initialFailures += 1;
      if (this.initialFailures >= (this.opts.initialConnectAttempts ?? 3)) {
        this.fail(verdict.error);
        return;
      }
    }
    this.retryOrFail(verdict);
  }

  private retryOrFail(verdict: CloseVerdict, code?: number, reason?: string): void {
    if (!verdict.retry || this.opts.reconnect === false) {
      this.fail(verdict.error, code, reason);
      return;
    }
    this.requeueUnconfirmed();
    this.attempt += 1;
    const delay = verdict.immediate && this.attempt === 1 ? 0 : backoffDelay(this.attempt, this.random, this.opts.backoff);
    this.phase = 'waiting';
    const detail: StatusDetail = { connection: this.connections, attempt: this.attempt, retryInMs: delay, error: verdict.error };
    if (code !== undefined) detail.code = code;
    if (reason) detail.reason = cleanReason(reason);
    this.emitStatus('connecting', detail);
    this.backoffTimer = this.clock.setTimeout(() => {
      this.backoffTimer = null;
      if (this.phase === 'waiting') this.openConnection();
    }, delay);
  }

  /** Audio the dead connection never finalized goes first on the next one. */
  private requeueUnconfirmed(): void {
    if (this.opts.replayUnconfirmed === false) {
      for (const chunk of this.unconfirmed) this.bufferedSeconds -= chunk.seconds;
    } else {
      const replay: QueueItem[] = this.unconfirmed.map((chunk) => ({ kind: 'audio', chunk }));
      for (const chunk of this.unconfirmed) this.totals.replayedSeconds += chunk.seconds;
      this.queue = replay.concat(this.queue);
    }
    this.unconfirmed = [];
  }

  private fail(error: UserFacingError, code?: number, reason?: string): void {
    if (this.phase === 'closed') return;
    this.clearAllTimers();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      this.abandon(ws);
    }
    this.phase = 'closed';
    this.opts.onError?.(error);
    const detail: StatusDetail = { connection: Math.max(0, this.connections - 1), attempt: this.attempt, error };
    if (code !== undefined) detail.code = code;
    if (reason) detail.reason = cleanReason(reason);
    this.emitStatus('closed', detail);
    this.resolveClose?.(this.summary(code ?? null, reason ?? '', false, false));
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  private drain(): void {
    this.clearTimer('drainTimer');
    const ws = this.ws;
    if (!ws || !this.wsOpened || ws.readyState !== WS_OPEN || this.closeStreamSent) return;
    if (this.phase !== 'open' && this.phase !== 'closing') return;
    this.refillTokens();
    while (this.queue.length > 0) {
      const item = this.queue[0] as QueueItem;
      if (item.kind === 'finalize') {
        this.queue.shift();
        this.sendText(FINALIZE);
        continue;
      }
      const chunk = item.chunk;
      if ((ws.bufferedAmount ?? 0) > MAX_WS_BUFFERED_BYTES) {
        this.drainTimer = this.clock.setTimeout(() => this.drain(), 50);
        return;
      }
      // A chunk larger than the burst goes once the bucket is full.
      const need = Math.min(chunk.seconds, this.burstSeconds());
      if (this.tokens + 1e-9 < need) {
        const waitMs = ((need - this.tokens) / this.sendRate()) * 1000;
        this.drainTimer = this.clock.setTimeout(() => this.drain(), Math.max(1, Math.ceil(waitMs)));
        return;
      }
      this.queue.shift();
      this.tokens -= chunk.seconds;
      if (!this.sendBinary(chunk)) return;
    }
    // Closing: CloseStream follows the last of the audio.
    if (this.phase === 'closing' && this.sendText(CLOSE_STREAM)) this.closeStreamSent = true;
  }

  /** How long the queued audio takes to go at the paced rate, beyond what may go at once. */
  private pacedFlushMs(): number {
    let queued = 0;
    for (const item of this.queue) if (item.kind === 'audio') queued += item.chunk.seconds;
    return (Math.max(0, queued - this.burstSeconds()) / this.sendRate()) * 1000;
  }

  private sendBinary(chunk: Chunk): boolean {
    const ws = this.ws;
    if (!ws) return false;
    try {
      ws.send(chunk.data);
    } catch {
      // The close event follows; keep the chunk for the next connection.
      this.queue.unshift({ kind: 'audio', chunk });
      return false;
    }
    const now = this.clock.now();
    this.lastSendAt = now;
    this.sentAudioThisConnection = true;
    this.awaitingReplySince ??= now;
    this.connClock.recordAudio(chunk.streamStart, chunk.seconds);
    this.totals.sentSeconds += chunk.seconds;
    if (this.opts.replayUnconfirmed === false) this.bufferedSeconds -= chunk.seconds;
    else this.unconfirmed.push(chunk);
    return true;
  }

  private sendText(text: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN) return false;
    try {
      ws.send(text);
    } catch {
      return false;
    }
    this.lastSendAt = this.clock.now();
    return true;
  }

  /** Sends what is queued, paced, then CloseStream (from drain, once the queue is empty). */
  private sendCloseStream(): void {
    this.drain();
  }

  private sendRate(): number {
    return this.opts.maxSendRate ?? 1.25;
  }

  private burstSeconds(): number {
    return this.opts.sendBurstSeconds ?? 3;
  }

  private refillTokens(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burstSeconds(), this.tokens + ((now - this.lastRefillAt) / 1000) * this.sendRate());
    this.lastRefillAt = now;
  }

  private enforceBufferCap(): void {
    while (this.bufferedSeconds > this.maxBufferSeconds + 1e-9) {
      // Oldest first: unconfirmed audio is older than anything still queued.
      const oldest = this.unconfirmed.shift();
      if (oldest) {
        this.bufferedSeconds -= oldest.seconds;
        this.totals.droppedSeconds += oldest.seconds;
        continue;
      }
      const index = this.queue.findIndex((item) => item.kind === 'audio');
      if (index < 0) break;
      const [item] = this.queue.splice(index, 1);
      if (item?.kind === 'audio') {
        this.bufferedSeconds -= item.chunk.seconds;
        this.totals.droppedSeconds += item.chunk.seconds;
      }
    }
  }

  /** A final result covers audio up to this stream time: it will not be needed again. */
  private confirmUpTo(streamSeconds: number): void {
    if (streamSeconds <= this.finalCursor) return;
    this.finalCursor = streamSeconds;
    while (this.unconfirmed.length > 0) {
      const chunk = this.unconfirmed[0] as Chunk;
      if (chunk.streamStart + chunk.seconds > streamSeconds + 1e-6) break;
      this.unconfirmed.shift();
      this.bufferedSeconds -= chunk.seconds;
    }
  }

  // -------------------------------------------------------------------------------------------
  // KeepAlive, the silent-server watchdog and the first-audio primer share one timer.

  private scheduleHousekeeping(): void {
    this.clearTimer('houseTimer');
    if (this.phase !== 'open') return;
    const now = this.clock.now();
    const deadlines = [this.lastSendAt + (this.opts.keepAliveIdleMs ?? 4000)];
    const silenceMs = this.opts.serverSilenceTimeoutMs ?? 15_000;
    if (silenceMs > 0 && this.awaitingReplySince !== null) deadlines.push(this.awaitingReplySince + silenceMs);
    const primeMs = this.opts.primeSilenceAfterMs ?? 3000;
    if (primeMs > 0 && !this.primed && !this.sentAudioThisConnection) deadlines.push(this.openedAt + primeMs);
    const at = Math.min(...deadlines);
    this.houseTimer = this.clock.setTimeout(() => this.housekeeping(), Math.max(1, at - now));
  }

  private housekeeping(): void {
    this.houseTimer = null;
    const ws = this.ws;
    if (this.phase !== 'open' || !ws) return;
    const now = this.clock.now();
    const silenceMs = this.opts.serverSilenceTimeoutMs ?? 15_000;
    if (silenceMs > 0 && this.awaitingReplySince !== null && now - this.awaitingReplySince >= silenceMs) {
      this.ws = null;
      this.clearConnectionTimers();
      this.abandon(ws, CLOSE_UNRESPONSIVE, 'no response');
      this.retryOrFail({
        retry: true,
        immediate: true,
        error: { code: 'proxy-closed', message: `The proxy stopped answering for ${Math.round(silenceMs / 1000)} s; reconnecting.` },
      });
      return;
    }
    const primeMs = this.opts.primeSilenceAfterMs ?? 3000;
    if (primeMs > 0 && !this.primed && !this.sentAudioThisConnection && now - this.openedAt >= primeMs && this.queue.length === 0) {
      const silence = new ArrayBuffer(Math.round(PRIME_SILENCE_SECONDS * this.bps) & ~1);
      try {
        ws.send(silence);
        this.primed = true;
        this.lastSendAt = now;
        this.connClock.recordSilence(silence.byteLength / this.bps);
      } catch {
        // The close event follows.
      }
    }
    if (now - this.lastSendAt >= (this.opts.keepAliveIdleMs ?? 4000) && this.queue.length === 0) {
      if (this.sendText(KEEP_ALIVE)) this.totals.keepAlives += 1;
    }
    this.scheduleHousekeeping();
  }

  // -------------------------------------------------------------------------------------------
  // Closing

  private forceClose(): void {
    this.closeTimer = null;
    if (this.phase !== 'closing') return;
    const ws = this.ws;
    this.ws = null;
    if (ws) this.abandon(ws, 1000, 'client closing');
    this.finish(null, '', false, true);
  }

  private finish(code: number | null, reason: string, clean: boolean, timedOut: boolean): void {
    if (this.phase === 'closed') return;
    this.clearAllTimers();
    this.phase = 'closed';
    const summary = this.summary(code, reason, clean, timedOut);
    const detail: StatusDetail = { connection: Math.max(0, this.connections - 1), attempt: this.attempt };
    if (code !== null) detail.code = code;
    if (reason) detail.reason = cleanReason(reason);
    this.emitStatus('closed', detail);
    this.resolveClose?.(summary);
  }

  private summary(code: number | null, reason: string, clean: boolean, timedOut: boolean): CloseSummary {
    let unsent = 0;
    for (const item of this.queue) if (item.kind === 'audio') unsent += item.chunk.seconds;
    return {
      code,
      reason: cleanReason(reason),
      clean,
      timedOut,
      connections: this.connections,
      streamSeconds: this.streamSeconds,
      sentSeconds: this.totals.sentSeconds,
      replayedSeconds: this.totals.replayedSeconds,
      droppedSeconds: this.totals.droppedSeconds,
      unsentSeconds: unsent,
      keepAlivesSent: this.totals.keepAlives,
      parse: this.parseStats,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private toStreamTime(event: ListenEvent): ListenEvent {
    const clock = this.connClock;
    switch (event.kind) {
      case 'results': {
        if (!event.timed) {
          // No times from the server: the words were said before the audio we have sent so far.
          const at = clock.streamCursor;
          const untimed: ResultsEvent = { ...event, start: at, duration: 0, words: event.words.map((w) => ({ ...w, start: at, end: at })) };
          return untimed;
        }
        const start = clock.toStream(event.start);
        const end = clock.toStream(event.start + event.duration);
        return {
          ...event,
          start,
          duration: Math.max(0, end - start),
          words: event.words.map((w) => {
            const ws = clock.toStream(w.start);
            return { ...w, start: ws, end: Math.max(ws, clock.toStream(w.end)) };
          }),
        };
      }
      case 'utterance-end':
        return { ...event, lastWordEnd: clock.toStream(event.lastWordEnd) };
      case 'speech-started':
        return { ...event, timestamp: clock.toStream(event.timestamp) };
      case 'metadata':
        return event;
    }
  }

  private emitStatus(status: ListenStatus, detail: StatusDetail): void {
    this.opts.onStatus?.(status, detail);
  }

  private hostForMessages(): string {
    try {
      return new URL(this.opts.url).host || this.opts.url;
    } catch {
      return this.opts.url.slice(0, 100);
    }
  }

  private detach(ws: WebSocketLike): void {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // Not null: Node's ws throws an 'error' event nobody listens to (e.g. closed while connecting).
    ws.onerror = () => undefined;
  }

  /** Stops listening to a socket and closes it without waiting. */
  private abandon(ws: WebSocketLike, code = 1000, reason = ''): void {
    this.detach(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closed, or closing while still connecting: nothing left to do.
    }
  }

  private clearTimer(name: 'connectTimer' | 'backoffTimer' | 'houseTimer' | 'drainTimer' | 'closeTimer'): void {
    const handle = this[name];
    if (handle !== null) this.clock.clearTimeout(handle);
    this[name] = null;
  }

  private clearConnectionTimers(): void {
    this.clearTimer('connectTimer');
    this.clearTimer('houseTimer');
    this.clearTimer('drainTimer');
  }

  private clearAllTimers(): void {
    this.clearConnectionTimers();
    this.clearTimer('backoffTimer');
    this.clearTimer('closeTimer');
  }
}
