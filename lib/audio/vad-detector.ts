/**
 * Per-frame speech detection for the VAD gate: band energy (300-3400 Hz) against an adaptive noise
 * floor, reported as two levels (onset and offset thresholds: the hysteresis). The gate in vad.ts
 * turns them into open/close decisions with pre-roll and hangover.
 *
 * Cost per frame (format.ts: 20 ms, 320 samples): two biquads and a sum over its samples, one log10, an 8-entry minimum.
 * No allocation.
 */
import { SAMPLE_RATE } from './format';

/** 0: background. 1: speech-like enough to keep an open gate open. 2: strong enough to open it. */
export type FrameVerdict = 0 | 1 | 2;
export const VERDICT_NOISE: FrameVerdict = 0;
export const VERDICT_HOLD: FrameVerdict = 1;
export const VERDICT_ONSET: FrameVerdict = 2;

/** Anything that classifies 20 ms frames can drive the gate (VadOptions.detector); BandEnergyDetector is the built-in one. */
export interface SpeechDetector {
  classify(frame: Int16Array): FrameVerdict;
  /** 0 (sends the most) .. 1 (gates the most). */
  setSensitivity(sensitivity: number): void;
  reset(): void;
}

export interface BandEnergyDetectorOptions {
  sampleRate?: number;
  sensitivity?: number;
}

/** Lowest frame level, so digital silence does not drag the noise floor to -Infinity. */
const MIN_DB = -90;
/** The noise floor is the minimum over FLOOR_BLOCKS blocks of FLOOR_BLOCK_S (2 s in all). */
const FLOOR_BLOCKS = 8;
const FLOOR_BLOCK_S = 0.25;
/** Background frames less than this far above the floor feed the spread estimate. */
const SPREAD_WINDOW_DB = 8;
/** Per-frame smoothing of the spread estimate (time constant about 1 s at 50 frames/s). */
const SPREAD_ALPHA = 0.02;

type Biquad = readonly [b0: number, b1: number, b2: number, a1: number, a2: number];

/** RBJ-cookbook Butterworth (Q = 1/sqrt 2) biquad, normalised by a0. */
function biquad(kind: 'lowpass' | 'highpass', f0: number, sampleRate: number): Biquad {
  const w0 = (2 * Math.PI * f0) / sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const k = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  return [k / a0, b1 / a0, k / a0, (-2 * cos) / a0, (1 - alpha) / a0];
}

export function clampSensitivity(sensitivity: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(sensitivity) ? sensitivity : 0.5));
}

export class BandEnergyDetector implements SpeechDetector {
  // Band-pass = high-pass at 300 Hz then low-pass at 3400 Hz: the telephone band holds most speech
  // energy and little of the rumble, hum and pink/brown background that dominate below 300 Hz.
  private readonly hp: Biquad;
  private readonly lp: Biquad;
  private hx1 = 0;
  private hx2 = 0;
  private hy1 = 0;
  private hy2 = 0;
  private ly1 = 0;
  private ly2 = 0;

  private onsetDb = 8;
  private offsetDb = 3;
  /** Mean height of background frames above the floor (the floor is their minimum). */
  private spread = 1;
  private floor = MIN_DB;

  private readonly samplesPerBlock: number;
  private readonly blockMins = new Float64Array(FLOOR_BLOCKS).fill(Infinity);
  private blockIndex = 0;
  private blockMin = Infinity;
  private blockSamples = 0;

  /** Last frame's band level, dBFS (for tests and diagnostics). */
  levelDb = MIN_DB;

  constructor(options: BandEnergyDetectorOptions = {}) {
    const rate = options.sampleRate ?? SAMPLE_RATE;
    this.hp = biquad('highpass', 300, rate);
    this.lp = biquad('lowpass', 3400, rate);
    this.samplesPerBlock = Math.round(FLOOR_BLOCK_S * rate);
    this.setSensitivity(options.sensitivity ?? 0.5);
  }

  /** Current noise floor (band level), dBFS. */
  get noiseFloorDb(): number {
    return this.floor;
  }

