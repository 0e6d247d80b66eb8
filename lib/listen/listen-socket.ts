/**
 * The listen socket: one session's audio to a /v1/listen server, and its transcripts back. This
 * module is the connection state machine (connecting, open, waiting to reconnect, closing, closed);
 * each other job is a module it wires:
 *   listen-socket-api.ts its options and their defaults, statuses, the close summary
 *   connection.ts        one WebSocket (opened with the token, frames sent, let go) and what lives
 *                        and dies with it: its server clock and its housekeeping
 *   connection-clock.ts  one connection's server time as stream time
 *   housekeeping.ts      KeepAlive, the silence primer and the silent-server watchdog
 *   send-queue.ts        the audio waiting to go: pacing, the buffer cap, confirm by finals, replay
 *   deadlines.ts         its timers, by name, over an injected clock
 *   backoff.ts           when to try again, and when to give up on the first connection
 *   close-codes.ts       what a close or a refusal means, and whether retrying can help
 *
 * - Sends PCM as binary frames, never an empty one (an empty frame closes a Deepgram stream).
 * - Buffers audio (bounded) while connecting or reconnecting and sends it once open.
 * - `close()` flushes, sends `{"type":"CloseStream"}`, waits (bounded) for the last results and the
 *   server's close, then forces the close.
 * - Reconnects with backoff on unexpected closes; stops on refusals retrying cannot fix.
 *
 * Times: every event it emits is in *stream seconds*: seconds of audio handed to sendAudio() since
 * this socket was created. The server restarts at 0 on each connection and a reconnect replays the
 * audio the dead connection had not finalized (send-queue.ts); the socket undoes both, so the owner
 * maps stream seconds to meeting time with one timeline for the whole session and never resets it.
 */
import type { UserFacingError } from '../contract/messages';
import { t } from '../i18n';
import { Reconnects } from './backoff';
import { classifyClose, classifyHandshakeFailure, cleanReason, httpStatusFromError, upstreamGaveUp, type CloseVerdict } from './close-codes';
import { configureKeytermsText } from './configure';
import { Connection } from './connection';
import { Deadlines } from './deadlines';
import { withDefaults, type CloseSummary, type DialResult, type ListenSocketOptions, type ListenStatus, type ResolvedListenOptions, type StatusDetail } from './listen-socket-api';
import { withStreamOffset } from './listen-url';
import { MeetingSpanDeclarer } from './meeting-span';
import { createParseStats, parseServerMessage, type ParseStats } from './protocol';
import { parseRelayMessage } from './relay-protocol';
import { buildRelayUrl, RELAY_FINALIZE_SILENCE_SECONDS, RELAY_KEEPALIVE_SILENCE_SECONDS } from './server-kind';
import { SendQueue, type Outgoing } from './send-queue';

export { browserWebSocket, type WebSocketFactory, type WebSocketLike } from './connection';
export { systemClock, type Clock } from './deadlines';
export type { CloseSummary, ConnectionInfo, DialResult, ListenSocketOptions, ListenStatus, StatusDetail } from './listen-socket-api';

const KEEP_ALIVE = JSON.stringify({ type: 'KeepAlive' });
const FINALIZE = JSON.stringify({ type: 'Finalize' });
const CLOSE_STREAM = JSON.stringify({ type: 'CloseStream' });
const PRIME_SILENCE_SECONDS = 0.1;
/** Local close code for abandoning a server that stopped answering (4000-4999: application use). */
const CLOSE_UNRESPONSIVE = 4000;

type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'closing' | 'closed';
type Timer = 'connect' | 'backoff' | 'drain' | 'housekeeping' | 'close';
/** The timers that belong to one connection and end with it. */
const CONNECTION_TIMERS: readonly Timer[] = ['connect', 'housekeeping', 'drain'];

export class ListenSocket {
  readonly parseStats: ParseStats = createParseStats();

  private readonly opts: ResolvedListenOptions;
  private readonly speakerIds = new Map<string, number>();
  private readonly queue: SendQueue;
  private readonly timers: Deadlines<Timer>;
  /** Present when an archiving proxy is told each span's meeting time (meeting-span.ts). */
  private readonly spans: MeetingSpanDeclarer | null;
  /**
   * The URL said diarize=false: words keep no speaker. Deepgram then sends none, but a compatible
   * server may label every word anyway (WhisperLiveKit says speaker 1; testkit/upstream/compatible.ts).
   */
  private readonly speakersRefused: boolean;

