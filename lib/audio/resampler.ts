/**
 * Streaming polyphase resampler (Kaiser-windowed sinc) from any AudioContext rate to 16 kHz.
 *
 * Built for the AudioWorklet: fed block by block (128-frame render quanta, or any size), it keeps
 * the last `taps - 1` input samples and the polyphase position across calls, so the output is
 * bit-identical however the input is split, and there is nothing at block edges to click.
 * Steady state allocates nothing when driven through processInto() with a reused buffer.
 *
 * Quality and filter choice: see resampler-design.ts. Cost per output sample: `taps` multiply-adds
 * (144 at 48 kHz, 136 at 44.1 kHz), halved in multiplies for whole-number ratios (48k, 32k, 96k)
 * by folding the symmetric filter.
 */
// The kernels index typed arrays within bounds their constructors and loop conditions set; under
// noUncheckedIndexedAccess each read is typed maybe-undefined, and a check per tap in the inner loops buys nothing.
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { SAMPLE_RATE } from './format';
import { buildPhaseTable, designResampler, type ResamplerDesign } from './resampler-design';

/** Input is copied into the history buffer in slices of at most this many samples. */
const CHUNK = 1024;

/**
 * The group delay StreamingResampler(inputRate, outputRate).delaySeconds will have, without
 * building its tables (for code that knows the AudioContext rate but not the worklet's state).
 */
export function resamplerDelaySeconds(inputRate: number, outputRate: number = SAMPLE_RATE): number {
  if (Math.round(inputRate) === Math.round(outputRate)) return 0;
  const design = designResampler(inputRate, outputRate);
  return design.delayInputSamples / design.inputRate;
}

export class StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /**
   * How far output lags input, in seconds: output sample j (at j / outputRate) carries the input
   * signal from j / outputRate - delaySeconds. 1.49 ms at 48 kHz, 1.54 ms at 44.1 kHz; 0 when
   * the rates are equal. Subtract it to put captured audio on the meeting clock.
   */
  readonly delaySeconds: number;
  /** The filter in use (null for the pass-through). */
  readonly design: ResamplerDesign | null;

  private readonly kernel: Kernel;
  private outBuffer: Float32Array;

  constructor(inputRate: number, outputRate: number = SAMPLE_RATE) {
    if (Math.round(inputRate) === Math.round(outputRate)) {
      this.design = null;
      this.inputRate = Math.round(inputRate);
      this.outputRate = Math.round(outputRate);
      this.delaySeconds = 0;
      this.kernel = new PassThrough();
    } else {
      const design = designResampler(inputRate, outputRate);
      this.design = design;
      this.inputRate = design.inputRate;
      this.outputRate = design.outputRate;
      this.delaySeconds = design.delayInputSamples / design.inputRate;
      this.kernel = design.up === 1 ? new SymmetricDecimator(design) : new PairedPolyphase(design);
    }
    this.outBuffer = new Float32Array(this.maxOutputFrames(128));
  }

  /** An upper bound on the outputs produced from `inputFrames` more input samples. */
  maxOutputFrames(inputFrames: number): number {
    if (this.design === null) return inputFrames;
    // +3: the position carried over, and a pair held back from the previous call.
    return Math.floor((inputFrames * this.design.up) / this.design.down) + 3;
  }

  /**
   * Resamples one block. Returns a view of an internal buffer that is valid until the next
   * call. (The view itself is a small allocation; processInto avoids even that.)
   */
  process(input: Float32Array): Float32Array {
    const need = this.maxOutputFrames(input.length);
    if (this.outBuffer.length < need) this.outBuffer = new Float32Array(Math.max(need, this.outBuffer.length * 2));
    const count = this.processInto(input, this.outBuffer);
    return this.outBuffer.subarray(0, count);
  }

  /**
   * Resamples one block into `out` (from index 0) and returns how many samples were written.
   * `out` must hold at least maxOutputFrames(input.length) samples.
   */
  processInto(input: Float32Array, out: Float32Array): number {
    if (out.length < this.maxOutputFrames(input.length)) {
      throw new RangeError(`Output buffer too small: ${out.length} < ${this.maxOutputFrames(input.length)}`);
    }
    let written = 0;
    for (let start = 0; start < input.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, input.length);
      written = this.kernel.run(input, start, end, out, written);
    }
    return written;
  }

  /** Forgets all history, as if newly constructed. */
  reset(): void {
    this.kernel.reset();
  }
}

/** work[at..] = input[start, end), without the view a subarray() would allocate. */
function copyInto(work: Float32Array, at: number, input: Float32Array, start: number, end: number): void {
  if (start === 0 && end === input.length) {
    work.set(input, at);
    return;
  }
  for (let i = start; i < end; i++) work[at + i - start] = input[i]!;
}

interface Kernel {
  /** Consumes input[start, end), writes outputs from out[written]; returns the new count. */
  run(input: Float32Array, start: number, end: number, out: Float32Array, written: number): number;
  reset(): void;
}

class PassThrough implements Kernel {
  run(input: Float32Array, start: number, end: number, out: Float32Array, written: number): number {
    for (let i = start; i < end; i++) out[written + i - start] = input[i]!;
    return written + end - start;
  }
  reset(): void {}
}

/**
 * Whole-number ratios (48k, 32k, 96k -> 16k): a single phase whose coefficients are symmetric,
 * so each output folds the two halves of its window: taps/2 multiplies instead of taps.
 */
class SymmetricDecimator implements Kernel {
  private readonly taps: number;
  private readonly step: number;
  private readonly coefficients: Float32Array;
  /** [taps - 1 samples of history][up to CHUNK new samples]. */
  private readonly work: Float32Array;
  /** Newest input sample the next output needs, relative to the current chunk. */
  private position = 0;

