/**
 * The AudioWorkletProcessor 'captionist-pcm', built by WXT as the unlisted script /pcm-worklet.js
 * and loaded with `audioWorklet.addModule`. Each render quantum goes through the PCM pipeline
 * (downmix, 16 kHz resample, Int16, 20 ms frames; see lib/audio/pcm-pipeline.ts) and every full
 * frame is posted as a WorkletFrame with its buffer transferred. The node's output stays silent.
 *
 * WXT imports this file in Node at build time, so everything runs inside main().
 */
import { defineUnlistedScript } from '#imports';
import { createPcmPipeline } from '@/lib/audio/pcm-pipeline';
import { PCM_PROCESSOR_NAME, type WorkletFrame } from '@/lib/audio/pcm';

// AudioWorkletGlobalScope names (TypeScript has no audioworklet lib). Declared in this module
// only, so they do not leak into the rest of the project as globals.
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessorBase): void;
declare const AudioWorkletProcessor: new () => AudioWorkletProcessorBase;
interface AudioWorkletProcessorBase {
  readonly port: MessagePort;
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}

export default defineUnlistedScript(() => {
  class CaptionistPcmProcessor extends AudioWorkletProcessor {
    private readonly pipeline = createPcmPipeline(sampleRate, (frame: WorkletFrame) => {
      this.port.postMessage(frame, [frame.pcm]);
    });

    override process(inputs: Float32Array[][]): boolean {
      // An unconnected input has no channels: nothing to send for this quantum.
      const channels = inputs[0];
      if (channels !== undefined && channels.length > 0) this.pipeline.push(channels);
      return true;
    }
  }
  registerProcessor(PCM_PROCESSOR_NAME, CaptionistPcmProcessor);
});
