/**
 * What the PCM worklet does to each render quantum, as plain code that runs (and is tested) in
 * Node: downmix -> resample to 16 kHz -> Int16 -> 20 ms frames with their level.
 * A meeting feeds the worklet two inputs (tab, microphone): createInputsPipeline runs one pipeline
 * per input, each with its own resampler state, and posts their frames together.
 *
 * Steady state allocates only what must be new: each frame's buffer (it is transferred to the
 * offscreen document) and the message object around it.
 */
import { peak, rms } from './level';
import { FRAME_SAMPLES, SAMPLE_RATE } from './format';
import { downmixToMono, FrameAssembler, type WorkletFrame } from './pcm';
import { StreamingResampler } from './resampler';

export interface PcmPipeline {
  readonly inputRate: number;
  /** Group delay of the resampler: a frame's audio started this much before its nominal time. */
  readonly delaySeconds: number;
  /** One block of input (any length; each channel the same length). Returns frames emitted. */
  push(channels: readonly Float32Array[]): number;
  /** Drops buffered audio and filter history. */
  reset(): void;
}

export interface PcmPipelineOptions {
  frameSamples?: number;
}

export function createPcmPipeline(
  inputRate: number,
  onFrame: (frame: WorkletFrame) => void,
  options: PcmPipelineOptions = {},
): PcmPipeline {
  const resampler = new StreamingResampler(inputRate, SAMPLE_RATE);
  let emitted = 0;
  const assembler = new FrameAssembler((frame) => {
    emitted++;
    onFrame({ pcm: frame.buffer as ArrayBuffer, rms: rms(frame), peak: peak(frame) });
  }, options.frameSamples ?? FRAME_SAMPLES);

  // Scratch buffers sized for 128-frame quanta. A block of another length replaces them; the
  // render quantum has one length per context, so in practice that happens at most once.
  let mono = new Float32Array(128);
  let resampled = new Float32Array(resampler.maxOutputFrames(128));

  return {
    inputRate: resampler.inputRate,
    delaySeconds: resampler.delaySeconds,
    push(channels) {
      const frames = channels[0]?.length ?? 0;
      if (frames === 0) return 0;
      if (mono.length !== frames) mono = new Float32Array(frames);
      const need = resampler.maxOutputFrames(frames);
      if (resampled.length < need) resampled = new Float32Array(need);
      const count = resampler.processInto(downmixToMono(channels, mono), resampled);
      emitted = 0;
      assembler.pushFloat(resampled, count);
      return emitted;
    },
    reset() {
      resampler.reset();
      assembler.reset();
    },
  };
}

/** One frame per input, all covering the same 20 ms of capture time, in input order. */
export type WorkletFrames = WorkletFrame[];

export interface InputsPipeline {
  readonly inputCount: number;
  /**
   * One render quantum: `inputs[i]` is input i's channels. An input with no channels (its stream
   * ended, or it is not connected yet) counts as silence of the quantum's length, so every input
   * keeps the same number of frames and the frames stay paired in time.
   */
  push(inputs: readonly (readonly Float32Array[] | undefined)[]): number;
}

export function createInputsPipeline(
  inputRate: number,
  inputCount: number,
  onFrames: (frames: WorkletFrames) => void,
  options: PcmPipelineOptions = {},
): InputsPipeline {
  if (!Number.isInteger(inputCount) || inputCount < 1) throw new RangeError(`inputCount must be a positive integer, got ${inputCount}`);
  // Each input's frames wait here until every input has produced the frame of the same time.
  const pending: WorkletFrame[][] = [];
  const pipelines: PcmPipeline[] = [];
  for (let i = 0; i < inputCount; i++) {
    const queue: WorkletFrame[] = [];
    pending.push(queue);
    pipelines.push(createPcmPipeline(inputRate, (frame) => queue.push(frame), options));
  }
  let silence = new Float32Array(128);
  return {
    inputCount,
    push(inputs) {
      const length = inputs.find((channels) => channels !== undefined && channels.length > 0)?.[0]?.length ?? 0;
      if (length === 0) return 0;
      if (silence.length !== length) silence = new Float32Array(length);
      pipelines.forEach((pipeline, i) => {
        const channels = inputs[i];
        pipeline.push(channels !== undefined && channels.length > 0 ? channels : [silence]);
      });
      let posted = 0;
      while (pending.every((queue) => queue.length > 0)) {
        onFrames(pending.map((queue) => queue.shift() as WorkletFrame));
        posted++;
      }
      return posted;
    },
  };
}
