/**
 * Groups gated 20 ms frames into ~100 ms messages (Deepgram's recommended chunk), and never joins
 * frames across a gap: a batch is always one contiguous stretch of capture time, so the timeline
 * can map it exactly.
 */
export type BatchSink = (pcm: Int16Array, captureStart: number, seconds: number) => void;

export class AudioBatcher {
  private readonly buffer: Int16Array;
  private filled = 0;
  private batchStart = 0;
  private expectedNext = Number.NaN;

  constructor(
    private readonly sampleRate: number,
    batchSeconds: number,
    private readonly sink: BatchSink,
  ) {
    this.buffer = new Int16Array(Math.round(sampleRate * batchSeconds));
  }

  push(frame: Int16Array, captureStart: number): void {
    // 1 µs tolerance for float drift in frame times
    if (this.filled > 0 && Math.abs(captureStart - this.expectedNext) > 1e-6) this.flush();
    let offset = 0;
    let start = captureStart;
    while (offset < frame.length) {
      if (this.filled === 0) this.batchStart = start;
      const take = Math.min(frame.length - offset, this.buffer.length - this.filled);
      this.buffer.set(frame.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      start += take / this.sampleRate;
      if (this.filled === this.buffer.length) this.flush();
    }
    this.expectedNext = captureStart + frame.length / this.sampleRate;
  }

  /** Sends whatever is pending (the sink must copy: the buffer is reused). */
  flush(): void {
    if (this.filled === 0) return;
    this.sink(this.buffer.subarray(0, this.filled), this.batchStart, this.filled / this.sampleRate);
    this.filled = 0;
  }
}
