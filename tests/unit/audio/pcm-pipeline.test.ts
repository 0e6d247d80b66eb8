import { describe, expect, it } from 'vitest';
import { toneAmplitude } from '@/testkit/audio-measure';
import { type WorkletFrame } from '@/lib/audio/pcm';
import { createPcmPipeline } from '@/lib/audio/pcm-pipeline';
import { StreamingResampler } from '@/lib/audio/resampler';

function tone(freq: number, rate: number, frames: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
}

function run(rate: number, channels: Float32Array[], block = 128): WorkletFrame[] {
  const frames: WorkletFrame[] = [];
  const pipeline = createPcmPipeline(rate, (frame) => frames.push(frame));
  const length = channels[0]!.length;
  for (let at = 0; at < length; at += block) {
    pipeline.push(channels.map((c) => c.subarray(at, Math.min(at + block, length))));
  }
  return frames;
}

describe('createPcmPipeline (what the worklet runs per render quantum)', () => {
  it('turns 1 s of 48 kHz stereo into fifty 20 ms Int16 frames with their level', () => {
    const left = tone(440, 48000, 48000, 0.5);
    const frames = run(48000, [left, left]);
    expect(frames.length).toBe(50);
    for (const frame of frames) expect(frame.pcm.byteLength).toBe(640);
    const steady = frames.slice(2);
    for (const frame of steady) {
      expect(frame.peak).toBeGreaterThan(0.45);
      expect(frame.peak).toBeLessThanOrEqual(0.5 + 1e-3);
      expect(frame.rms).toBeGreaterThan(0.34);
      expect(frame.rms).toBeLessThan(0.37);
    }
    // The samples are the 440 Hz tone at 16 kHz.
    const samples = Float32Array.from(frames.flatMap((f) => Array.from(new Int16Array(f.pcm), (v) => v / 32768)));
    expect(toneAmplitude(samples, 440, 16000, 1000)).toBeCloseTo(0.5, 2);
  });

  it('sends exactly the resampler output, quantised, at 44.1 kHz', () => {
    const input = tone(1234, 44100, 44100, 0.8);
    const frames = run(44100, [input]);
    const reference = new StreamingResampler(44100).process(input);
    const sent = frames.flatMap((f) => Array.from(new Int16Array(f.pcm)));
    expect(frames.length).toBe(Math.floor(reference.length / 320));
    for (let i = 0; i < sent.length; i++) expect(sent[i]).toBe(Math.max(-32768, Math.min(32767, Math.round(reference[i]! * 32768))) + 0); // + 0: no negative zero in Int16
  });

  it('gives the same frames for mono and for identical stereo channels, whatever the block size', () => {
    const mono = tone(300, 48000, 9600, 0.3);
    const a = run(48000, [mono]).map((f) => Array.from(new Int16Array(f.pcm)));
    const b = run(48000, [mono, Float32Array.from(mono)], 256).map((f) => Array.from(new Int16Array(f.pcm)));
    expect(b).toEqual(a);
  });

  it('ignores a block with no channels (an unconnected input)', () => {
    const pipeline = createPcmPipeline(48000, () => undefined);
    expect(pipeline.push([])).toBe(0);
    expect(pipeline.delaySeconds).toBeGreaterThan(0);
  });

  it('starts over after reset()', () => {
    const frames: WorkletFrame[] = [];
    const pipeline = createPcmPipeline(16000, (frame) => frames.push(frame));
    pipeline.push([new Float32Array(200).fill(0.5)]);
    pipeline.reset();
    pipeline.push([new Float32Array(320).fill(-0.25)]);
    expect(frames.length).toBe(1);
    expect(Array.from(new Int16Array(frames[0]!.pcm))).toEqual(new Array(320).fill(-8192));
  });
});
