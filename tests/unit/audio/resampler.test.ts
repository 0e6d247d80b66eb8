import { describe, expect, it } from 'vitest';
import { seededRandom } from '@/testkit/prng';
import { sine, toneAmplitude } from '@/testkit/audio-measure';
import { resamplerDelaySeconds, StreamingResampler } from '@/lib/audio/resampler';
import { designResampler, rationalRatio } from '@/lib/audio/resampler-design';

function noise(frames: number, seed = 7): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = (random() - 0.5) * 1.6;
  return out;
}

/** Feeds `input` in the given block sizes (cycling) and joins the output. */
function runSplit(resampler: StreamingResampler, input: Float32Array, sizes: readonly number[]): Float32Array {
  const parts: number[] = [];
  let at = 0;
  let k = 0;
  while (at < input.length) {
    const size = Math.min(sizes[k++ % sizes.length]!, input.length - at);
    const block = input.subarray(at, at + size);
    const out = resampler.process(block);
    expect(out.length).toBeLessThanOrEqual(resampler.maxOutputFrames(size));
    parts.push(...out);
    at += size;
  }
  return Float32Array.from(parts);
}

function countMismatches(a: Float32Array, b: Float32Array): number {
  let bad = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) bad++;
  return bad;
}

const RATES = [48000, 44100, 96000, 32000, 22050, 8000, 11025] as const;

describe('StreamingResampler streaming behaviour', () => {
  for (const rate of RATES) {
    it(`gives bit-identical output at ${rate} Hz whatever the block split`, { timeout: 20_000 }, () => {
      const input = noise(Math.round(rate * 0.3));
      const whole = runSplit(new StreamingResampler(rate), input, [input.length]);
      const random = seededRandom(rate);
      const randomSizes = Array.from({ length: 50 }, () => 1 + Math.floor(random() * 700));
      const splits = [[128], [1], [127, 129, 3], [7, 2500, 64, 1, 1, 300], randomSizes];
      for (const sizes of splits) {
        const split = runSplit(new StreamingResampler(rate), input, sizes);
        expect(countMismatches(whole, split), `split ${sizes.join(',')}`).toBe(0);
      }
      // About outputRate / inputRate samples per input sample, none lost or invented.
      expect(Math.abs(whole.length - (input.length * 16000) / rate)).toBeLessThanOrEqual(3);
    });
  }

  for (const rate of [48000, 44100]) {
    it(`makes no click at 128-frame block edges at ${rate} Hz (a 1 kHz tone stays a pure tone)`, { timeout: 20_000 }, () => {
      const resampler = new StreamingResampler(rate);
      const out = runSplit(resampler, sine(1000, rate, rate / 2, 0.9), [128]);
      const start = 400; // past the filter's onset
      const amplitude = toneAmplitude(out, 1000, 16000, start);
      // Fit phase too: residual = output - best sine; a dropped or doubled sample would leave ~0.35.
      let cc = 0, ss = 0, cs = 0, yc = 0, ys = 0;
      for (let i = start; i < out.length; i++) {
        const c = Math.cos((2 * Math.PI * 1000 * i) / 16000);
        const s = Math.sin((2 * Math.PI * 1000 * i) / 16000);
        cc += c * c; ss += s * s; cs += c * s; yc += out[i]! * c; ys += out[i]! * s;
      }
      const det = cc * ss - cs * cs;
      const a = (yc * ss - ys * cs) / det;
      const b = (ys * cc - yc * cs) / det;
      let worst = 0;
      for (let i = start; i < out.length; i++) {
        const fit = a * Math.cos((2 * Math.PI * 1000 * i) / 16000) + b * Math.sin((2 * Math.PI * 1000 * i) / 16000);
        worst = Math.max(worst, Math.abs(out[i]! - fit));
      }
      expect(amplitude).toBeCloseTo(0.9, 2);
      expect(worst).toBeLessThan(1e-5); // below -100 dB of the tone
    });
  }

  for (const rate of [48000, 44100, 96000]) {
    it(`reports its group delay: output j carries input time j/16000 - delaySeconds at ${rate} Hz`, () => {
      const resampler = new StreamingResampler(rate);
      expect(resampler.delaySeconds).toBeGreaterThan(0.001);
      expect(resampler.delaySeconds).toBeLessThan(0.002);
      expect(resamplerDelaySeconds(rate)).toBe(resampler.delaySeconds);
      const f = 1500;
      const out = runSplit(resampler, sine(f, rate, rate / 4), [128]);
      const error = (delay: number) => {
        let sum = 0;
        let n = 0;
        for (let j = 400; j < out.length; j++, n++) {
          const expected = Math.sin(2 * Math.PI * f * (j / 16000 - delay));
          sum += (out[j]! - expected) ** 2;
        }
        return Math.sqrt(sum / n);
      };
      expect(error(resampler.delaySeconds)).toBeLessThan(0.005);
      // 0.005 RMS pins the delay to within about 1 microsecond; 21 us off is already far worse.
      expect(error(resampler.delaySeconds + 1 / 48000)).toBeGreaterThan(0.1);
      expect(error(resampler.delaySeconds - 1 / 48000)).toBeGreaterThan(0.1);
    });
  }

  it('passes 16 kHz through unchanged with no delay', () => {
    const resampler = new StreamingResampler(16000);
    const input = noise(1000);
    expect(resampler.delaySeconds).toBe(0);
    expect(resamplerDelaySeconds(16000)).toBe(0);
    expect(resampler.design).toBeNull();
    expect(countMismatches(runSplit(resampler, input, [128, 5]), input)).toBe(0);
  });

  it('starts over after reset() exactly as a new instance', () => {
    const input = noise(5000, 3);
    const used = new StreamingResampler(44100);
    runSplit(used, noise(777, 9), [128]);
    used.reset();
    expect(countMismatches(runSplit(used, input, [128]), runSplit(new StreamingResampler(44100), input, [128]))).toBe(0);
  });

  it('reuses its output buffer across blocks and writes into a caller buffer without growing', () => {
    const resampler = new StreamingResampler(48000);
    const block = noise(128);
    const first = resampler.process(block);
    const second = resampler.process(block);
    expect(second.buffer).toBe(first.buffer);
    const out = new Float32Array(resampler.maxOutputFrames(128));
    const written = resampler.processInto(block, out);
    expect(written).toBeGreaterThanOrEqual(42);
    expect(written).toBeLessThanOrEqual(43);
    expect(() => resampler.processInto(block, new Float32Array(10))).toThrow(RangeError);
  });

  it('designs its filter from the rate ratio: 1/3 at 48 kHz, 160/441 at 44.1 kHz', () => {
    expect(designResampler(48000, 16000)).toMatchObject({ up: 1, down: 3, taps: 144 });
    expect(designResampler(44100, 16000)).toMatchObject({ up: 160, down: 441, taps: 136 });
    expect(designResampler(96000, 16000)).toMatchObject({ up: 1, down: 6 });
    expect(designResampler(22050, 16000)).toMatchObject({ up: 320, down: 441 });
  });

  it('approximates a ratio that would need too many phases (44101 Hz) within 10 ppm', () => {
    const { up, down } = rationalRatio(44101, 16000);
    expect(up).toBeLessThanOrEqual(1024);
    expect(Math.abs((44101 * up) / down / 16000 - 1)).toBeLessThan(1e-5);
    const resampler = new StreamingResampler(44101);
    expect(resampler.process(noise(4410)).length).toBeGreaterThan(1590);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new StreamingResampler(0)).toThrow(RangeError);
    expect(() => new StreamingResampler(Number.NaN)).toThrow(RangeError);
  });
});
