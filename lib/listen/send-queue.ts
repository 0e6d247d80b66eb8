/**
 * The listen socket's outgoing audio, with no WebSocket in it: what waits to go, how fast it may
 * go, how much of it is kept, and what goes again after a reconnect.
 *
 * - Queue: audio and Finalize markers in the order the owner gave them.
 * - Pacing: a token bucket of seconds of audio, `sendBurstSeconds` deep, refilled at `maxSendRate`
 *   times real time (the proxy cuts off a client that floods it, and the words with it).
 * - Cap: queued plus unconfirmed audio is kept up to `maxBufferedSeconds`; past that the oldest is
 *   dropped (a long outage).
 * - Confirm: audio sent on a connection is kept until a final result covers it (by the stream time
 *   the server acknowledged, confirmUpTo).
 * - Replay: when a connection dies, audio it sent that no final covered goes first on the next one,
 *   so words in flight are not lost, and audio a final covered never goes again, so its words
 *   cannot come twice.
 *
 * Times: stream seconds, the seconds of audio pushed since the queue was made. The clock (ms) is
 * injected and read only for pacing.
 */

export interface AudioChunk {
  data: ArrayBuffer;
  /** Stream seconds at the chunk's first sample. */
  streamStart: number;
  seconds: number;
}

export type Outgoing = { kind: 'audio'; chunk: AudioChunk } | { kind: 'finalize' };

/** The open connection a flush hands items to. */
export interface SendTarget {
  /** The connection's own send buffer is full: hold audio for now. */
  congested(): boolean;
  /** Hands one item over; false when it could not (the connection is going away). */
  send(item: Outgoing): boolean;
}

/** 'empty': everything went. 'wait': flush again in `ms`. 'stopped': the target refused an item. */
export type FlushResult = { state: 'empty' } | { state: 'wait'; ms: number } | { state: 'stopped' };

export interface SendQueueOptions {
  /** Milliseconds, for pacing. */
  now: () => number;
  bytesPerSecond: number;
  maxBufferedSeconds: number;
  /** Pacing as a multiple of real time. */
  maxSendRate: number;
  /** Audio that may go at once before pacing starts. */
  sendBurstSeconds: number;
  /** Keep sent audio until a final covers it, and send it again after a reconnect. */
  replayUnconfirmed: boolean;
}

export interface QueueTotals {
  /** Audio pushed. */
  streamSeconds: number;
  /** Audio handed to connections, replays included. */
  sentSeconds: number;
  replayedSeconds: number;
  droppedSeconds: number;
  /** Audio still queued (never reached a connection). */
  unsentSeconds: number;
}

/** How often a congested connection is looked at again. */
const CONGESTED_RETRY_MS = 50;
const EPSILON = 1e-9;
/** A final's end is a float the server rounded: a chunk ending within this of it is covered. */
const CONFIRM_TOLERANCE = 1e-6;

function copyBuffer(pcm: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (pcm instanceof ArrayBuffer) return pcm.slice(0);
  const out = new ArrayBuffer(pcm.byteLength);
  new Uint8Array(out).set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return out;
}

export class SendQueue {
  private queue: Outgoing[] = [];
  /** Sent on the current connection and not yet covered by a final, oldest first. */
  private unconfirmed: AudioChunk[] = [];
  /** Seconds in `queue` plus `unconfirmed`: what the cap limits. */
  private keptSeconds = 0;
  private streamBytes = 0;
  private finalCursor = 0;
  private tokens = 0;
  private lastRefillAt = 0;
  private readonly totals = { sentSeconds: 0, replayedSeconds: 0, droppedSeconds: 0 };

  constructor(private readonly options: SendQueueOptions) {}

  /** Seconds of audio pushed so far. */
  get streamSeconds(): number {
    return this.streamBytes / this.options.bytesPerSecond;
  }

  /** Audio waiting to go plus audio sent and not yet finalized. */
  get backlogSeconds(): number {
    return this.keptSeconds;
  }

  get isEmpty(): boolean {
    return this.queue.length === 0;
  }

  get hasAudio(): boolean {
    return this.queue.some((item) => item.kind === 'audio');
  }

  /** Queues a copy of `pcm` (the caller may reuse its buffer); an empty buffer is ignored. */
  push(pcm: ArrayBuffer | ArrayBufferView): void {
    if (pcm.byteLength === 0) return;
    const seconds = pcm.byteLength / this.options.bytesPerSecond;
    this.queue.push({ kind: 'audio', chunk: { data: copyBuffer(pcm), streamStart: this.streamSeconds, seconds } });
    this.streamBytes += pcm.byteLength;
    this.keptSeconds += seconds;
    this.enforceCap();
  }

