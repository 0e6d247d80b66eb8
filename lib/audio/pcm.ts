/**
 * PCM helpers for the capture path: downmix to mono, float -> Int16, and 20 ms framing.
 *
 * Wire format: 16 kHz mono signed 16-bit little-endian (Deepgram `encoding=linear16`). An
 * Int16Array uses the platform's byte order, and every platform Chrome runs on (x86-64, ARM64,
 * 32-bit ARM in little-endian mode) is little-endian, so the frame's buffer is sent as it is.
 * IS_LITTLE_ENDIAN checks this at load; on a big-endian host FrameAssembler swaps bytes.
 */
// Per-sample loops below index typed arrays within bounds their loop conditions set; under
// noUncheckedIndexedAccess each read is typed maybe-undefined, and a check per sample on the audio path buys nothing.
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { FRAME_SAMPLES } from './format';

/** One 20 ms frame as the PCM worklet posts it (its `pcm` buffer is transferred). */
export interface WorkletFrame {
  /** FRAME_SAMPLES Int16 little-endian samples, 16 kHz mono. */
  pcm: ArrayBuffer;
  /** RMS of the frame, linear, 1 = full scale. */
  rms: number;
  /** Largest absolute sample of the frame, linear, 1 = full scale. */
  peak: number;
}

/** The name entrypoints/pcm-worklet.ts registers its AudioWorkletProcessor under. */
export const PCM_PROCESSOR_NAME = 'captionist-pcm';

/** What the node is created with (`processorOptions`): one pipeline per input, paired frames out. */
export interface PcmProcessorOptions {
  inputCount: number;
}

export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Averages any number of channels into one. Writes into `out` when given (it must hold at least
 * as many samples as the first channel; a longer `out` is returned as a view of that length).
 * No channels gives an empty result. One channel is copied, not aliased.
 */
export function downmixToMono(channels: readonly Float32Array[], out?: Float32Array): Float32Array {
  const first = channels[0];
  if (first === undefined) return out ? out.subarray(0, 0) : new Float32Array(0);
  const length = first.length;
  if (out && out.length < length) throw new RangeError(`Output buffer too small: ${out.length} < ${length}`);
  const target = out === undefined ? new Float32Array(length) : out.length === length ? out : out.subarray(0, length);
  const count = channels.length;
  if (count === 1) {
    target.set(first);
    return target;
  }
  if (count === 2) {
    const second = channels[1]!;
    for (let i = 0; i < length; i++) target[i] = (first[i]! + second[i]!) * 0.5;
    return target;
  }
  target.set(first);
  for (let c = 1; c < count; c++) {
    const channel = channels[c]!;
    for (let i = 0; i < length; i++) target[i]! += channel[i]!;
  }
  const scale = 1 / count;
  for (let i = 0; i < length; i++) target[i]! *= scale;
  return target;
}

/**
 * Float [-1, 1] to Int16: scaled by 32768 (so the quantiser steps are exact powers of two),
 * rounded to nearest (halves toward +infinity, Math.round), and clipped to [-32768, 32767].
 * NaN becomes 0. Writes into `out` when given (same rule as downmixToMono).
 */
export function floatToInt16(input: Float32Array, out?: Int16Array): Int16Array {
  const length = input.length;
  if (out && out.length < length) throw new RangeError(`Output buffer too small: ${out.length} < ${length}`);
  const target = out === undefined ? new Int16Array(length) : out.length === length ? out : out.subarray(0, length);
  for (let i = 0; i < length; i++) target[i] = quantize(input[i]!);
  return target;
}

/** The float -> Int16 rule of floatToInt16, for one sample. */
export function quantize(sample: number): number {
  const v = Math.round(sample * 32768);
  // Comparisons with NaN are false, so NaN falls through and an Int16Array stores it as 0.
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/**
 * Collects Int16 samples into frames of a fixed length and hands each full frame to `onFrame`.
 * Every frame is a fresh Int16Array over its own ArrayBuffer, so the receiver may transfer it.
 */
export class FrameAssembler {
  readonly frameSamples: number;
  private readonly onFrame: (frame: Int16Array) => void;
  private current: Int16Array;
  private filled = 0;

  constructor(onFrame: (frame: Int16Array) => void, frameSamples: number = FRAME_SAMPLES) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError(`Bad frame length ${frameSamples}`);
    this.frameSamples = frameSamples;
    this.onFrame = onFrame;
    this.current = new Int16Array(frameSamples);
  }

  /** Samples waiting for the next frame. */
  get pending(): number {
    return this.filled;
  }

  push(samples: Int16Array): void {
    for (const sample of samples) {
      this.current[this.filled++] = sample;
      if (this.filled === this.frameSamples) this.emit();
    }
  }

  /**
   * Converts `length` float samples (floatToInt16's rule) straight into frames, so the worklet
   * needs no intermediate Int16 buffer.
   */
  pushFloat(samples: Float32Array, length: number = samples.length): void {
    for (let i = 0; i < length; i++) {
      this.current[this.filled++] = quantize(samples[i]!);
      if (this.filled === this.frameSamples) this.emit();
    }
  }

  private emit(): void {
    const frame = this.current;
    if (!IS_LITTLE_ENDIAN) toLittleEndianInPlace(frame);
    this.current = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.onFrame(frame);
  }

  /** Drops a partly filled frame. */
  reset(): void {
    this.filled = 0;
  }
}

/** Rewrites native-order Int16 samples as little-endian bytes (a no-op on little-endian hosts). */
export function toLittleEndianInPlace(samples: Int16Array): void {
  if (IS_LITTLE_ENDIAN) return;
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
}
