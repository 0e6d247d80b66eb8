import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '@/lib/audio/format';
import { downmixToMono, FrameAssembler, floatToInt16, IS_LITTLE_ENDIAN, quantize } from '@/lib/audio/pcm';

describe('downmixToMono', () => {
  it('copies a single channel rather than aliasing it', () => {
    const only = Float32Array.of(0.1, -0.2, 0.3);
    const mono = downmixToMono([only]);
    expect(Array.from(mono)).toEqual(Array.from(only));
    expect(mono).not.toBe(only);
  });

  it('averages stereo and any number of channels', () => {
    const left = Float32Array.of(1, 0.5, -1, 0);
    const right = Float32Array.of(0, 0.5, 1, -0.5);
    expect(Array.from(downmixToMono([left, right]))).toEqual([0.5, 0.5, 0, -0.25]);
    const six = Array.from({ length: 6 }, (_, c) => Float32Array.of(c, -c, 0.5));
    const mono = downmixToMono(six);
    expect(mono[0]).toBeCloseTo(2.5, 6);
    expect(mono[1]).toBeCloseTo(-2.5, 6);
    expect(mono[2]).toBeCloseTo(0.5, 6);
  });

  it('writes into a caller buffer, returning a view when the buffer is longer', () => {
    const out = new Float32Array(8);
    const result = downmixToMono([Float32Array.of(0.25, 0.75), Float32Array.of(0.75, 0.25)], out);
    expect(result.buffer).toBe(out.buffer);
    expect(Array.from(result)).toEqual([0.5, 0.5]);
    const exact = new Float32Array(2);
    expect(downmixToMono([Float32Array.of(1, 2)], exact)).toBe(exact);
    expect(() => downmixToMono([new Float32Array(4)], new Float32Array(3))).toThrow(RangeError);
  });

  it('gives an empty result for no channels', () => {
    expect(downmixToMono([]).length).toBe(0);
  });
});

describe('floatToInt16', () => {
  it('scales by 32768 and clips full scale and beyond to the Int16 range', () => {
    const out = floatToInt16(Float32Array.of(0, 0.5, -0.5, 1, -1, 2, -2, Infinity, -Infinity));
    expect(Array.from(out)).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 32767, -32768]);
  });

  it('rounds to the nearest step (halves toward +infinity) and maps NaN to 0', () => {
    const lsb = 1 / 32768;
    const out = floatToInt16(Float32Array.of(0.4 * lsb, 0.6 * lsb, -0.4 * lsb, -0.6 * lsb, 0.5 * lsb, -0.5 * lsb, 1.5 * lsb, NaN));
    expect(Array.from(out)).toEqual([0, 1, 0, -1, 1, 0, 2, 0]);
    expect(quantize(0.6 * lsb)).toBe(1);
  });

  it('writes into a caller buffer', () => {
    const out = new Int16Array(4);
    const result = floatToInt16(Float32Array.of(0.25, -0.25), out);
    expect(result.buffer).toBe(out.buffer);
    expect(Array.from(result)).toEqual([8192, -8192]);
    expect(() => floatToInt16(new Float32Array(5), new Int16Array(4))).toThrow(RangeError);
  });
});

describe('FrameAssembler', () => {
  it('hands out 320-sample (20 ms) frames from 128-sample pushes, in order and without gaps', () => {
    const frames: Int16Array[] = [];
    const assembler = new FrameAssembler((frame) => frames.push(frame));
    let next = 0;
    for (let block = 0; block < 10; block++) {
      const samples = new Int16Array(128);
      for (let i = 0; i < 128; i++) samples[i] = next++;
      assembler.push(samples);
    }
    expect(frames.length).toBe(Math.floor(1280 / FRAME_SAMPLES));
    expect(assembler.pending).toBe(1280 - 4 * 320);
    const joined = frames.flatMap((frame) => Array.from(frame));
    expect(joined).toEqual(Array.from({ length: 1280 - 0 - assembler.pending }, (_, i) => i));
    for (const frame of frames) {
      expect(frame.length).toBe(320);
      expect(frame.byteOffset).toBe(0);
      expect(frame.buffer.byteLength).toBe(640);
    }
    expect(new Set(frames.map((frame) => frame.buffer)).size).toBe(frames.length);
  });

  it('converts floats straight into frames with the floatToInt16 rule', () => {
    const direct: Int16Array[] = [];
    const viaInt16: Int16Array[] = [];
    const a = new FrameAssembler((frame) => direct.push(frame), 50);
    const b = new FrameAssembler((frame) => viaInt16.push(frame), 50);
    const input = Float32Array.from({ length: 173 }, (_, i) => Math.sin(i) * 1.2);
    a.pushFloat(input, 120);
    a.pushFloat(input.subarray(120));
    b.push(floatToInt16(input));
    expect(direct.map((f) => Array.from(f))).toEqual(viaInt16.map((f) => Array.from(f)));
    expect(direct.length).toBe(3);
  });

  it('drops a partial frame on reset and rejects a bad frame length', () => {
    const frames: Int16Array[] = [];
    const assembler = new FrameAssembler((frame) => frames.push(frame), 4);
    assembler.push(Int16Array.of(1, 2, 3));
    assembler.reset();
    assembler.push(Int16Array.of(5, 6, 7, 8));
    expect(frames.map((f) => Array.from(f))).toEqual([[5, 6, 7, 8]]);
    expect(() => new FrameAssembler(() => undefined, 0)).toThrow(RangeError);
  });

  it('puts samples on the wire little-endian', () => {
    expect(IS_LITTLE_ENDIAN).toBe(true); // every platform Chrome runs on
    let bytes: Uint8Array | undefined;
    const assembler = new FrameAssembler((frame) => (bytes = new Uint8Array(frame.buffer)), 2);
    assembler.push(Int16Array.of(0x1234, -2));
    expect(Array.from(bytes ?? [])).toEqual([0x34, 0x12, 0xfe, 0xff]);
  });
});
