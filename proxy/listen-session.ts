/**
 * One client stream: the client's socket on one side, an upstream on the other. It enforces the
 * per-stream limits, relays audio and control messages up and server messages down, and makes sure
 * both sides end together on every path (client gone, upstream closed, limit, shutdown).
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { ProxyLimits } from './config';
import { MEETING_SPAN_TYPE } from '../lib/listen/meeting-span';
import { CLOSE_STREAM_TEXT, readControlMessage } from './control-messages';
import { bytesPerSecond, type ListenParams } from './listen-params';
import { TokenBucket } from './token-bucket';
import { closeReason, type ControlType, type Upstream, type UpstreamFactory } from './upstreams/upstream';

/** Text messages are small control messages; a client sending more than this is misbehaving. */
const TEXT_MESSAGES_PER_SECOND = 20;
const TEXT_MESSAGE_BURST = 100;
/** Made once: every server message is relayed with it. */
const AS_TEXT = { binary: false } as const;
/** After a client's CloseStream, how long the upstream may take to send its last results. */
const CLOSE_STREAM_WAIT_MS = 15_000;
/** How long a client gets to answer our close frame before its socket is cut. */
const CLIENT_CLOSE_WAIT_MS = 3000;

export const SHUTDOWN_REASON = 'proxy shutting down, reconnect';
/** At the session limit the upstream gets this long to send the results of the audio it has. */
const SESSION_LIMIT_DRAIN_MS = 2000;
/**
 * A client that stops reading: past the soft bound (a quarter of the hard one) interim results,
 * which the next message restates anyway, are dropped; past the hard bound the stream is closed.
 */
const SOFT_BUFFER_SHARE = 0.25;
/** Deepgram writes `"is_final":false`; the pattern also allows the spaces other servers may put in. */
const INTERIM_PATTERN = /"is_final"\s*:\s*false/;
/** An upstream that throws while being set up (a bad key, a bug) ends its own stream only. */
export const UPSTREAM_SETUP_REASON = 'the proxy could not start the upstream for this stream';
/** An upstream that is not there: what a session holds when its factory threw. */
const NO_UPSTREAM: Upstream = { sendAudio() {}, sendControl() {}, destroy() {} };

/**
 * The session limit closes with 1001 (going away), which the extension retries at once
 * (lib/listen/close-codes.ts classifyClose), replaying the audio no final covered
 * (lib/listen/listen-socket.ts): captions go on across the limit. 1008 would stop them for good,
 * and 1012 (service restart) would say the proxy restarts when only this one stream ends; 1001 is
 * also what the proxy's graceful stop sends, with the same "connect again" meaning.
 */
export function sessionLimitReason(maxSessionMs: number): string {
  const hours = maxSessionMs / 3_600_000;
  const limit = hours >= 1 ? `${Math.round(hours * 10) / 10} h` : `${Math.round(maxSessionMs / 1000)} s`;
  return `the stream reached this proxy's ${limit} session limit, reconnect to go on`;
}

/** Deepgram's NET-0001 rule, in the proxy's words. */
export function idleReason(idleTimeoutMs: number): string {
  return `NET-0001 no audio or text message received within the ${Math.round(idleTimeoutMs / 1000)} s timeout window`;
}

export interface SessionObserver {
  upstreamOpened?(connectMs: number): void;
  bytesIn?(bytes: number): void;
  bytesOut?(bytes: number): void;
  /** Audio bytes relayed upstream (what a daily audio quota counts). */
  audioRelayed?(bytes: number): void;
  /** A stream ended by the proxy or the upstream for a reason worth counting. */
  error?(kind: string): void;
  ended?(): void;
}

export interface ListenSessionOptions {
  requestId: string;
  client: WebSocket;
  params: ListenParams;
  limits: ProxyLimits;
  createUpstream: UpstreamFactory;
  /** The local engine is the "server" here, so the proxy's idle rule is the NET-0001 rule itself;
   * in front of Deepgram the proxy waits a little longer so Deepgram's own close arrives first. */
  idleTimeoutMs: number;
  logger: Logger;
  observer?: SessionObserver;
  /** The archive's view of the stream (proxy/archive/archive.ts); absent when it is not archived. */
  tap?: StreamTap;
}

/** What the archive sees of one stream. Both calls are on the relay path, so they must be cheap. */
export interface StreamTap {
  /** Every upstream message, before it is relayed; `audioBytes`: audio relayed upstream so far. */
  message(message: string | Buffer, audioBytes: number): void;
  /** The client's declaration (lib/listen/meeting-span.ts) that the audio after `audioBytes` starts at `meetingStart`. */
  meetingSpan(meetingStart: number, audioBytes: number): void;
}

