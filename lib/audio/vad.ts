/**
 * The VAD gate: decides, per 20 ms frame of 16 kHz mono Int16, what is sent to the recognizer.
 *
 * - Opens on an onset run: consecutive speech-like frames that hold `onsetFrames` strong ones, or
 *   that last `holdRunFrames` (a soft but sustained rise). Everything in the pre-roll buffer (at
 *   least 300 ms before the run began) is released first, in order, with the original capture
 *   times, so word starts are never cut.
 * - Stays open while frames are at least speech-like (the detector's lower, offset threshold), and
 *   for a hangover (at least 500 ms) after the last such frame, so pauses inside sentences pass.
 * - `enabled: false` sends every frame (the detector keeps learning the noise floor meanwhile).
 *
 * No allocation per frame in steady state: frames are copied into a fixed ring while the gate is
 * closed, and the returned arrays and GatedFrame objects are reused.
 */
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE } from './format';
import { BandEnergyDetector, clampSensitivity, VERDICT_NOISE, VERDICT_ONSET, type SpeechDetector } from './vad-detector';

/** Floors the product promises: pre-roll and hangover are never shorter than these. */
export const MIN_PRE_ROLL_MS = 300;
export const MIN_HANGOVER_MS = 500;

export interface GatedFrame {
  /**
   * The audio to send. Valid only until the next `push()` (it may be a view of the gate's
   * pre-roll ring or the caller's own frame): send or copy it before pushing again.
   */
  readonly pcm: Int16Array;
  /** Capture start of this frame, seconds of meeting time (as given to `push`). */
  readonly captureStart: number;
  /** Length in seconds (samples / 16 kHz). */
  readonly duration: number;
}

export interface VadOptions {
  /** false: every frame is sent. Default true. */
  enabled?: boolean;
  /** 0 (sends the most) .. 1 (gates the most). Default 0.5. */
  sensitivity?: number;
  /** Audio released before the onset; clamped to >= 300 ms. Default 400 ms. */
  preRollMs?: number;
  /**
   * Audio sent after the last speech-like frame; clamped to >= 500 ms. Default follows the
   * sensitivity: 700 ms at 0, 600 ms at 0.5, 500 ms at 1.
   */
  hangoverMs?: number;
  /** Strong frames within one onset run needed to open (rejects single clicks). Default 2. */
  onsetFrames?: number;
  /** Speech-like frames in a row that open the gate even without strong ones. Default 5 (100 ms). */
  holdRunFrames?: number;
  /** Replaces the built-in band-energy detector: any SpeechDetector (lib/audio/vad-detector.ts) can drive the gate. */
  detector?: SpeechDetector;
}

export type VadSettingsUpdate = Pick<VadOptions, 'enabled' | 'sensitivity'>;

interface MutableGatedFrame {
  pcm: Int16Array;
  captureStart: number;
  duration: number;
}

export class VadGate {
  private readonly detector: SpeechDetector;
  private enabled: boolean;
  private readonly onsetFrames: number;
  private readonly holdRunFrames: number;
  private readonly preRollFrames: number;
  private readonly fixedHangoverMs: number | undefined;
  private hangoverFrames = 0;

  // Pre-roll ring: `ringSize` slots of one frame each; holds only frames that were not sent.
  private readonly ringSize: number;
  private readonly ringSamples: Int16Array;
  private readonly ringFrames: MutableGatedFrame[];
  private ringStart = 0;
  private ringCount = 0;

  // Reused outputs: outputsByLength[n] is an array of length n.
  private readonly outputsByLength: MutableGatedFrame[][];
  private readonly passthrough: MutableGatedFrame = { pcm: new Int16Array(0), captureStart: 0, duration: 0 };

  private open = false;
  /** Current onset run while closed: its length and how many of its frames were strong. */
  private runLength = 0;
  private runStrong = 0;
  private hangLeft = 0;

