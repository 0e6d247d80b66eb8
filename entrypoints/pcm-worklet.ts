/**
 * The AudioWorkletProcessor 'captionist-pcm', built by WXT as the unlisted script /pcm-worklet.js
 * and loaded with `audioWorklet.addModule`. Each render quantum goes through the PCM pipeline
 * (downmix, 16 kHz resample, Int16, 20 ms frames; see lib/audio/pcm-pipeline.ts), one pipeline per
 * input (`processorOptions.inputCount`, 1 by default; a meeting has 2: tab, microphone), and every
 * 20 ms the inputs' frames are posted together as WorkletFrames with their buffers transferred.
 * The node's output stays silent.
 *
 * WXT imports this file in Node at build time, so everything runs inside main().
 */
import { defineUnlistedScript } from '#imports';
import { createInputsPipeline, type InputsPipeline, type WorkletFrames } from '@/lib/audio/pcm-pipeline';
import { PCM_PROCESSOR_NAME, type PcmProcessorOptions } from '@/lib/audio/pcm';

// AudioWorkletGlobalScope names (TypeScript has no audioworklet lib). Declared in this module
// only, so they do not leak into the rest of the project as globals.
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new (options?: ProcessorConstruction) => AudioWorkletProcessorBase): void;
declare const AudioWorkletProcessor: new (options?: ProcessorConstruction) => AudioWorkletProcessorBase;
interface ProcessorConstruction {
  processorOptions?: Partial<PcmProcessorOptions>;
}
interface AudioWorkletProcessorBase {
  readonly port: MessagePort;
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}

export default defineUnlistedScript(() => {
  class CaptionistPcmProcessor extends AudioWorkletProcessor {
    private readonly pipeline: InputsPipeline;

    constructor(options?: ProcessorConstruction) {
      super(options);
      const inputCount = options?.processorOptions?.inputCount ?? 1;
      this.pipeline = createInputsPipeline(sampleRate, inputCount, (frames: WorkletFrames) => {
        this.port.postMessage(
          frames,
          frames.map((frame) => frame.pcm),
        );
      });
    }

    override process(inputs: Float32Array[][]): boolean {
      // An input with no channels (not connected, or its stream ended) is silence for its pipeline.
      this.pipeline.push(inputs);
      return true;
    }
  }
  registerProcessor(PCM_PROCESSOR_NAME, CaptionistPcmProcessor);
});
