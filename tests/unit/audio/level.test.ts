import { describe, expect, it } from 'vitest';
import { frameLevel, fromDbfs, MIN_DBFS, peak, rms, toDbfs } from '@/lib/audio/level';

describe('frame level', () => {
  it('reads a full-scale sine as RMS -3.01 dBFS and peak 0 dBFS', () => {
    const sine = Float32Array.from({ length: 320 }, (_, i) => Math.sin((2 * Math.PI * i) / 32));
    expect(toDbfs(rms(sine))).toBeCloseTo(-3.0103, 3);
    expect(toDbfs(peak(sine))).toBeCloseTo(0, 6);
  });

  it('reads Int16 samples against 32768 full scale', () => {
    const half = new Int16Array(320).fill(16384);
    expect(frameLevel(half)).toEqual({ rms: 0.5, peak: 0.5 });
    const negative = Int16Array.of(-32768, 0, 0, 0);
    expect(peak(negative)).toBe(1);
    expect(rms(negative)).toBeCloseTo(0.5, 10);
  });

  it('floors silence and empty frames at MIN_DBFS', () => {
    expect(rms(new Float32Array(0))).toBe(0);
    expect(toDbfs(rms(new Int16Array(320)))).toBe(MIN_DBFS);
    expect(toDbfs(Number.NaN)).toBe(MIN_DBFS);
    expect(toDbfs(1e-9, -60)).toBe(-60);
  });

  it('converts dBFS back to linear', () => {
    expect(fromDbfs(-20)).toBeCloseTo(0.1, 12);
    expect(fromDbfs(toDbfs(0.25))).toBeCloseTo(0.25, 12);
  });
});
