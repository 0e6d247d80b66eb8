/**
 * The listen socket's public shapes: what it is given (ListenSocketOptions, and their defaults),
 * what it reports while it runs (statuses, connections) and what it says when it closes (CloseSummary).
 */
import { BYTES_PER_SECOND } from '../audio/format';
import type { UserFacingError } from '../contract/messages';
import type { BackoffOptions } from './backoff';
import type { WebSocketFactory } from './connection';
import { systemClock, type Clock } from './deadlines';
import type { ListenEvent, ParseStats } from './protocol';
import { RELAY_CLOSE_GRACE_MS, type ServerKind } from './server-kind';

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

/**
 * Where one connection attempt goes, decided just before it (direct mode asks the proxy for a
 * fresh Deepgram token per attempt); null: to `url` with `token`, as without dial; or why it
 * cannot be made and whether trying later can help.
 */
export type DialResult = { url: string; protocols: string[] } | null | { error: UserFacingError; retry: boolean };

export interface ListenSocketOptions {
  url: string;
  /**
   * Called before every connection attempt; its URL and subprotocols replace `url` and `token` for
   * that attempt. Bounded by connectTimeoutMs together with the handshake.
   */
  dial?: () => Promise<DialResult>;
  /** Sent as subprotocols ['token', token]; no subprotocol when empty. */
  token?: string;
  createWebSocket: WebSocketFactory;
  onEvent?: (event: ListenEvent) => void;
  onStatus?: (status: ListenStatus, detail: StatusDetail) => void;
  /** The socket gave up (refused, unreachable on the first try): it is closed after this. */
  onError?: (error: UserFacingError) => void;
  /** A connection opened: server time restarts at 0 there (events are already in stream time). */
  onConnection?: (index: number, info: ConnectionInfo) => void;
  /** Default: the real time and timers. */
  clock?: Clock;
  /** For the backoff's jitter. Default Math.random. */
  random?: () => number;
  /** Default: the extension's format (lib/audio/format.ts), 32,000. */
  bytesPerSecond?: number;
  /** Audio kept while disconnected plus audio not yet finalized. Default 90 s (2.88 MB at 32,000 bytes/s). */
  maxBufferedSeconds?: number;
  /** Send KeepAlive after this long without sending anything. Default 4000 (Deepgram closes at 10 s). */
  keepAliveIdleMs?: number;
  /** How long close() waits for the server's close after CloseStream. Default 5000. */
  closeTimeoutMs?: number;
  /** A handshake taking longer counts as a failure. Default 10000. */
  connectTimeoutMs?: number;
  /** Audio sent and nothing heard back for this long: the server is dead, reconnect. 0 disables. Default 15000 (0 for a relay). */
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
  /**
   * Only for a proxy that archives this capture (`captionist_session` on the URL): the meeting time
   * of a stream second. The socket then declares each span's meeting start before its audio
   * (meeting-span.ts), so the archive stores meeting time.
   */
  meetingTimeOf?: (streamSeconds: number) => number | null;
  /**
   * What the server speaks (server-kind.ts). 'relay': the token goes as `api_key` on the URL, no
   * subprotocol, no text frame ever (silence instead of KeepAlive, Finalize and CloseStream), and
   * the relay's messages are read (relay-protocol.ts). Default 'listen'.
   */
  serverKind?: ServerKind;
  /** 'relay' only: how long closing waits for the last results after the closing silence. Default 2000. */
  relayCloseGraceMs?: number;
}

/** The options with every default filled in (the defaults the comments above name). */
export type ResolvedListenOptions = Required<Omit<ListenSocketOptions, 'onEvent' | 'onStatus' | 'onError' | 'onConnection' | 'backoff' | 'meetingTimeOf' | 'dial'>> &
  Pick<ListenSocketOptions, 'onEvent' | 'onStatus' | 'onError' | 'onConnection' | 'backoff' | 'meetingTimeOf' | 'dial'>;

export function withDefaults(options: ListenSocketOptions): ResolvedListenOptions {
  return {
    ...options,
    token: (options.token ?? '').trim(),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    bytesPerSecond: options.bytesPerSecond ?? BYTES_PER_SECOND,
    maxBufferedSeconds: options.maxBufferedSeconds ?? 90,
    keepAliveIdleMs: options.keepAliveIdleMs ?? 4000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    // A relay passes on nothing for audio without words (music, noise the gate let through), so its
    // silence is no sign of a dead server there: off unless asked for.
    serverSilenceTimeoutMs: options.serverSilenceTimeoutMs ?? (options.serverKind === 'relay' ? 0 : 15_000),
    initialConnectAttempts: options.initialConnectAttempts ?? 3,
    reconnect: options.reconnect ?? true,
    replayUnconfirmed: options.replayUnconfirmed ?? true,
    maxSendRate: options.maxSendRate ?? 1.25,
    sendBurstSeconds: options.sendBurstSeconds ?? 3,
    primeSilenceAfterMs: options.primeSilenceAfterMs ?? 3000,
    serverKind: options.serverKind ?? 'listen',
    relayCloseGraceMs: options.relayCloseGraceMs ?? RELAY_CLOSE_GRACE_MS,
  };
}
