/**
 * Filter design for the streaming resampler: a Kaiser-windowed sinc prototype, split into
 * polyphase coefficient tables. Pure functions, computed once per input rate (in double precision,
 * stored as Float32).
 *
 * The targets (issue 3), for a 16 kHz output:
 *  - passband 0..7 kHz flat within 0.1 dB (wideband speech, G.722 / AMR-WB carry 50-7000 Hz);
 *  - every input tone from 9 kHz up to the input Nyquist rejected by >= 90 dB. A tone at 9 kHz
 *    folds to 7 kHz, so 9 kHz is the first frequency whose alias would land in the passband;
 *    tones between 8 and 9 kHz may alias into 7..8 kHz, which carries no speech we rely on.
 *
 * The transition band is therefore 7..9 kHz (4/16 of the output band either side of its
 * Nyquist). A Kaiser window meets both bands with one parameter set; the numbers below were
 * found by a search over (taps, beta, cutoff) and hold at every input rate because the tap count
 * scales with inputRate / transitionWidth:
 *  - beta 10.75 gives about 106 dB of stopband;
 *  - TAPS_PER_TRANSITION = 6.0: taps = 6.0 * inputRate / (stopEdge - passEdge), e.g. 144 at 48 kHz;
 *  - the cutoff sits 7.5 % of the transition width below its middle: the passband may err by
 *    0.1 dB (~6e-3) but the stopband only by ~5e-6, so the half of the transition that has to
 *    fall to the stopband floor gets the larger share.
 */

/** Kaiser window shape parameter: ~106 dB sidelobes. */
export const KAISER_BETA = 10.75;
/** Filter length, in input samples per unit of (transition width / input rate). */
export const TAPS_PER_TRANSITION = 6.0;
/** Cutoff offset below the middle of the transition band, as a share of its width. */
export const CUTOFF_SHIFT = 0.075;
/** Passband edge as a share of the narrower band: 7000 / 16000. */
export const PASSBAND_SHARE = 7 / 16;
/**
 * The largest number of polyphase phases (output positions between two input samples) we
 * tabulate. Every common AudioContext rate needs at most 640 (11025 Hz); odd rates such as
 * 44101 Hz would need 16000, so their ratio is approximated (see rationalRatio).
 */
export const MAX_PHASES = 1024;

export interface ResamplerDesign {
  /** Input rate in Hz (rounded to an integer). */
  readonly inputRate: number;
  /** The requested output rate in Hz. */
  readonly outputRate: number;
  /** Upsampling factor L: phases in the polyphase table. */
  readonly up: number;
  /** Downsampling factor M: input samples advanced per L outputs. */
  readonly down: number;
  /** Taps per phase (K), a multiple of 8 so the inner loops unroll evenly. */
  readonly taps: number;
  readonly beta: number;
  /** -6 dB point of the prototype, Hz. */
  readonly cutoffHz: number;
  readonly passbandEdgeHz: number;
  readonly stopbandEdgeHz: number;
  /**
   * Group delay in input samples: an output sample stands for the input signal this long
   * before the output's nominal position.
   */
  readonly delayInputSamples: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The ratio outputRate / inputRate as up/down in lowest terms, or, when that needs more than
 * `maxUp` phases, the best approximation with up <= maxUp (continued fractions). The
 * approximation changes the output rate by a few parts per million at most for audio rates.
 */
export function rationalRatio(inputRate: number, outputRate: number, maxUp = MAX_PHASES): { up: number; down: number } {
  const g = gcd(outputRate, inputRate);
  if (outputRate / g <= maxUp) return { up: outputRate / g, down: inputRate / g };
  // Convergents p/q of outputRate/inputRate; p is the phase count.
  let [p0, q0, p1, q1] = [0, 1, 1, 0];
  let x = outputRate / inputRate;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const p2 = a * p1 + p0;
    const q2 = a * q1 + q0;
    if (p2 > maxUp) break;
    [p0, q0, p1, q1] = [p1, q1, p2, q2];
    const rest = x - a;
    if (rest < 1e-12) break;
    x = 1 / rest;
  }
  return { up: p1, down: q1 };
}

export function designResampler(inputRate: number, outputRate: number): ResamplerDesign {
  const inRate = Math.round(inputRate);
  const outRate = Math.round(outputRate);
  if (!Number.isFinite(inRate) || !Number.isFinite(outRate) || inRate <= 0 || outRate <= 0) {
    throw new RangeError(`Sample rates must be positive, got ${inputRate} -> ${outputRate}`);
  }
  const { up, down } = rationalRatio(inRate, outRate);
  // The narrower of the two bands sets the filter: anti-alias when going down, anti-image up.
  const band = Math.min(inRate, outRate);
  const passbandEdgeHz = band * PASSBAND_SHARE;
  const stopbandEdgeHz = band - passbandEdgeHz;
  const transition = stopbandEdgeHz - passbandEdgeHz;
  const taps = Math.ceil((TAPS_PER_TRANSITION * inRate) / transition / 8) * 8;
  const cutoffHz = (passbandEdgeHz + stopbandEdgeHz) / 2 - CUTOFF_SHIFT * transition;
  return {
    inputRate: inRate,
    outputRate: outRate,
    up,
    down,
    taps,
    beta: KAISER_BETA,
    cutoffHz,
    passbandEdgeHz,
    stopbandEdgeHz,
    delayInputSamples: (taps * up - 1) / (2 * up),
  };
}

/** Modified Bessel function of the first kind, order 0 (power series; fine for beta < 50). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) * (x / 2);
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/**
 * The polyphase table: `up` phases of `taps` coefficients, phase p at [p * taps, (p + 1) * taps).
 *
 * The prototype is a windowed sinc of up * taps points on a grid `up` times finer than the
 * input. Output j sits at input time t = j * down / up = n + p / up (n whole, p the phase) and is
 *   y[j] = sum_k x[n - k] * h(p + k * up),  k = 0..taps-1,
 * which is the band-limited input at time t - delayInputSamples. Each phase is stored reversed
 * (oldest input sample first) so the hot loop walks input and coefficients forward together,
 * and each phase is normalised to a DC gain of exactly 1 so that no phase-dependent gain
 * modulates the signal.
 */
export function buildPhaseTable(design: ResamplerDesign): Float32Array {
  const { up, taps, beta, cutoffHz, inputRate } = design;
  const length = up * taps;
  const center = (length - 1) / 2;
  const halfWidth = length / 2;
  const normCutoff = (2 * cutoffHz) / inputRate; // sinc argument scale, per input sample
  const windowScale = 1 / besselI0(beta);
  const table = new Float32Array(length);
  const phase = new Float64Array(taps);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const m = p + k * up;
      const offset = m - center; // in fine-grid steps
      const x = (normCutoff * offset) / up;
      const sinc = Math.abs(x) < 1e-12 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = offset / halfWidth;
      const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) * windowScale;
      phase[k] = sinc * w;
      sum += sinc * w;
    }
    const base = p * taps;
    for (const [k, coefficient] of phase.entries()) table[base + taps - 1 - k] = coefficient / sum;
  }
  return table;
}
