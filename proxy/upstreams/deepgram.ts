/**
 * Relays one client stream to Deepgram's /v1/listen (or any server that speaks it). Audio frames
 * and server messages pass through untouched (no parsing, no re-encoding); only the handshake and
 * the close are interpreted, so the client gets a reason it can show a person.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { isLoopbackHost } from '../config';
import { createRedactor } from '../redact';
import { closeReason, type ControlType, type OpenFailure, type Upstream, type UpstreamContext, type UpstreamFactory } from './upstream';

export interface DeepgramUpstreamOptions {
  url: string;
  /** Absent: no Authorization header (a self-hosted compatible server that asks for none). */
  apiKey: string | undefined;
  /** How long the upstream handshake may take before the client is told it is unreachable. */
  connectTimeoutMs?: number;
  /** Audio and messages kept while the upstream handshake is in flight. */
  maxPendingBytes?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
/** If Deepgram cannot take our audio as fast as it arrives, something is wrong upstream. */
const MAX_UPSTREAM_BUFFERED_BYTES = 8 * 1024 * 1024;
const ERROR_BODY_LIMIT = 4096;

/** Builds the upstream URL: the configured one plus the client's allowlisted parameters. */
export function upstreamUrl(base: string, query: URLSearchParams): string {
  const url = new URL(base);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url.toString();
}

/** Pulls Deepgram's human message out of any of its three error body shapes. */
function errorDetail(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      for (const key of ['err_msg', 'message', 'reason']) {
        const value = record[key];
        if (typeof value === 'string' && value.trim() !== '') return value.trim();
      }
    }
  } catch {
    // Plain-text body.
  }
  const text = body.trim();
  return text === '' ? undefined : text.slice(0, 200);
}

/** A refused handshake, said so the extension can show it: 1011 when retrying later may help, 1008 otherwise. */
export function handshakeFailure(status: number, body: string): { code: number; reason: string } {
  const detail = errorDetail(body);
  const withDetail = (text: string) => closeReason(detail === undefined ? text : `${text}: ${detail}`);
  if (status >= 500) return { code: 1011, reason: `upstream unavailable (${status}), try again later` };
  switch (status) {
    case 400:
      return { code: 1008, reason: withDetail('upstream refused the parameters (400)') };
    case 401:
      return { code: 1008, reason: 'upstream rejected the key (401)' };
    case 402:
      return { code: 1008, reason: 'upstream account is out of credit (402)' };
    case 403:
      return { code: 1008, reason: withDetail('upstream refused access (403)') };
    case 429:
      return { code: 1008, reason: 'upstream has too many streams open (429), try again later' };
    default:
      return { code: 1008, reason: withDetail(`upstream refused the stream (${status})`) };
  }
}

/** A refused handshake another engine may not share (402, 429, 5xx), else undefined. */
export function refusalFailure(status: number): OpenFailure | undefined {
  if (status >= 500 && status <= 599) return { reason: 'server_error', status };
  if (status === 402) return { reason: 'out_of_credit', status };
  if (status === 429) return { reason: 'concurrency', status };
  return undefined;
}

