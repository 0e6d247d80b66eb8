/**
 * The peers `npm run bench:vad` compares our gate with:
 * - the seed-style VAD: RMS of the 20 ms float frame against a fixed 0.01, sends while above and
 *   for 1 s after, no pre-roll;
 * - WebRTC's VAD (libfvad via @echogarden/fvad-wasm), modes 0-3, raw or driving our gate (same
 *   pre-roll and hangover as ours, for fairness).
 */
import createFvad, { type FvadModule } from '@echogarden/fvad-wasm';
import { VERDICT_NOISE, VERDICT_ONSET, type FrameVerdict, type SpeechDetector } from '../lib/audio/vad-detector';

/** Anything that decides per frame which frames go out (by capture time). */
export interface FrameGate {
  /** Returns the capture times of the frames sent because of this push. */
  push(frame: Int16Array, captureStart: number): readonly { captureStart: number }[];
}

export class SeedStyleVad implements FrameGate {
  private hangLeft = 0;
  private readonly out = [{ captureStart: 0 }];
  private static readonly NONE: readonly { captureStart: number }[] = [];

  constructor(
    private readonly threshold = 0.01,
    private readonly hangFrames = 50,
  ) {}

  push(frame: Int16Array, captureStart: number): readonly { captureStart: number }[] {
    let sum = 0;
    for (const sample of frame) {
      const v = sample / 32768;
      sum += v * v;
    }
    if (Math.sqrt(sum / frame.length) > this.threshold) this.hangLeft = this.hangFrames + 1;
    if (this.hangLeft <= 0) return SeedStyleVad.NONE;
    this.hangLeft--;
    (this.out[0] as { captureStart: number }).captureStart = captureStart;
    return this.out;
  }
}

let fvadModule: Promise<FvadModule> | null = null;
export function loadFvad(): Promise<FvadModule> {
  fvadModule ??= createFvad();
  return fvadModule;
}

/** One libfvad instance at 16 kHz; classify() copies the frame into WASM memory. */
export class FvadDetector implements SpeechDetector {
  private readonly inst: number;
  private readonly ptr: number;

  constructor(
    private readonly m: FvadModule,
    private readonly mode: 0 | 1 | 2 | 3,
    frameSamples = 320,
  ) {
    this.inst = m._fvad_new();
    if (this.inst === 0) throw new Error('fvad_new failed');
    if (m._fvad_set_mode(this.inst, mode) !== 0 || m._fvad_set_sample_rate(this.inst, 16_000) !== 0) {
      throw new Error('fvad configuration rejected');
    }
    this.ptr = m._malloc(frameSamples * 2);
  }

  classify(frame: Int16Array): FrameVerdict {
    // HEAP16 is re-read each time: Emscripten replaces it if memory grows.
    this.m.HEAP16.set(frame, this.ptr >> 1);
    const r = this.m._fvad_process(this.inst, this.ptr, frame.length);
    if (r < 0) throw new Error('fvad_process rejected the frame');
    return r === 1 ? VERDICT_ONSET : VERDICT_NOISE;
  }

  setSensitivity(): void {
    // The mode is WebRTC's sensitivity; fixed per instance.
  }

  reset(): void {
    this.m._fvad_reset(this.inst);
    this.m._fvad_set_mode(this.inst, this.mode);
    this.m._fvad_set_sample_rate(this.inst, 16_000);
  }

  dispose(): void {
    this.m._free(this.ptr);
    this.m._fvad_free(this.inst);
  }
}

/** WebRTC's decisions as they are: a frame is sent when fvad calls it speech. */
export class RawDetectorGate implements FrameGate {
  private readonly out = [{ captureStart: 0 }];
  private static readonly NONE: readonly { captureStart: number }[] = [];

  constructor(private readonly detector: SpeechDetector) {}

  push(frame: Int16Array, captureStart: number): readonly { captureStart: number }[] {
    if (this.detector.classify(frame) === VERDICT_NOISE) return RawDetectorGate.NONE;
    (this.out[0] as { captureStart: number }).captureStart = captureStart;
    return this.out;
  }
}
