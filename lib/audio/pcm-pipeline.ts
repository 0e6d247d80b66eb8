/**
 * What the PCM worklet does to each render quantum, as plain code that runs (and is tested) in
 * Node: downmix -> resample to 16 kHz -> Int16 -> 20 ms frames with their level.
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
