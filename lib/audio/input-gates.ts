/**
 * The VAD gate for one or more inputs sent as one interleaved stream (a meeting: channel 0 the
 * tab, channel 1 the microphone). Each input has its own VadGate; the stream carries a frame when
 * any input's gate lets it through, and then carries every input's real audio for that frame.
 *
 * Why every input, not zeros for the quiet one: when one input is already sending and the other's
 * gate opens, that gate releases its pre-roll (frames from before the onset). Those frames have
 * already gone out as part of the joint stream, so only if they carried the real audio is the
 * onset of the second speaker kept. One joint stream also means one timeline: gating one input
 * never shifts the other's times, and a reconnect replays both at once.
 */
import { FRAME_SAMPLES, FRAME_SECONDS } from './format';
import { VadGate, type VadOptions } from './vad';

export interface StreamFrame {
  /** FRAME_SAMPLES samples per input, interleaved (input 0, input 1, ...). Valid until the next push. */
  pcm: Int16Array;
  /** Capture time of the frame (seconds since capture began). */
  captureStart: number;
}

export class InputGates {
  private readonly gates: VadGate[];
  /** The last frames of every input, by frame index modulo its length (what a pre-roll may need). */
  private readonly history: Int16Array[];
  private readonly historyLength: number;
  private lastSentIndex = -1;
  private nextIndex = 0;

  constructor(
    readonly inputCount: number,
    vadOptions: VadOptions = {},
  ) {
    if (!Number.isInteger(inputCount) || inputCount < 1) throw new RangeError(`inputCount must be a positive integer, got ${inputCount}`);
    this.gates = Array.from({ length: inputCount }, () => new VadGate(vadOptions));
    this.historyLength = Math.max(...this.gates.map((gate) => gate.lookbackFrames)) + 1;
    this.history = Array.from({ length: this.historyLength }, () => new Int16Array(FRAME_SAMPLES * inputCount));
  }

  /** True while the stream is sending (any input's gate open). */
  get isOpen(): boolean {
    return this.gates.some((gate) => gate.isOpen);
  }

  /**
   * One 20 ms frame of every input (`frames[i]` is input i's FRAME_SAMPLES samples), all captured
   * at the next frame time. Returns the interleaved frames to send now, oldest first.
   */
  push(frames: readonly Int16Array[]): readonly StreamFrame[] {
    if (frames.length !== this.inputCount) throw new RangeError(`InputGates.push expects ${this.inputCount} frames, got ${frames.length}`);
    const index = this.nextIndex++;
    const captureStart = index * FRAME_SECONDS;
    const slot = this.history[index % this.historyLength] as Int16Array;
    interleave(frames, slot);

    // Each gate releases a run of frames that ends with this one; the union is one run too.
    let firstReleased = Number.POSITIVE_INFINITY;
    frames.forEach((frame, input) => {
      const released = (this.gates[input] as VadGate).push(frame, captureStart);
      const first = released[0];
      if (first !== undefined) firstReleased = Math.min(firstReleased, Math.round(first.captureStart / FRAME_SECONDS));
    });
    if (firstReleased === Number.POSITIVE_INFINITY) return NOTHING;

    const from = Math.max(firstReleased, this.lastSentIndex + 1, index - this.historyLength + 1);
    const sent: StreamFrame[] = [];
    for (let i = from; i <= index; i++) {
      sent.push({ pcm: this.history[i % this.historyLength] as Int16Array, captureStart: i * FRAME_SECONDS });
    }
    this.lastSentIndex = index;
    return sent;
  }
}

const NOTHING: readonly StreamFrame[] = Object.freeze([]);

/** Sample-by-sample interleave of equal-length frames into `out` (one frame is a plain copy). */
export function interleave(frames: readonly Int16Array[], out: Int16Array): Int16Array {
  const count = frames.length;
  if (count === 1) {
    out.set(frames[0] as Int16Array);
    return out;
  }
  for (let input = 0; input < count; input++) {
    const frame = frames[input] as Int16Array;
    if (frame.length !== FRAME_SAMPLES) throw new RangeError(`Expected ${FRAME_SAMPLES}-sample frames, got ${frame.length}`);
    for (let i = 0; i < FRAME_SAMPLES; i++) out[i * count + input] = frame[i] as number;
  }
  return out;
}