  setSensitivity(sensitivity: number): void {
    // Above the background's mean level (floor + spread): offset 2..4 dB, onset 5 dB higher.
    this.offsetDb = 2 + 2 * clampSensitivity(sensitivity);
    this.onsetDb = this.offsetDb + 5;
  }

  reset(): void {
    this.hx1 = this.hx2 = this.hy1 = this.hy2 = this.ly1 = this.ly2 = 0;
    this.floor = MIN_DB;
    this.spread = 1;
    this.levelDb = MIN_DB;
    this.blockMins.fill(Infinity);
    this.blockIndex = 0;
    this.blockMin = Infinity;
    this.blockSamples = 0;
  }

  classify(frame: Int16Array): FrameVerdict {
    const n = frame.length;
    if (n === 0) return VERDICT_NOISE;
    // Indexed reads, not destructuring, so nothing here can allocate an iterator.
    const hp = this.hp;
    const lp = this.lp;
    const hb0 = hp[0];
    const hb1 = hp[1];
    const hb2 = hp[2];
    const ha1 = hp[3];
    const ha2 = hp[4];
    const lb0 = lp[0];
    const lb1 = lp[1];
    const lb2 = lp[2];
    const la1 = lp[3];
    const la2 = lp[4];
    let hx1 = this.hx1;
    let hx2 = this.hx2;
    let hy1 = this.hy1;
    let hy2 = this.hy2;
    let ly1 = this.ly1;
    let ly2 = this.ly2;
    let band = 0;
    for (let i = 0; i < n; i++) {
      const x = (frame[i] as number) / 32768;
      const h = hb0 * x + hb1 * hx1 + hb2 * hx2 - ha1 * hy1 - ha2 * hy2;
      hx2 = hx1;
      hx1 = x;
      // The low-pass input is the high-pass output, so its input history is hy1/hy2.
      const l = lb0 * h + lb1 * hy1 + lb2 * hy2 - la1 * ly1 - la2 * ly2;
      hy2 = hy1;
      hy1 = h;
      ly2 = ly1;
      ly1 = l;
      band += l * l;
    }
    this.hx1 = hx1;
    this.hx2 = hx2;
    this.hy1 = hy1;
    this.hy2 = hy2;
    this.ly1 = ly1;
    this.ly2 = ly2;

    const db = Math.max(MIN_DB, 10 * Math.log10(band / n + 1e-30));
    this.levelDb = db;
    this.trackFloor(db, n);
    const excess = db - this.floor;
    // Background frames fluctuate around a level above their minimum (about 1 dB for pink noise,
    // 2 dB for rumble); thresholds count from that mean, so they sit above typical background.
    // Only frames judged background update it: speech in heavy noise would otherwise inflate it
    // and deafen the detector exactly when it needs to hear.
    const snr = excess - this.spread;
    const verdict = snr > this.onsetDb ? VERDICT_ONSET : snr > this.offsetDb ? VERDICT_HOLD : VERDICT_NOISE;
    if (verdict === VERDICT_NOISE && excess < SPREAD_WINDOW_DB) this.spread += (excess - this.spread) * SPREAD_ALPHA;
    return verdict;
  }

  /**
   * Minimum statistics: the floor is the quietest frame of the last ~2 s (kept as per-250 ms
   * minima in a fixed ring). A louder background is learnt within 2 s; speech cannot lift the
   * floor over itself unless it runs 2 s without a single pause.
   */
  private trackFloor(db: number, samples: number): void {
    if (db < this.blockMin) this.blockMin = db;
    this.blockSamples += samples;
    if (this.blockSamples >= this.samplesPerBlock) {
      this.blockMins[this.blockIndex] = this.blockMin;
      this.blockIndex = (this.blockIndex + 1) % FLOOR_BLOCKS;
      this.blockMin = Infinity;
      this.blockSamples = 0;
    }
    let min = this.blockMin;
    for (let i = 0; i < FLOOR_BLOCKS; i++) {
      const m = this.blockMins[i] as number;
      if (m < min) min = m;
    }
    this.floor = min;
  }
}
