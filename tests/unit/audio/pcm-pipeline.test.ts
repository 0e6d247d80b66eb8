import { describe, expect, it } from 'vitest';
import { toneAmplitude } from '@/testkit/audio-measure';
import { type WorkletFrame } from '@/lib/audio/pcm';
import { createInputsPipeline, createPcmPipeline, type WorkletFrames } from '@/lib/audio/pcm-pipeline';
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

describe('createInputsPipeline (a meeting: one pipeline per input, frames posted together)', () => {
  it('pairs each input frame with the same 20 ms of the other, each input resampled on its own', () => {
    const posted: WorkletFrames[] = [];
    const pipeline = createInputsPipeline(48000, 2, (frames) => posted.push(frames));
    const tab = tone(440, 48000, 48000, 0.5);
    const mic = tone(1000, 48000, 48000, 0.25);
    for (let at = 0; at < 48000; at += 128) pipeline.push([[tab.subarray(at, at + 128)], [mic.subarray(at, at + 128)]]);
    expect(posted.length).toBe(50);
    expect(posted.every((pair) => pair.length === 2)).toBe(true);
    const alone = run(48000, [mic]);
    // The microphone's frames are exactly what a pipeline of its own makes: no state is shared.
    posted.forEach((pair, i) => expect(new Int16Array(pair[1]!.pcm)).toEqual(new Int16Array(alone[i]!.pcm)));
    expect(posted[20]![0]!.peak).toBeGreaterThan(0.45);
    expect(posted[20]![1]!.peak).toBeLessThan(0.26);
  });

  it('counts an input with no channels (its stream ended) as silence, so the frames stay paired', () => {
    const posted: WorkletFrames[] = [];
    const pipeline = createInputsPipeline(16000, 2, (frames) => posted.push(frames));
    const tab = tone(440, 16000, 16000, 0.5);
    for (let at = 0; at < 16000; at += 128) pipeline.push([[tab.subarray(at, at + 128)], at < 8000 ? [tab.subarray(at, at + 128)] : []]);
    expect(posted.length).toBe(50);
    expect(posted[45]![0]!.peak).toBeGreaterThan(0.45);
    expect(posted[45]![1]!.peak).toBe(0);
  });

  it('posts nothing for a quantum in which no input has channels', () => {
    const posted: WorkletFrames[] = [];
    const pipeline = createInputsPipeline(16000, 2, (frames) => posted.push(frames));
    expect(pipeline.push([[], undefined])).toBe(0);
    expect(posted).toEqual([]);
  });
});