  pushFinalize(): void {
    this.queue.push({ kind: 'finalize' });
  }

  /** The stream time a connection opened now starts at: the first audio waiting to go. */
  nextOrigin(): number {
    const first = this.queue.find((item) => item.kind === 'audio');
    return first?.kind === 'audio' ? first.chunk.streamStart : this.streamSeconds;
  }

  /** A connection opened: a full burst may go, and finals count from where it starts. */
  connectionOpened(origin: number): void {
    this.tokens = this.options.sendBurstSeconds;
    this.lastRefillAt = this.options.now();
    this.finalCursor = origin;
  }

  /** The connection died: audio it sent that no final covered goes first on the next one. */
  connectionLost(): void {
    if (!this.options.replayUnconfirmed) return;
    for (const chunk of this.unconfirmed) this.totals.replayedSeconds += chunk.seconds;
    const replay: Outgoing[] = this.unconfirmed.map((chunk) => ({ kind: 'audio', chunk }));
    this.queue = replay.concat(this.queue);
    this.unconfirmed = [];
  }

  /** A final result covers the stream up to `streamSeconds`: that audio is not needed again. */
  confirmUpTo(streamSeconds: number): void {
    if (streamSeconds <= this.finalCursor) return;
    this.finalCursor = streamSeconds;
    while (this.unconfirmed.length > 0) {
      const chunk = this.unconfirmed[0] as AudioChunk;
      if (chunk.streamStart + chunk.seconds > streamSeconds + CONFIRM_TOLERANCE) break;
      this.unconfirmed.shift();
      this.keptSeconds -= chunk.seconds;
    }
  }

  /** Hands `target` what may go now, in order; says when to try again if something must wait. */
  flush(target: SendTarget): FlushResult {
    this.refill();
    while (this.queue.length > 0) {
      const item = this.queue[0] as Outgoing;
      if (item.kind === 'finalize') {
        this.queue.shift();
        // A Finalize that cannot go is not kept: the connection is going, and its close event follows.
        target.send(item);
        continue;
      }
      if (target.congested()) return { state: 'wait', ms: CONGESTED_RETRY_MS };
      // A chunk larger than the burst goes once the bucket is full.
      const need = Math.min(item.chunk.seconds, this.options.sendBurstSeconds);
      if (this.tokens + EPSILON < need) {
        const waitMs = ((need - this.tokens) / this.options.maxSendRate) * 1000;
        return { state: 'wait', ms: Math.max(1, Math.ceil(waitMs)) };
      }
      // Refused: the chunk stays first, for the next connection (the close event follows).
      if (!target.send(item)) return { state: 'stopped' };
      this.queue.shift();
      this.tokens -= item.chunk.seconds;
      this.sent(item.chunk);
    }
    return { state: 'empty' };
  }

  /** How long the queued audio takes to go at the paced rate, beyond what may go at once. */
  pacedFlushMs(): number {
    return (Math.max(0, this.queuedSeconds() - this.options.sendBurstSeconds) / this.options.maxSendRate) * 1000;
  }

  stats(): QueueTotals {
    return { streamSeconds: this.streamSeconds, ...this.totals, unsentSeconds: this.queuedSeconds() };
  }

  private sent(chunk: AudioChunk): void {
    this.totals.sentSeconds += chunk.seconds;
    if (this.options.replayUnconfirmed) this.unconfirmed.push(chunk);
    else this.keptSeconds -= chunk.seconds;
  }

  private queuedSeconds(): number {
    let seconds = 0;
    for (const item of this.queue) if (item.kind === 'audio') seconds += item.chunk.seconds;
    return seconds;
  }

  private refill(): void {
    const now = this.options.now();
    const { sendBurstSeconds, maxSendRate } = this.options;
    this.tokens = Math.min(sendBurstSeconds, this.tokens + ((now - this.lastRefillAt) / 1000) * maxSendRate);
    this.lastRefillAt = now;
  }

  private enforceCap(): void {
    while (this.keptSeconds > this.options.maxBufferedSeconds + EPSILON) {
      // Oldest first: unconfirmed audio is older than anything still queued.
      const oldest = this.unconfirmed.shift() ?? this.takeFirstQueuedAudio();
      if (oldest === undefined) break;
      this.keptSeconds -= oldest.seconds;
      this.totals.droppedSeconds += oldest.seconds;
    }
  }

  private takeFirstQueuedAudio(): AudioChunk | undefined {
    const index = this.queue.findIndex((item) => item.kind === 'audio');
    if (index < 0) return undefined;
    const [item] = this.queue.splice(index, 1);
    return item?.kind === 'audio' ? item.chunk : undefined;
  }
}
