/**
 * Tone-sweep measurements of a resampler, shared by the quality tests (tests/unit/audio) and
 * `npm run bench:audio`, so the bars the tests assert are the figures the bench prints.
 *
 * A resampler is given as a function from one input signal to its output. It may keep state
 * between calls (streaming resamplers are fed one whole tone per call); every measurement skips
 * the start of each output, where the previous tone's tail and the filter's onset live, and a
 * little of the end.
 */

export type ResampleFn = (input: Float32Array) => ArrayLike<number>;

export interface SweepOptions {
  /** Length of each test tone, seconds. */
  toneSeconds?: number;
  /** Output skipped at the start / end of each tone, seconds. */
  skipStartSeconds?: number;
  skipEndSeconds?: number;
}

const DEFAULTS = { toneSeconds: 0.25, skipStartSeconds: 0.06, skipEndSeconds: 0.02 } as const;

/** A sine of `amplitude` at `freq` Hz, phase computed in double precision. */
export function sine(freq: number, rate: number, frames: number, amplitude = 1): Float32Array {
  const out = new Float32Array(frames);
  const w = (2 * Math.PI * freq) / rate;
  for (let i = 0; i < frames; i++) out[i] = amplitude * Math.sin(w * i);
  return out;
}

/**
 * Amplitude of the sinusoid at `freq` in signal[start, end), by a least-squares fit of cos and
 * sin (exact for a pure tone of any phase, whatever the window length).
 */
export function toneAmplitude(signal: ArrayLike<number>, freq: number, rate: number, start = 0, end = signal.length): number {
  let cc = 0;
  let ss = 0;
  let cs = 0;
  let yc = 0;
  let ys = 0;
  const w = (2 * Math.PI * freq) / rate;
  for (let i = start; i < end; i++) {
    const c = Math.cos(w * i);
    const s = Math.sin(w * i);
    const y = signal[i]!;
    cc += c * c;
    ss += s * s;
    cs += c * s;
    yc += y * c;
    ys += y * s;
  }
  const det = cc * ss - cs * cs;
  if (Math.abs(det) < 1e-9 * (cc + ss) * (cc + ss)) {
    // freq is 0 or Nyquist: only the cosine term exists.
    return Math.abs(yc / cc);
  }
  const a = (yc * ss - ys * cs) / det;
  const b = (ys * cc - yc * cs) / det;
  return Math.hypot(a, b);
}

export function rmsOf(signal: ArrayLike<number>, start = 0, end = signal.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += signal[i]! * signal[i]!;
  return Math.sqrt(sum / Math.max(1, end - start));
}

/** Where a tone at `freq` lands after sampling at `rate`. */
export function aliasFrequency(freq: number, rate: number): number {
  const m = ((freq % rate) + rate) % rate;
  return m > rate / 2 ? rate - m : m;
}

const toDb = (ratio: number) => 20 * Math.log10(Math.max(ratio, 1e-15));

interface Window {
  start: number;
  end: number;
}

function steadyWindow(outputLength: number, outputRate: number, o: Required<SweepOptions>): Window {
  const start = Math.round(o.skipStartSeconds * outputRate);
  const end = outputLength - Math.round(o.skipEndSeconds * outputRate);
  if (end - start < outputRate * 0.05) throw new Error(`Too little output to measure: ${outputLength} samples`);
  return { start, end };
}

/** Output amplitude of a `freq` tone of unit amplitude, relative to the input (linear). */
export function toneGain(resample: ResampleFn, freq: number, inputRate: number, outputRate: number, options: SweepOptions = {}): number {
  const o = { ...DEFAULTS, ...options };
  const out = resample(sine(freq, inputRate, Math.round(o.toneSeconds * inputRate)));
  const { start, end } = steadyWindow(out.length, outputRate, o);
  return toneAmplitude(out, freq, outputRate, start, end);
}

/** Everything a unit tone at `freq` puts out (RMS, linear), whatever frequency it lands on. */
function outputRms(resample: ResampleFn, freq: number, inputRate: number, outputRate: number, o: Required<SweepOptions>): number {
  const out = resample(sine(freq, inputRate, Math.round(o.toneSeconds * inputRate)));
  const { start, end } = steadyWindow(out.length, outputRate, o);
  return rmsOf(out, start, end);
}

export interface AliasResult {
  /** Worst (smallest) rejection over the sweep, dB (positive = rejected). */
  worstRejectionDb: number;
  worstFrequencyHz: number;
  /** Frequencies tried. */
  tones: number;
}

/**
 * Alias rejection: for input tones from `fromHz` to just under the input Nyquist, the output
 * energy (all of it: the folded tone plus any images or noise) relative to the output of a
 * 1 kHz passband tone of the same amplitude. The sweep is refined in 2 Hz steps around its worst
 * point so a narrow sidelobe peak between grid points is not missed.
 */
export function measureAliasRejection(
  resample: ResampleFn,
  inputRate: number,
  outputRate: number,
  options: SweepOptions & { fromHz?: number; toHz?: number; stepHz?: number } = {},
): AliasResult {
  const o = { ...DEFAULTS, ...options };
  const fromHz = options.fromHz ?? outputRate * (9 / 16);
  const toHz = options.toHz ?? inputRate / 2 - 20;
  const stepHz = options.stepHz ?? 25;
  const reference = outputRms(resample, 1000, inputRate, outputRate, o);
  let worst = -Infinity;
  let worstHz = fromHz;
  let tones = 0;
  const probe = (f: number) => {
    const level = outputRms(resample, f, inputRate, outputRate, o) / reference;
    tones++;
    if (level > worst) {
      worst = level;
      worstHz = f;
    }
  };
  for (let f = fromHz; f <= toHz; f += stepHz) probe(f);
  if (toHz > fromHz) probe(toHz);
  const coarse = worstHz;
  for (let f = Math.max(fromHz, coarse - stepHz); f <= Math.min(toHz, coarse + stepHz); f += 2) probe(f);
  return { worstRejectionDb: -toDb(worst), worstFrequencyHz: worstHz, tones };
}

export interface RippleResult {
  /** max - min of the passband gain, dB. */
  rippleDb: number;
  minGainDb: number;
  maxGainDb: number;
}

/** Passband ripple: gain of tones from `fromHz` to `toHz` (default 50..7000 Hz). */
export function measurePassbandRipple(
  resample: ResampleFn,
  inputRate: number,
  outputRate: number,
  options: SweepOptions & { fromHz?: number; toHz?: number; stepHz?: number } = {},
): RippleResult {
  const fromHz = options.fromHz ?? 50;
  const toHz = options.toHz ?? outputRate * (7 / 16);
  const stepHz = options.stepHz ?? 50;
  let min = Infinity;
  let max = -Infinity;
  for (let f = fromHz; f <= toHz + 1e-9; f += stepHz) {
    const g = toDb(toneGain(resample, f, inputRate, outputRate, options));
    min = Math.min(min, g);
    max = Math.max(max, g);
  }
  return { rippleDb: max - min, minGainDb: min, maxGainDb: max };
}

/** Feeds a stateful block resampler in `blockFrames` blocks and joins the output. */
export function inBlocks(process: (block: Float32Array) => ArrayLike<number>, blockFrames = 128): ResampleFn {
  return (input) => {
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += blockFrames) {
      const out = process(input.subarray(i, Math.min(i + blockFrames, input.length)));
      parts.push(...Array.from(out));
    }
    return Float64Array.from(parts);
  };
}