/** Codes 1005/1006/1015 describe a close but may not be sent; the client still deserves one it can act on. */
export function relayableClose(code: number, reason: string): { code: number; reason: string } {
  if (code === 1005) return { code: 1000, reason: '' };
  if (code === 1006) return { code: 1011, reason: 'upstream connection lost' };
  const sendable = (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
  if (!sendable) return { code: 1011, reason: closeReason(`upstream closed with code ${code}${reason ? `: ${reason}` : ''}`) };
  return { code, reason: closeReason(reason) };
}

/**
 * Client-to-server masking exists so script in a browser cannot craft bytes that an intermediary
 * reading plain HTTP would misparse. Over TLS or loopback no such intermediary can read the frames,
 * and a zero mask lets ws send each audio frame without copying it.
 */
export function maskingIsPointless(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'wss:' || isLoopbackHost(parsed.hostname);
}

const zeroMask = (mask: Buffer): void => {
  mask.fill(0);
};

/** Send options made once: ws.send is called for every audio frame. */
const AS_BINARY = { binary: true } as const;
const AS_TEXT = { binary: false } as const;

export function createDeepgramUpstream(options: DeepgramUpstreamOptions): UpstreamFactory {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;

  const unmasked = maskingIsPointless(options.url);
  // Everything upstream-derived that reaches a client or a log goes through it (proxy/redact.ts).
  const redact = createRedactor(options.apiKey);

  return ({ params, events, logger }: UpstreamContext): Upstream => {
    const startedAt = Date.now();
    const socket = new WebSocket(upstreamUrl(options.url, params.query), {
      headers: options.apiKey === undefined ? {} : { Authorization: `Token ${options.apiKey}` },
      perMessageDeflate: false,
      handshakeTimeout: connectTimeoutMs,
      maxPayload: 16 * 1024 * 1024,
      ...(unmasked ? { generateMask: zeroMask } : {}),
    });
    const pending: { data: Buffer | string; binary: boolean }[] = [];
    let pendingBytes = 0;
    let finished = false;
    let opened = false;

    /** Stops using the socket: no more events, and it is closed (or cut) whatever state it is in. */
    const release = () => {
      finished = true;
      pending.length = 0;
      if (socket.readyState === WebSocket.CONNECTING) {
        socket.terminate();
      } else if (socket.readyState === WebSocket.OPEN) {
        socket.close(1000);
        // A peer that never answers the close must not keep the socket forever.
        setTimeout(() => socket.terminate(), 2000).unref();
      }
    };

    const finish = (code: number, reason: string, failure?: OpenFailure) => {
      if (finished) return;
      release();
      events.closed(code, reason, failure);
    };

    const send = (data: Buffer | string, binary: boolean) => {
      if (finished) return;
      if (socket.readyState === WebSocket.OPEN) {
        if (socket.bufferedAmount > MAX_UPSTREAM_BUFFERED_BYTES) {
          finish(1011, 'upstream is not keeping up with the audio');
          return;
        }
        socket.send(data, binary ? AS_BINARY : AS_TEXT);
        return;
      }
      pendingBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (pendingBytes > maxPendingBytes) {
        finish(1011, 'upstream did not open in time and the audio buffer is full');
        return;
      }
      pending.push({ data, binary });
    };

    socket.on('open', () => {
      if (finished) return;
      opened = true;
      logger.debug({ connectMs: Date.now() - startedAt }, 'upstream open');
      for (const item of pending) socket.send(item.data, item.binary ? AS_BINARY : AS_TEXT);
      pending.length = 0;
      pendingBytes = 0;
      events.opened();
    });

    socket.on('message', (data: Buffer, isBinary: boolean) => {
      // Deepgram sends only JSON text; a binary frame would be a protocol surprise, not a transcript.
      if (finished || isBinary) return;
      // Messages stay untouched bytes: only a search for the key, which Deepgram never sends but an
      // intermediary echoing the request could, and then it would reach every client. Buffer.indexOf
      // of a 40-byte key in a 1.6 KB Results costs about 1 µs on the development VM, against the
      // 24-25 µs of CPU the proxy spends relaying a message (proxy/README.md, Bench): about 4 %,
      // kept for a leak that would be total. "Token"/"Bearer" are not looked for here: a transcript
      // may say "bearer" before any word.
      events.message(redact.message(data));
    });

    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        // Redacted whole, before any cut, so no piece of a credential survives a truncation.
        const status = response.statusCode ?? 0;
        const failure = handshakeFailure(status, redact.text(Buffer.concat(chunks).toString('utf8')));
        const upstreamRequestId = response.headers['dg-request-id'];
        logger.warn(
          { status: response.statusCode, upstreamRequestId: typeof upstreamRequestId === 'string' ? redact.text(upstreamRequestId).slice(0, 100) : undefined },
          'upstream refused the handshake',
        );
        finish(failure.code, failure.reason, refusalFailure(status));
      };
      response.on('data', (chunk: Buffer) => {
        if (size < ERROR_BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', done);
      response.on('error', done);
      setTimeout(done, 2000).unref();
    });

    socket.on('error', (error: Error & { code?: string }) => {
      if (finished) return;
      if (!opened) {
        logger.warn({ err: redact.text(error.message) }, 'upstream unreachable');
        // ws says "Opening handshake has timed out" when handshakeTimeout passes.
        const timedOut = error.message.includes('timed out');
        const detail = error.code ?? (timedOut ? 'timed out' : 'connection failed');
        finish(1011, closeReason(`upstream unreachable (${detail})`), { reason: timedOut ? 'timeout' : 'unreachable' });
      } else {
        logger.warn({ err: redact.text(error.message) }, 'upstream socket error');
      }
    });

    socket.on('close', (code: number, reason: Buffer) => {
      if (finished) return;
      const relay = relayableClose(code, redact.text(reason.toString('utf8')));
      finish(relay.code, relay.reason);
    });

    return {
      sendAudio(chunk) {
        send(chunk, true);
      },
      sendControl(_type: ControlType, text: string) {
        send(text, false);
      },
      destroy() {
        if (!finished) release();
      },
    };
  };
}