  private phase: Phase = 'idle';
  /** The connection in use; events from any other are ignored. */
  private conn: Connection | null = null;
  private readonly reconnects: Reconnects;
  private connections = 0;
  private keepAlivesSent = 0;
  /** Counts dial() calls: an answer for an attempt that was given up (timeout, close) is ignored. */
  private dials = 0;

  private closeStreamSent = false;
  /**
   * Configures waiting for an open connection, in order. `request` is the number configureKeyterms
   * returned, or null for the socket's own resend of the confirmed terms.
   */
  private configuresUnsent: { request: number | null; text: string }[] = [];
  /**
   * The Configures sent on the current connection and not answered yet, oldest first: the server
   * answers each, in order, so an answer belongs to the first of them. Those of a connection that
   * dropped are sent again on the next.
   */
  private configuresInFlight: { request: number | null; text: string }[] = [];
  private lastConfigureRequest = 0;
  /**
   * The key terms the server last confirmed (ConfigureSuccess): a new connection starts from the
   * URL's, so they are sent again first thing on it.
   */
  private confirmedKeyterms: string[] | null = null;
  private closePromise: Promise<CloseSummary> | null = null;
  private resolveClose: ((summary: CloseSummary) => void) | null = null;

  constructor(options: ListenSocketOptions) {
    const opts = withDefaults(options);
    this.opts = opts;
    this.reconnects = new Reconnects(opts);
    this.timers = new Deadlines(opts.clock);
    this.queue = new SendQueue({ ...opts, now: () => opts.clock.now() });
    // A span declaration is a text frame, and only an archiving Captionist proxy reads it.
    this.spans = opts.meetingTimeOf === undefined || this.isRelay ? null : new MeetingSpanDeclarer(opts.meetingTimeOf);
    this.speakersRefused = URL.canParse(opts.url) && new URL(opts.url).searchParams.get('diarize') === 'false';
  }

  /** The server takes audio only (server-kind.ts): no text frame may go. */
  private get isRelay(): boolean {
    return this.opts.serverKind === 'relay';
  }

  /** Where the socket is: 'connecting' also covers waiting to reconnect and closing. */
  get status(): ListenStatus {
    if (this.phase === 'open' || (this.phase === 'closing' && this.conn?.opened)) return 'open';
    if (this.phase === 'closed' || this.phase === 'idle') return 'closed';
    return 'connecting';
  }

  /** Seconds of audio handed to sendAudio() so far: the stream clock events are expressed in. */
  get streamSeconds(): number {
    return this.queue.streamSeconds;
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
    this.queue.push(pcm);
    this.drain();
    return true;
  }

  /** Asks the server to finalize what it has (e.g. at a turn boundary); sent in order with the audio. */
  finalize(): boolean {
    if (this.phase === 'closed' || this.phase === 'closing') return false;
    this.queue.pushFinalize();
    this.drain();
    return true;
  }

  /**
   * Replaces the stream's key terms (Configure; the caller checked the limits, lib/listen/configure.ts).
   * Sent at once on an open connection, else when the next one opens, and again on a new
   * connection if the one it went on dropped before answering. Returns the request's number, which
   * the server's answer carries as `request` in its event; null after close(), and on a relay,
   * which takes no text frame.
   */
  configureKeyterms(keyterms: readonly string[]): number | null {
    if (this.phase === 'closed' || this.phase === 'closing' || this.isRelay) return null;
    this.lastConfigureRequest += 1;
    this.configuresUnsent.push({ request: this.lastConfigureRequest, text: configureKeytermsText(keyterms) });
    this.sendConfigures();
    return this.lastConfigureRequest;
  }