export class ListenSession {
  readonly done: Promise<void>;
  private readonly client: WebSocket;
  private readonly upstream: Upstream;
  private readonly logger: Logger;
  private readonly observer: SessionObserver;
  private readonly audioBucket: TokenBucket;
  private readonly textBucket: TokenBucket;
  private readonly startedAt = Date.now();
  private lastActivity = Date.now();
  private upstreamStartedAt = Date.now();
  private closeStreamSent = false;
  private closeStreamAt: number | undefined;
  private draining = false;
  private drainReason = SHUTDOWN_REASON;
  private droppingInterims = false;
  /** Audio relayed upstream: the upstream's clock, in bytes, for the archive's span map. */
  private audioBytes = 0;
  private ending = false;
  private resolveDone: () => void = () => {};
  private clientCloseTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenSessionOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.observer = options.observer ?? {};
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    const { limits } = options;
    const rate = bytesPerSecond(options.params.format);
    this.audioBucket = new TokenBucket(
      rate * limits.audioRateFactor,
      Math.max(rate * limits.audioBurstSeconds, limits.maxMessageBytes),
      this.startedAt,
    );
    this.textBucket = new TokenBucket(TEXT_MESSAGES_PER_SECOND, TEXT_MESSAGE_BURST, this.startedAt);

