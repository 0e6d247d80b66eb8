/**
 * What a listen session needs from whatever transcribes its audio: Deepgram (or a compatible
 * server) over a WebSocket, or the local pocketsphinx engine. Both speak Deepgram's protocol back.
 */
import type { Logger } from 'pino';
import type { EngineKind, FallbackReason } from '../../lib/listen/engine-notice';
import type { ListenParams } from '../listen-params';

/** Client text messages the proxy understands and passes on. */
export type ControlType = 'KeepAlive' | 'Finalize' | 'CloseStream' | 'Configure';

export interface UpstreamEvents {
  /** The upstream is ready for audio (handshake done / process started). */
  opened(): void;
  /** A server message for the client, as text. A Buffer holds UTF-8 and is sent as is. */
  message(text: string | Buffer): void;
  /**
   * The upstream is finished; the client is closed with this code and reason. Called at most once.
   * `failure`: it never opened, for a reason another engine may not share (./upstream-chain.ts).
   */
  closed(code: number, reason: string, failure?: OpenFailure): void;
}

export interface UpstreamContext {
  requestId: string;
  params: ListenParams;
  events: UpstreamEvents;
  logger: Logger;
  /**
   * Told which engine serves the stream, just before `events.opened`, by a chain that may serve it
   * with another engine than its first (./upstream-chain.ts); a single engine never calls it.
   */
  servedBy?(kind: UpstreamKind): void;
}

export interface Upstream {
  /** Binary audio from the client. The buffer is not copied; callers must not reuse it. */
  sendAudio(chunk: Buffer): void;
  /** A client control message: `text` is the proxy's own rewrite of it (proxy/control-messages.ts), never the client's bytes. */
  sendControl(type: ControlType, text: string): void;
  /** Stops at once and frees everything (process, socket). No event follows. Safe to call twice. */
  destroy(): void;
}

export type UpstreamKind = EngineKind;

/** Why an upstream could not open: what a retry will not fix soon (lib/listen/engine-notice.ts). */
export interface OpenFailure {
  reason: FallbackReason;
  /** The HTTP status of a refused handshake. */
  status?: number;
}

export type UpstreamFactory = (context: UpstreamContext) => Upstream;

/** Close-frame reasons are limited to 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let cut = text.slice(0, 120);
  while (Buffer.byteLength(`${cut}...`) > 123) cut = cut.slice(0, -1);
  return `${cut}...`;
}