  /** CloseStream, bounded wait for the server's last results and close, then a forced close. */
  close(): Promise<CloseSummary> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = new Promise<CloseSummary>((resolve) => {
      this.resolveClose = resolve;
    });
    const previous = this.phase;
    this.phase = 'closing';
    if (previous === 'closed' || previous === 'idle') {
      this.finish(null, '', false, false);
      return this.closePromise;
    }
    // The backlog still goes paced (a flood would be cut off by the proxy's rate limit and its
    // words lost), so the bound grows by the time that takes.
    this.timers.set('close', this.opts.closeTimeoutMs + this.queue.pacedFlushMs(), () => this.forceClose());
    if (previous === 'open') {
      this.drain(); // the queue, paced, then CloseStream
    } else if (previous === 'waiting') {
      this.timers.cancel('backoff');
      // Buffered audio deserves one more try within the bound; otherwise there is nothing to close.
      if (this.queue.hasAudio) this.openConnection();
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
    this.emitStatus('connecting', this.detail(index, {}));
    // An archiving proxy needs each connection's stream offset (listen-url.ts withStreamOffset).
    // A relay takes the token on the URL and selects no subprotocol (offering one fails the handshake).
    const url = this.isRelay ? buildRelayUrl(this.opts.url, this.opts.token) : withStreamOffset(this.opts.url, this.queue.nextOrigin());
    // Direct mode's dial asks the proxy for a Deepgram token first; a relay is never dialled that way.
    const dial = this.isRelay ? undefined : this.opts.dial;
    if (dial === undefined) {
      this.startConnection(index, url);
      return;
    }
    // The dial and the handshake share the connect timeout; a late answer belongs to no attempt.
    const attempt = ++this.dials;
    this.timers.set('connect', this.opts.connectTimeoutMs, () => {
      if (this.dials !== attempt || this.conn !== null) return;
      this.dials += 1;
      this.handleHandshakeFailure(null);
    });
    const answered = (result: DialResult) => {
      if (this.dials !== attempt || this.phase === 'closed') return;
      if (result === null) {
        this.startConnection(index, url);
      } else if ('error' in result) {
        this.timers.cancel('connect');
        this.handleDialFailure(result.error, result.retry);
      } else {
        this.startConnection(index, result.url, result.protocols);
      }
    };
    dial().then(answered, (error: unknown) =>
      answered({ error: { code: 'internal', message: error instanceof Error ? error.message : String(error) }, retry: true }),
    );
  }

  private startConnection(index: number, url: string, protocols?: string[]): void {
    const conn = Connection.open(
      this.opts.createWebSocket,
      url,
      this.isRelay ? '' : this.opts.token,
      {
        onOpen: () => {
          if (this.conn === conn) this.handleOpen(conn, index);
        },
        onMessage: (data) => {
          if (this.conn === conn) this.handleMessage(conn, data);
        },
        onClose: (code, reason) => {
          if (this.conn === conn) this.handleClose(code, reason);
        },
      },
      protocols,
    );
    if (!(conn instanceof Connection)) {
      this.fail(conn);
      return;
    }
    this.conn = conn;
    this.timers.set('connect', this.opts.connectTimeoutMs, () => {
      if (this.conn !== conn || conn.opened) return;
      conn.abandon();
      this.handleHandshakeFailure(null);
    });
  }

  /** dial() said this attempt cannot be made: like a refused handshake, retried only when it may help. */
  private handleDialFailure(error: UserFacingError, retry: boolean): void {
    if (this.phase === 'closing') {
      this.finish(null, error.message, false, false);
      return;
    }
    if (retry && this.reconnects.handshakeFailed()) this.retryOrFail({ retry: true, immediate: false, error });
    else this.fail(error);
  }

  private handleOpen(conn: Connection, index: number): void {
    this.timers.cancel('connect');
    this.reconnects.opened();
    // Server time 0 on this connection is the first audio waiting to go (a replay first).
    const origin = this.queue.nextOrigin();
    conn.began(origin, this.opts, this.opts.clock.now());
    this.queue.connectionOpened(origin);
    this.spans?.connectionOpened();
    this.opts.onConnection?.(index, {
      streamOffsetSeconds: origin,
      backlogSeconds: this.queue.backlogSeconds,
      protocol: conn.protocol,
    });
    if (this.phase !== 'closing') {
      this.phase = 'open';
      this.emitStatus('open', this.detail(index, {}));
    }
    // A new connection starts from the URL's key terms: the confirmed ones first, then whatever
    // the last connection took without answering, then what waited for this one.
    const resend = this.confirmedKeyterms === null ? [] : [{ request: null, text: configureKeytermsText(this.confirmedKeyterms) }];
    this.configuresUnsent = [...resend, ...this.configuresInFlight.filter((sent) => sent.request !== null), ...this.configuresUnsent];
    this.configuresInFlight = [];
    this.sendConfigures();
    this.drain();
    this.scheduleHousekeeping();
  }

