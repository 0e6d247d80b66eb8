/**
 * One connection of the listen socket: its WebSocket, opened with the token as subprotocols
 * `token, <T>` (browsers cannot set headers), its events passed on, frames sent without throwing,
 * and let go of; and what lives and dies with it: its server clock (connection-clock.ts) and its
 * housekeeping (housekeeping.ts), both fresh for each connection. Reconnecting and queueing are
 * the listen socket's.
 */
import type { UserFacingError } from '../contract/messages';
import { classifyConstructorFailure } from './close-codes';
import { ConnectionClock } from './connection-clock';
import { Housekeeping, type HousekeepingOptions } from './housekeeping';
import type { AudioChunk } from './send-queue';

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

export interface ConnectionEvents {
  onOpen(): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

const WS_OPEN = 1;
/** Hold audio while the WebSocket's own send buffer is this full. */
const MAX_WS_BUFFERED_BYTES = 256 * 1024;

export class Connection {
  /** The handshake completed. */
  opened = false;
  /** The last error event, for the HTTP status of a refused handshake (close-codes.ts). */
  lastError: unknown = null;
  /** This connection's server time as stream time; set again when it opens (began). */
  clock = new ConnectionClock(0);
  /** Set when it opens (began). */
  house: Housekeeping | null = null;

  private constructor(private readonly ws: WebSocketLike) {}

  /** A connection under way, or why the WebSocket constructor refused the URL or token. */
  static open(createWebSocket: WebSocketFactory, url: string, token: string, events: ConnectionEvents, protocols?: string[]): Connection | UserFacingError {
    let ws: WebSocketLike;
    try {
      // `protocols` replaces the token's: direct mode's `bearer, <granted token>` (lib/session/direct-dialer.ts).
      ws = createWebSocket(url, protocols ?? (token ? ['token', token] : undefined));
    } catch (error) {
      return classifyConstructorFailure(error, token !== '');
    }
    const connection = new Connection(ws);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      connection.opened = true;
      events.onOpen();
    };
    ws.onmessage = (event: { data: unknown }) => events.onMessage(event.data);
    ws.onerror = (event: unknown) => {
      connection.lastError = event;
    };
    ws.onclose = (event: { code: number; reason?: string }) => {
      connection.detach();
      events.onClose(event.code, event.reason ?? '');
    };
    return connection;
  }

  /** The handshake completed at `now`: server time 0 here is stream time `origin`. */
  began(origin: number, housekeeping: HousekeepingOptions, now: number): void {
    this.clock = new ConnectionClock(origin);
    this.house = new Housekeeping(housekeeping, now);
  }

  /** The subprotocol the server chose ("token" when a token was sent). */
  get protocol(): string {
    return this.ws.protocol ?? '';
  }

  get isOpen(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  /** The WebSocket's own send buffer is full: more audio would only pile up in memory. */
  get congested(): boolean {
    return (this.ws.bufferedAmount ?? 0) > MAX_WS_BUFFERED_BYTES;
  }

  /** Sends a text frame if the connection is open; false when it did not go. */
  sendText(text: string, now: number): boolean {
    if (!this.isOpen || !this.trySend(text)) return false;
    this.house?.textSent(now);
    return true;
  }

  /** Sends stream audio; false when it did not go (the close event follows). */
  sendAudio(chunk: AudioChunk, now: number): boolean {
    if (!this.trySend(chunk.data)) return false;
    this.house?.audioSent(now);
    this.clock.recordAudio(chunk.streamStart, chunk.seconds);
    return true;
  }

  /** Sends `seconds` of silence, which is not stream audio: the clock skips it. */
  sendPrimer(seconds: number, bytesPerSecond: number, now: number): void {
    if (this.sendSilence(seconds, bytesPerSecond)) this.house?.primerSent(now);
  }

  /**
   * Silence in place of a control message, for a server that takes audio only (a relay,
   * server-kind.ts): traffic that needs no answer, skipped by the clock like the primer.
   */
  sendSilenceFrame(seconds: number, bytesPerSecond: number, now: number): boolean {
    if (!this.isOpen || !this.sendSilence(seconds, bytesPerSecond)) return false;
    this.house?.textSent(now);
    return true;
  }

  private sendSilence(seconds: number, bytesPerSecond: number): boolean {
    // Whole sample frames for one or two 16-bit channels (a meeting sends two).
    const silence = new ArrayBuffer(Math.round(seconds * bytesPerSecond) & ~3);
    if (silence.byteLength === 0 || !this.trySend(silence)) return false;
    this.clock.recordSilence(silence.byteLength / bytesPerSecond);
    return true;
  }

  /** Stops passing events on and closes the WebSocket without waiting. */
  abandon(code = 1000, reason = ''): void {
    this.detach();
    try {
      this.ws.close(code, reason);
    } catch {
      // Already closed, or closing while still connecting: nothing left to do.
    }
  }

  private trySend(data: string | ArrayBuffer): boolean {
    try {
      this.ws.send(data);
      return true;
    } catch {
      return false;
    }
  }

  private detach(): void {
    const ws = this.ws;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // Not null: Node's ws throws an 'error' event nobody listens to (e.g. closed while connecting).
    ws.onerror = () => undefined;
  }
}
