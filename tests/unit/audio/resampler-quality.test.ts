/**
 * The resampler's quality bars (issue 3), measured with the same tone sweeps that
 * `npm run bench:audio` prints. Quality is deterministic, so these are exact assertions.
 */
import { describe, expect, it } from 'vitest';
import { inBlocks, measureAliasRejection, measurePassbandRipple } from '@/testkit/audio-measure';
import { StreamingResampler } from '@/lib/audio/resampler';

function streaming(inputRate: number) {
  const resampler = new StreamingResampler(inputRate, 16000);
  return inBlocks((block) => resampler.process(block), 128);
}

describe('StreamingResampler quality (128-frame blocks)', () => {
  for (const inputRate of [48000, 44100, 96000, 32000, 22050]) {
    it(`rejects every tone from 9 kHz to ${inputRate / 2000} kHz by >= 90 dB at ${inputRate} Hz`, { timeout: 60_000 }, () => {
      const result = measureAliasRejection(streaming(inputRate), inputRate, 16000, { stepHz: 25 });
      expect(result.tones).toBeGreaterThan(40);
      expect(result.worstRejectionDb, `worst at ${result.worstFrequencyHz} Hz`).toBeGreaterThanOrEqual(90);
    });

    it(`keeps 50 Hz..7 kHz flat within 0.1 dB at ${inputRate} Hz`, { timeout: 60_000 }, () => {
      const result = measurePassbandRipple(streaming(inputRate), inputRate, 16000, { stepHz: 50 });
      expect(result.rippleDb).toBeLessThanOrEqual(0.1);
      expect(Math.abs(result.minGainDb)).toBeLessThan(0.1);
      expect(Math.abs(result.maxGainDb)).toBeLessThan(0.1);
    });
  }

  it('fails the alias bar for naive decimation, so the measurement can fail', { timeout: 20_000 }, () => {
    const pickEveryThird = (input: Float32Array) => input.filter((_, i) => i % 3 === 0);
    const result = measureAliasRejection(pickEveryThird, 48000, 16000, { stepHz: 500 });
    expect(result.worstRejectionDb).toBeLessThan(1);
  });
});