  private handleMessage(conn: Connection, data: unknown): void {
    conn.house?.heardFromServer();
    this.reconnects.healthy();
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      this.parseStats.ignored['not-utf8'] += 1;
      return;
    }
    const parse = this.isRelay ? parseRelayMessage : parseServerMessage;
    const result = parse(data, { stats: this.parseStats, speakerIds: this.speakerIds });
    if (!result.ok) return;
    let event = conn.clock.toStreamEvent(result.event);
    if (event.kind === 'configure-success' || event.kind === 'configure-failure') {
      // An answer from a connection already given up on belongs to nothing still waiting.
      const answered = conn === this.conn ? this.configuresInFlight.shift() : undefined;
      event = { ...event, request: answered?.request ?? null };
    }
    if (event.kind === 'configure-success' && event.keyterms !== null) this.confirmedKeyterms = event.keyterms;
    if (event.kind === 'results' && this.speakersRefused && event.words.some((word) => word.speaker !== null)) {
      event = { ...event, words: event.words.map((word) => ({ ...word, speaker: null })) };
    }
    if (event.kind === 'results' && event.isFinal) this.queue.confirmUpTo(conn.clock.finalReach(event));
    this.opts.onEvent?.(event);
  }

  private handleClose(code: number, reason: string): void {
    const conn = this.conn;
    this.conn = null;
    this.timers.cancel(...CONNECTION_TIMERS);
    if (this.phase === 'closing') {
      this.finish(code, reason, this.closeStreamSent && code === 1000, false);
      return;
    }
    if (!conn?.opened) {
      this.handleHandshakeFailure(httpStatusFromError(conn?.lastError ?? null));
      return;
    }
    if (conn.house?.wasHealthy(this.opts.clock.now())) this.reconnects.healthy();
    this.retryOrFail(classifyClose(code, reason), code, reason);
  }

  private handleHandshakeFailure(httpStatus: number | null): void {
    this.conn = null;
    this.timers.cancel(...CONNECTION_TIMERS);
    const verdict = classifyHandshakeFailure(this.hostForMessages(), httpStatus);
    if (this.phase === 'closing') {
      this.finish(null, verdict.error.message, false, false);
      return;
    }
    if (this.reconnects.handshakeFailed()) this.retryOrFail(verdict);
    else this.fail(verdict.error);
  }

  private retryOrFail(verdict: CloseVerdict, code?: number, reason?: string): void {
    if (!verdict.retry || !this.opts.reconnect) {
      this.fail(verdict.error, code, reason);
      return;
    }
    if (verdict.party === 'upstream') {
      // A working proxy whose speech service is down: retried with backoff, for a bounded time.
      const upstream = this.reconnects.upstreamFailed(this.opts.clock.now());
      if (!upstream.retry) {
        this.fail(upstreamGaveUp(code ?? 1011, reason ?? '', Math.round(upstream.failingForMs / 1000)), code, reason);
        return;
      }
    }
    this.queue.connectionLost();
    const delay = this.reconnects.next(verdict.immediate);
    this.phase = 'waiting';
    this.emitStatus('connecting', this.detail(this.connections, { retryInMs: delay, error: verdict.error }, code, reason));
    this.timers.set('backoff', delay, () => {
      if (this.phase === 'waiting') this.openConnection();
    });
  }

  private fail(error: UserFacingError, code?: number, reason?: string): void {
    if (this.phase === 'closed') return;
    this.timers.cancelAll();
    this.conn?.abandon();
    this.conn = null;
    this.phase = 'closed';
    this.opts.onError?.(error);
    this.emitStatus('closed', this.detail(Math.max(0, this.connections - 1), { error }, code, reason));
    this.resolveClose?.(this.summary(code ?? null, reason ?? '', false, false));
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  private drain(): void {
    this.timers.cancel('drain');
    const conn = this.conn;
    if (!conn?.opened || !conn.isOpen || this.closeStreamSent) return;
    if (this.phase !== 'open' && this.phase !== 'closing') return;
    const result = this.queue.flush({ congested: () => conn.congested, send: (item) => this.sendItem(conn, item) });
    if (result.state === 'wait') {
      this.timers.set('drain', result.ms, () => this.drain());
    } else if (result.state === 'empty' && this.phase === 'closing') {
      if (this.isRelay) {
        this.closeRelay(conn);
        return;
      }
      // CloseStream follows the last of the audio.
      this.closeStreamSent = conn.sendText(CLOSE_STREAM, this.opts.clock.now());
    }
  }

  private sendConfigures(): void {
    const conn = this.conn;
    if (this.phase !== 'open' || !conn?.opened || !conn.isOpen) return;
    for (let next = this.configuresUnsent[0]; next !== undefined; next = this.configuresUnsent[0]) {
      if (!conn.sendText(next.text, this.opts.clock.now())) return;
      this.configuresInFlight.push(next);
      this.configuresUnsent.shift();
    }
  }

  private sendItem(conn: Connection, item: Outgoing): boolean {
    const now = this.opts.clock.now();
    if (item.kind === 'finalize') {
      // A relay drops the connection at a text frame: a pause it can hear ends the utterance instead.
      if (this.isRelay) return conn.sendSilenceFrame(RELAY_FINALIZE_SILENCE_SECONDS, this.opts.bytesPerSecond, now);
      return conn.sendText(FINALIZE, now);
    }
    // A span's meeting start goes before its audio, on the same connection, so the proxy reads it first.
    const span = this.spans?.before(item.chunk.streamStart, item.chunk.seconds) ?? null;
    if (span !== null && !conn.sendText(span, now)) return false;
    return conn.sendAudio(item.chunk, now);
  }

  // -------------------------------------------------------------------------------------------
  // KeepAlive, the silent-server watchdog and the first-audio primer share one timer.

  private scheduleHousekeeping(): void {
    this.timers.cancel('housekeeping');
    const house = this.conn?.house;
    if (this.phase !== 'open' || !house) return;
    const delay = Math.max(1, house.nextAt() - this.opts.clock.now());
    this.timers.set('housekeeping', delay, () => this.housekeeping());
  }

  private housekeeping(): void {
    const conn = this.conn;
    const house = conn?.house;
    if (this.phase !== 'open' || !conn || !house) return;
    const now = this.opts.clock.now();
    if (house.serverSilent(now)) {
      this.conn = null;
      this.timers.cancel(...CONNECTION_TIMERS);
      conn.abandon(CLOSE_UNRESPONSIVE, 'no response');
      const seconds = Math.round(this.opts.serverSilenceTimeoutMs / 1000);
      const message = t('listenStalled', seconds);
      this.retryOrFail({ retry: true, immediate: true, error: { code: 'proxy-closed', message } });
      return;
    }
    if (house.primeDue(now) && this.queue.isEmpty) conn.sendPrimer(PRIME_SILENCE_SECONDS, this.opts.bytesPerSecond, now);
    if (house.keepAliveDue(now) && this.queue.isEmpty && this.sendKeepAlive(conn, now)) this.keepAlivesSent += 1;
    this.scheduleHousekeeping();
  }

  /** KeepAlive, or for a relay (which passes only audio upstream) a little silence; see server-kind.ts for how much and why. */
  private sendKeepAlive(conn: Connection, now: number): boolean {
    if (this.isRelay) return conn.sendSilenceFrame(RELAY_KEEPALIVE_SILENCE_SECONDS, this.opts.bytesPerSecond, now);
    return conn.sendText(KEEP_ALIVE, now);
  }

  // -------------------------------------------------------------------------------------------
  // Closing

  /**
   * A relay knows no CloseStream and never closes first: after the last audio, a pause it can hear
   * (so its upstream finalizes the last words), a bounded wait for those results, then our close.
   */
  private closeRelay(conn: Connection): void {
    conn.sendSilenceFrame(RELAY_FINALIZE_SILENCE_SECONDS, this.opts.bytesPerSecond, this.opts.clock.now());
    this.closeStreamSent = true;
    this.timers.set('close', this.opts.relayCloseGraceMs, () => {
      if (this.phase !== 'closing') return;
      this.conn?.abandon(1000, 'client closing');
      this.conn = null;
      this.finish(1000, '', false, false);
    });
  }

  private forceClose(): void {
    if (this.phase !== 'closing') return;
    this.conn?.abandon(1000, 'client closing');
    this.conn = null;
    this.finish(null, '', false, true);
  }

  private finish(code: number | null, reason: string, clean: boolean, timedOut: boolean): void {
    if (this.phase === 'closed') return;
    this.timers.cancelAll();
    this.phase = 'closed';
    const summary = this.summary(code, reason, clean, timedOut);
    this.emitStatus('closed', this.detail(Math.max(0, this.connections - 1), {}, code ?? undefined, reason));
    this.resolveClose?.(summary);
  }

  /** The close statistics: the queue's audio accounting, and what the socket itself counted. */
  private summary(code: number | null, reason: string, clean: boolean, timedOut: boolean): CloseSummary {
    return {
      code,
      reason: cleanReason(reason),
      clean,
      timedOut,
      connections: this.connections,
      ...this.queue.stats(),
      keepAlivesSent: this.keepAlivesSent,
      parse: this.parseStats,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private detail(connection: number, extra: Partial<StatusDetail>, code?: number, reason?: string): StatusDetail {
    const detail: StatusDetail = { connection, attempt: this.reconnects.attempt, ...extra };
    if (code !== undefined) detail.code = code;
    if (reason) detail.reason = cleanReason(reason);
    return detail;
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
}