  constructor(design: ResamplerDesign) {
    this.taps = design.taps;
    this.step = design.down;
    this.coefficients = buildPhaseTable(design);
    this.work = new Float32Array(design.taps - 1 + CHUNK);
  }

  run(input: Float32Array, start: number, end: number, out: Float32Array, written: number): number {
    const history = this.taps - 1;
    const half = this.taps >> 1; // taps is a multiple of 8
    const length = end - start;
    const work = this.work;
    const c = this.coefficients;
    const step = this.step;
    copyInto(work, history, input, start, end);
    let position = this.position;
    let o = written;
    while (position < length) {
      const lo = position; // oldest sample of this output's window, in `work`
      const hi = position + history; // newest
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < half; i += 4) {
        a0 += c[i]! * (work[lo + i]! + work[hi - i]!);
        a1 += c[i + 1]! * (work[lo + i + 1]! + work[hi - i - 1]!);
        a2 += c[i + 2]! * (work[lo + i + 2]! + work[hi - i - 2]!);
        a3 += c[i + 3]! * (work[lo + i + 3]! + work[hi - i - 3]!);
      }
      out[o++] = a0 + a1 + (a2 + a3);
      position += step;
    }
    work.copyWithin(0, length, length + history);
    this.position = position - length;
    return o;
  }

  reset(): void {
    this.work.fill(0);
    this.position = 0;
  }
}

/**
 * Fractional ratios (44.1k -> 16k is 160/441): outputs are computed two at a time, so every
 * input sample loaded from memory feeds two multiply-adds. Output 2m and 2m+1 always form a
 * pair, whatever the block boundaries (a pair whose second half is not yet computable waits for
 * the next block), so the arithmetic, and therefore the output, does not depend on the split.
 *
 * The pair table holds, for each phase p of an even output, `width` interleaved coefficient
 * pairs: [c_p[i], c_q[i - a]] where q is the next phase and a the input advance between the two
 * outputs; positions outside a row's taps are zero.
 */
class PairedPolyphase implements Kernel {
  private readonly taps: number;
  private readonly width: number;
  private readonly history: number;
  /** Samples past the chunk that padding may read (kept zero). */
  private readonly slack: number;
  private readonly pairs: Float32Array;
  private readonly advance: Int32Array;
  private readonly nextPhase: Int32Array;
  /** [history][up to CHUNK new samples][slack read as zero-weighted padding]. */
  private readonly work: Float32Array;
  /** Newest input sample the next (even) output needs, relative to the current chunk. */
  private position = 0;
  private phase = 0;

  constructor(design: ResamplerDesign) {
    const { up, down, taps } = design;
    const table = buildPhaseTable(design);
    this.taps = taps;
    this.advance = new Int32Array(up);
    this.nextPhase = new Int32Array(up);
    let maxAdvance = 0;
    for (let p = 0; p < up; p++) {
      this.advance[p] = Math.floor((p + down) / up);
      this.nextPhase[p] = (p + down) % up;
      maxAdvance = Math.max(maxAdvance, this.advance[p]!);
    }
    this.width = (taps + maxAdvance + 3) & ~3; // a multiple of 4, for the unrolled loop
    this.slack = this.width - taps + maxAdvance;
    // A pending pair's window can start up to maxAdvance samples before the kept history.
    this.history = taps - 1 + maxAdvance;
    this.pairs = new Float32Array(up * 2 * this.width);
    for (let p = 0; p < up; p++) {
      const q = this.nextPhase[p]!;
      const a = this.advance[p]!;
      const base = p * 2 * this.width;
      for (let i = 0; i < this.width; i++) {
        this.pairs[base + 2 * i] = i < taps ? table[p * taps + i]! : 0;
        const j = i - a;
        this.pairs[base + 2 * i + 1] = j >= 0 && j < taps ? table[q * taps + j]! : 0;
      }
    }
    this.work = new Float32Array(this.history + CHUNK + this.slack);
  }

  run(input: Float32Array, start: number, end: number, out: Float32Array, written: number): number {
    const taps = this.taps;
    const width = this.width;
    const history = this.history;
    const length = end - start;
    const work = this.work;
    const pairs = this.pairs;
    const advance = this.advance;
    const nextPhase = this.nextPhase;
    copyInto(work, history, input, start, end);
    // Zero-weighted padding may read a few samples past this chunk: keep them finite.
    work.fill(0, history + length, history + length + this.slack);
    let position = this.position;
    let phase = this.phase;
    let o = written;
    for (;;) {
      const a = advance[phase]!;
      if (position + a >= length) break; // the odd output's newest sample has not arrived
      const q = nextPhase[phase]!;
      const lo = history + position - (taps - 1);
      let c = phase * 2 * width;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      const stop = lo + width;
      for (let i = lo; i < stop; i += 4, c += 8) {
        const w0 = work[i]!;
        const w1 = work[i + 1]!;
        const w2 = work[i + 2]!;
        const w3 = work[i + 3]!;
        a0 += pairs[c]! * w0;
        b0 += pairs[c + 1]! * w0;
        a1 += pairs[c + 2]! * w1;
        b1 += pairs[c + 3]! * w1;
        a2 += pairs[c + 4]! * w2;
        b2 += pairs[c + 5]! * w2;
        a3 += pairs[c + 6]! * w3;
        b3 += pairs[c + 7]! * w3;
      }
      out[o++] = a0 + a1 + (a2 + a3);
      out[o++] = b0 + b1 + (b2 + b3);
      position += a + advance[q]!;
      phase = nextPhase[q]!;
    }
    work.copyWithin(0, length, length + history);
    this.position = position - length;
    this.phase = phase;
    return o;
  }

  reset(): void {
    this.work.fill(0);
    this.position = 0;
    this.phase = 0;
  }
}