    this.client.on('message', (data: Buffer, isBinary: boolean) => this.onClientMessage(data, isBinary));
    this.client.on('close', (code: number) => this.onClientClosed(code));
    this.client.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket itself (1009 for an oversized message, 1002 for a protocol error).
      this.observer.error?.(error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message_too_big' : 'client_protocol');
      this.logger.info({ err: error.message, code: error.code }, 'client socket error');
    });

    this.upstreamStartedAt = Date.now();
    let upstream: Upstream;
    try {
      upstream = options.createUpstream({
        requestId: options.requestId,
        params: options.params,
        logger: this.logger,
        events: {
          opened: () => this.observer.upstreamOpened?.(Date.now() - this.upstreamStartedAt),
          message: (text) => this.relayDown(text),
          closed: (code, reason) => this.onUpstreamClosed(code, reason),
        },
      });
    } catch (error) {
      // The error's message only (e.g. ERR_INVALID_CHAR names the header, not its value).
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'upstream setup failed');
      this.observer.error?.('upstream_setup');
      this.upstream = NO_UPSTREAM;
      this.end(1011, UPSTREAM_SETUP_REASON);
      return;
    }
    this.upstream = upstream;
  }

  /** Called about every quarter second by the server: idle and maximum-length rules. */
  checkTimers(now: number): void {
    // Draining has its own bound (drainTimer).
    if (this.ending || this.draining) return;
    if (this.closeStreamAt !== undefined) {
      // After CloseStream the client rightly sends nothing: the idle rule no longer applies, but
      // the upstream's last results must not be waited for forever.
      if (now - this.closeStreamAt >= CLOSE_STREAM_WAIT_MS) {
        this.observer.error?.('close_stream_timeout');
        this.end(1011, `the upstream did not finish within ${CLOSE_STREAM_WAIT_MS / 1000} s of CloseStream`);
      }
    } else if (now - this.lastActivity >= this.options.idleTimeoutMs) {
      this.observer.error?.('idle');
      this.end(1011, idleReason(this.options.idleTimeoutMs));
    } else if (now - this.startedAt >= this.options.limits.maxSessionMs) {
      this.observer.error?.('session_too_long');
      this.drain(sessionLimitReason(this.options.limits.maxSessionMs), SESSION_LIMIT_DRAIN_MS);
    }
  }

  /**
   * Graceful stop: ask the upstream to finish (CloseStream), let its last results through, then close
   * the client with 1001 so it reconnects elsewhere. Bounded by `graceMs`.
   */
  shutdown(graceMs: number): Promise<void> {
    this.drain(SHUTDOWN_REASON, graceMs);
    return this.done;
  }

  /**
   * A shared limit ran out mid-stream (the token's daily audio): the stream ends as at the session
   * limit, its last results delivered, closed 1001 with `reason`; the extension's reconnect then
   * meets the 429 that names the limit and when it resets.
   */
  limitReached(reason: string): void {
    this.drain(reason, SESSION_LIMIT_DRAIN_MS);
  }

  /**
   * CloseStream to the upstream, its last results to the client, then close 1001 with `reason`.
   * Audio arriving meanwhile is not relayed; no final covers it, so the client sends it again on
   * its next connection.
   */
  private drain(reason: string, graceMs: number): void {
    if (this.ending || this.draining) return;
    this.draining = true;
    this.drainReason = reason;
    if (!this.closeStreamSent) {
      this.closeStreamSent = true;
      this.upstream.sendControl('CloseStream', CLOSE_STREAM_TEXT);
    }
    this.drainTimer = setTimeout(() => this.end(1001, reason), graceMs);
  }

  private onClientMessage(data: Buffer, isBinary: boolean): void {
    if (this.ending) return;
    const now = Date.now();
    this.lastActivity = now;
    this.observer.bytesIn?.(data.length);
    if (isBinary) {
      // Deepgram's legacy rule: an empty binary frame means "close the stream".
      if (data.length === 0) {
        this.sendControl('CloseStream', CLOSE_STREAM_TEXT);
        return;
      }
      if (!this.audioBucket.take(data.length, now)) {
        this.observer.error?.('audio_rate');
        this.end(1008, `audio is arriving faster than ${this.options.limits.audioRateFactor}x real time; pace it to real time`);
        return;
      }
      if (this.closeStreamSent) return;
      this.observer.audioRelayed?.(data.length);
      this.audioBytes += data.length;
      this.upstream.sendAudio(data);
      return;
    }
    if (!this.textBucket.take(1, now)) {
      this.observer.error?.('text_rate');
      this.end(1008, `too many text messages (over ${TEXT_MESSAGES_PER_SECOND} a second)`);
      return;
    }
    const control = readControlMessage(data);
    if (!control.ok) {
      this.observer.error?.('bad_message');
      this.end(1008, control.reason);
      return;
    }
    // The proxy's own message: read by the archive, never sent upstream.
    if (control.type === MEETING_SPAN_TYPE) {
      this.options.tap?.meetingSpan(control.meetingStart, this.audioBytes);
      return;
    }
    this.sendControl(control.type, control.text);
  }

  private sendControl(type: ControlType, text: string): void {
    if (this.closeStreamSent) return;
    if (type === 'CloseStream') {
      this.closeStreamSent = true;
      this.closeStreamAt = Date.now();
    }
    this.upstream.sendControl(type, text);
  }

  private relayDown(text: string | Buffer): void {
    // Before the client checks: a final is archived even when its client has gone.
    this.options.tap?.message(text, this.audioBytes);
    if (this.client.readyState !== WebSocket.OPEN) return;
    const buffered = this.client.bufferedAmount;
    if (buffered > this.options.limits.maxClientBufferBytes * SOFT_BUFFER_SHARE) {
      if (buffered > this.options.limits.maxClientBufferBytes) {
        this.observer.error?.('client_not_reading');
        this.end(1011, `the client is not reading: over ${Math.round(this.options.limits.maxClientBufferBytes / 1024)} KiB of results were waiting for it`);
        return;
      }
      // Only reached while the client is behind, so the fast path never reads the message.
      if (INTERIM_PATTERN.test(typeof text === 'string' ? text : text.toString('utf8'))) {
        if (!this.droppingInterims) {
          this.droppingInterims = true;
          this.observer.error?.('client_slow_interims_dropped');
          this.logger.info({ buffered }, 'client is reading slowly: dropping interim results');
        }
        return;
      }
    }
    this.observer.bytesOut?.(typeof text === 'string' ? Buffer.byteLength(text) : text.length);
    this.client.send(text, AS_TEXT);
  }

  private onUpstreamClosed(code: number, reason: string): void {
    if (this.draining) {
      this.end(1001, this.drainReason, false);
      return;
    }
    if (code !== 1000) this.observer.error?.(code === 1011 ? 'upstream_1011' : code === 1008 ? 'upstream_1008' : `upstream_${code}`);
    this.end(code, reason, false);
  }

  /** Ends the stream once: closes the client with `code`, and the upstream unless it is already gone. */
  private end(code: number, reason: string, destroyUpstream = true): void {
    if (this.ending) return;
    this.ending = true;
    clearTimeout(this.drainTimer);
    if (destroyUpstream) this.upstream.destroy();
    this.logger.info({ code, reason, seconds: (Date.now() - this.startedAt) / 1000 }, 'stream closing');
    if (this.client.readyState === WebSocket.OPEN) {
      this.client.close(code, closeReason(reason));
      this.clientCloseTimer = setTimeout(() => this.client.terminate(), CLIENT_CLOSE_WAIT_MS);
    } else if (this.client.readyState !== WebSocket.CLOSED) {
      this.client.terminate();
    }
  }

  private onClientClosed(code: number): void {
    clearTimeout(this.clientCloseTimer);
    clearTimeout(this.drainTimer);
    if (!this.ending) {
      this.ending = true;
      this.logger.info({ code, seconds: (Date.now() - this.startedAt) / 1000 }, 'client closed the stream');
    }
    this.upstream.destroy();
    this.observer.ended?.();
    this.resolveDone();
  }
}
