/**
 * A WebSocket stand-in for ListenSocket tests: records what the client sends and lets the test
 * play the server (open, messages, close) synchronously. Behaves like the browser's WebSocket
 * where it matters: send() before open throws, binaryType is settable, close() does not fire
 * onclose by itself (the server's close frame does).
 */
import type { WebSocketFactory, WebSocketLike } from '@/lib/listen/listen-socket';

export class FakeWebSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  readonly sent: (string | ArrayBuffer)[] = [];
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[] | undefined,
  ) {}

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  // --- the server's side -------------------------------------------------------------------

  open(protocol = this.protocols ? 'token' : ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    (this.onopen as ((e: unknown) => void) | null)?.({});
  }

  receive(data: string | object): void {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    (this.onmessage as ((e: { data: unknown }) => void) | null)?.({ data: payload });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    (this.onclose as ((e: { code: number; reason: string }) => void) | null)?.({ code, reason });
  }

  /** The connection fails as browsers report it: an error, then close 1006. */
  fail(error: unknown = {}): void {
    this.readyState = 3;
    (this.onerror as ((e: unknown) => void) | null)?.(error);
    (this.onclose as ((e: { code: number; reason: string }) => void) | null)?.({ code: 1006, reason: '' });
  }

  get texts(): string[] {
    return this.sent.filter((d): d is string => typeof d === 'string');
  }

  get binaries(): ArrayBuffer[] {
    return this.sent.filter((d): d is ArrayBuffer => typeof d !== 'string');
  }
}

export function fakeFactory(): { factory: WebSocketFactory; sockets: FakeWebSocket[]; last(): FakeWebSocket } {
  const sockets: FakeWebSocket[] = [];
  return {
    sockets,
    factory: (url, protocols) => {
      const ws = new FakeWebSocket(url, protocols);
      sockets.push(ws);
      return ws;
    },
    last() {
      const ws = sockets[sockets.length - 1];
      if (!ws) throw new Error('no socket created');
      return ws;
    },
  };
}

/** 100 ms of 16 kHz Int16 audio whose every sample is `marker`, so tests can tell chunks apart. */
export function chunk(marker: number, seconds = 0.1): ArrayBuffer {
  const samples = new Int16Array(Math.round(16_000 * seconds));
  samples.fill(marker);
  return samples.buffer;
}

export function markerOf(buffer: ArrayBuffer): number {
  return new Int16Array(buffer)[0] ?? Number.NaN;
}

export function finalResults(start: number, duration: number, words: [string, number, number][] = [], extra: object = {}): object {
  return {
    type: 'Results',
    channel_index: [0, 1],
    start,
    duration,
    is_final: true,
    speech_final: false,
    channel: {
      alternatives: [
        {
          transcript: words.map((w) => w[0]).join(' '),
          confidence: 0.9,
          words: words.map(([word, s, e]) => ({ word, start: s, end: e, confidence: 0.9 })),
        },
      ],
    },
    ...extra,
  };
}
