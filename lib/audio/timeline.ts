/**
 * What was sent on the current connection, so server times can be mapped back to meeting time.
 *
 * When the VAD gate drops silence, the server's clock counts only the audio it received: server
 * time is the concatenation of the sent spans, while meeting time has gaps between them. Each
 * recorded span is (meeting start, server start, duration); contiguous frames merge into one span,
 * so a long session holds one span per burst of speech, and lookups are a binary search.
 *
 * Mapping rules (server time t, seconds of audio received on this connection):
 * - inside a span: meeting = span.captureStart + (t - span.serverStart);
 * - at the instant where two spans meet (the meeting-time gap between them has zero server
 *   duration): as a start, t maps to the later span's start; as an end, to the earlier span's end;
 * - before the first span (t < 0): the first span's start; after the last span (t > sent total):
 *   the last span's end. Nothing is extrapolated into audio that was never sent;
 * - with nothing sent yet on this connection: null.
 *
 * Server time is kept in whole samples (durations are rounded to the sample), so hours of 20 ms
 * frames add up exactly and a join is never blurred by float drift.
 */
import { SAMPLE_RATE } from './format';

const INITIAL_CAPACITY = 64;

export type TimeEdge = 'start' | 'end';

export interface SentSpan {
  /** Meeting time of the span's first sample, seconds. */
  readonly captureStart: number;
  /** Server time (seconds of audio received on this connection) of the span's first sample. */
  readonly serverStart: number;
  readonly duration: number;
}

export interface MeetingRange {
  start: number;
  end: number;
}

export class SentTimeline {
  private captureStarts = new Float64Array(INITIAL_CAPACITY);
  /** Server start and length of each span, in samples. */
  private serverStarts = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Float64Array(INITIAL_CAPACITY);
  private count = 0;
  private sentSamples = 0;
  private connections = 1;
  /** Capture times closer than half a sample to a span's end continue that span. */
  private readonly contiguityS: number;

  constructor(private readonly sampleRate = SAMPLE_RATE) {
    this.contiguityS = 0.5 / sampleRate;
  }

  /** Seconds of audio sent on the current connection (its server-time end). */
  get sentDuration(): number {
    return this.sentSamples / this.sampleRate;
  }

  get spanCount(): number {
    return this.count;
  }

  /** Connections started so far (1 before the first explicit `startConnection`). */
  get connectionCount(): number {
    return this.connections;
  }

  /**
   * A new connection: its server time restarts at 0. Meeting time keeps going (spans recorded
   * from now on carry their own capture times). Map the old connection's last messages first.
   */
  startConnection(): void {
    this.count = 0;
    this.sentSamples = 0;
    this.connections++;
  }

  /** Records audio just sent: `duration` seconds captured from `captureStart` (meeting time). */
  recordSent(captureStart: number, duration: number): void {
    const samples = Math.round(duration * this.sampleRate);
    if (!(samples > 0) || !Number.isFinite(captureStart)) return;
    const last = this.count - 1;
    if (last >= 0 && Math.abs(captureStart - this.spanEnd(last)) <= this.contiguityS) {
      this.lengths[last] = (this.lengths[last] as number) + samples;
      this.sentSamples += samples;
      return;
    }
    if (this.count === this.captureStarts.length) this.grow();
    this.captureStarts[this.count] = captureStart;
    this.serverStarts[this.count] = this.sentSamples;
    this.lengths[this.count] = samples;
    this.count++;
    this.sentSamples += samples;
  }

  /** Meeting time of server time `t` on the current connection; see the module comment for edges. */
  toMeetingTime(t: number, edge: TimeEdge = 'start'): number | null {
    if (this.count === 0 || Number.isNaN(t)) return null;
    const pos = t * this.sampleRate;
    if (pos <= 0) return this.captureStarts[0] as number;
    if (pos >= this.sentSamples) return this.spanEnd(this.count - 1);
    return this.at(this.spanAt(pos, edge), pos);
  }

  /**
   * Maps a word or segment [start, end] in server time. When it straddles the join of two spans
   * (so in meeting time it would stretch across a silence that was never sent), it is kept inside
   * the span that holds most of it, as whisper.cpp snaps tokens to the nearest run edge.
   */
  toMeetingRange(start: number, end: number): MeetingRange | null {
    if (this.count === 0 || Number.isNaN(start) || Number.isNaN(end)) return null;
    const s = Math.min(Math.max(start * this.sampleRate, 0), this.sentSamples);
    const e = Math.min(Math.max(end * this.sampleRate, s), this.sentSamples);
    const a = this.spanAt(s, 'start');
    const b = this.spanAt(e, 'end');
    if (a >= b) return { start: this.at(a, s), end: this.at(a, Math.max(s, e)) };
    // Straddles one or more joins: keep it in the span with the largest overlap.
    let best = a;
    let bestOverlap = -1;
    for (let i = a; i <= b; i++) {
      const lo = Math.max(s, this.serverStarts[i] as number);
      const hi = Math.min(e, (this.serverStarts[i] as number) + (this.lengths[i] as number));
      if (hi - lo > bestOverlap) {
        bestOverlap = hi - lo;
        best = i;
      }
    }
    const first = this.serverStarts[best] as number;
    const last = first + (this.lengths[best] as number);
    return { start: this.at(best, Math.min(Math.max(s, first), last)), end: this.at(best, Math.min(Math.max(e, first), last)) };
  }

  /** The spans of the current connection, oldest first (a copy, for diagnostics and tests). */
  spans(): SentSpan[] {
    const out: SentSpan[] = [];
    for (let i = 0; i < this.count; i++) {
      out.push({
        captureStart: this.captureStarts[i] as number,
        serverStart: (this.serverStarts[i] as number) / this.sampleRate,
        duration: (this.lengths[i] as number) / this.sampleRate,
      });
    }
    return out;
  }

  private spanEnd(i: number): number {
    return (this.captureStarts[i] as number) + (this.lengths[i] as number) / this.sampleRate;
  }

  /** Meeting time of server position `pos` (samples) within span i. */
  private at(i: number, pos: number): number {
    return (this.captureStarts[i] as number) + (pos - (this.serverStarts[i] as number)) / this.sampleRate;
  }

  /**
   * Index of the span holding server position t (samples, 0 <= t <= sent). Spans are [start, end)
   * for a start edge and (start, end] for an end edge, so a join belongs to the later or the
   * earlier span.
   */
  private spanAt(t: number, edge: TimeEdge): number {
    let lo = 0;
    let hi = this.count - 1;
    // Last span whose serverStart < t (end edge) or <= t (start edge).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const s = this.serverStarts[mid] as number;
      if (edge === 'start' ? s <= t : s < t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private grow(): void {
    const size = this.captureStarts.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.captureStarts = grow(this.captureStarts);
    this.serverStarts = grow(this.serverStarts);
    this.lengths = grow(this.lengths);
  }
}