  constructor(options: VadOptions = {}) {
    this.detector = options.detector ?? new BandEnergyDetector({ sampleRate: SAMPLE_RATE });
    this.enabled = options.enabled ?? true;
    this.fixedHangoverMs = options.hangoverMs;
    this.applySensitivity(options.sensitivity ?? 0.5);
    this.onsetFrames = Math.max(1, Math.round(options.onsetFrames ?? 2));
    this.holdRunFrames = Math.max(this.onsetFrames, Math.round(options.holdRunFrames ?? 5));
    // The pre-roll counts back from the first frame of the onset run, so the ring also holds the
    // run. A run longer than holdRunFrames always opens, so it never outgrows the ring.
    this.preRollFrames = Math.ceil(Math.max(MIN_PRE_ROLL_MS, options.preRollMs ?? 400) / FRAME_MS - 1e-9);
    this.ringSize = this.preRollFrames + this.holdRunFrames;
    this.ringSamples = new Int16Array(this.ringSize * FRAME_SAMPLES);
    this.ringFrames = [];
    for (let i = 0; i < this.ringSize; i++) {
      this.ringFrames.push({
        pcm: this.ringSamples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES),
        captureStart: 0,
        duration: FRAME_SAMPLES / SAMPLE_RATE,
      });
    }
    this.outputsByLength = [];
    for (let n = 0; n <= this.ringSize; n++) this.outputsByLength.push(this.ringFrames.slice(0, n));
  }

  /** The most frames before the current one that an opening can release (its pre-roll ring). */
  get lookbackFrames(): number {
    return this.ringSize;
  }

  /** True while frames are being sent (always when disabled). The socket sends KeepAlive when false. */
  get isOpen(): boolean {
    return !this.enabled || this.open;
  }

  /** Applies a settings change live. Turning the gate on starts it open, in hangover. */
  configure(update: VadSettingsUpdate): void {
    if (update.sensitivity !== undefined) this.applySensitivity(update.sensitivity);
    if (update.enabled !== undefined && update.enabled !== this.enabled) {
      this.enabled = update.enabled;
      this.ringCount = 0;
      this.runLength = this.runStrong = 0;
      this.open = true;
      this.hangLeft = this.hangoverFrames;
    }
  }

  /** Forgets the noise floor and buffered audio (a new capture source). */
  reset(): void {
    this.detector.reset();
    this.ringCount = 0;
    this.runLength = this.runStrong = 0;
    this.open = false;
    this.hangLeft = 0;
  }

  /**
   * Feeds one 20 ms frame (320 samples) captured at `captureStart` (seconds, meeting time) and
   * returns the frames to send now, oldest first (empty while gated). See GatedFrame for lifetime.
   */
  push(frame: Int16Array, captureStart: number): readonly GatedFrame[] {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`VadGate.push expects ${FRAME_SAMPLES}-sample frames, got ${frame.length}`);
    }
    const verdict = this.detector.classify(frame);
    if (!this.enabled) return this.sendThrough(frame, captureStart);

    if (this.open) {
      if (verdict === VERDICT_NOISE) {
        this.hangLeft--;
        if (this.hangLeft <= 0) this.open = false; // this frame is the last of the hangover
      } else {
        this.hangLeft = this.hangoverFrames;
      }
      return this.sendThrough(frame, captureStart);
    }

    this.remember(frame, captureStart);
    if (verdict === VERDICT_NOISE) {
      this.runLength = this.runStrong = 0;
    } else {
      this.runLength++;
      if (verdict === VERDICT_ONSET) this.runStrong++;
    }
    if (this.runStrong < this.onsetFrames && this.runLength < this.holdRunFrames) {
      return this.outputsByLength[0] as MutableGatedFrame[];
    }

    // Onset: release the pre-roll before the run and the run itself (the current frame last).
    const count = Math.min(this.ringCount, this.preRollFrames + this.runLength);
    const first = this.ringStart + this.ringCount - count;
    const out = this.outputsByLength[count] as MutableGatedFrame[];
    for (let i = 0; i < count; i++) out[i] = this.ringFrames[(first + i) % this.ringSize] as MutableGatedFrame;
    this.open = true;
    this.runLength = this.runStrong = 0;
    this.hangLeft = this.hangoverFrames;
    this.ringCount = 0;
    return out;
  }

  private applySensitivity(sensitivity: number): void {
    const s = clampSensitivity(sensitivity);
    this.detector.setSensitivity(s);
    const ms = Math.max(MIN_HANGOVER_MS, this.fixedHangoverMs ?? 700 - 200 * s);
    this.hangoverFrames = Math.ceil(ms / FRAME_MS - 1e-9);
  }

  private sendThrough(frame: Int16Array, captureStart: number): readonly GatedFrame[] {
    const p = this.passthrough;
    p.pcm = frame;
    p.captureStart = captureStart;
    p.duration = frame.length / SAMPLE_RATE;
    const out = this.outputsByLength[1] as MutableGatedFrame[];
    out[0] = p;
    return out;
  }

  private remember(frame: Int16Array, captureStart: number): void {
    let slot: number;
    if (this.ringCount < this.ringSize) {
      slot = (this.ringStart + this.ringCount) % this.ringSize;
      this.ringCount++;
    } else {
      slot = this.ringStart; // overwrite the oldest
      this.ringStart = (this.ringStart + 1) % this.ringSize;
    }
    const entry = this.ringFrames[slot] as MutableGatedFrame;
    entry.pcm.set(frame);
    entry.captureStart = captureStart;
  }
}
