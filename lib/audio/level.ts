/**
 * Signal level of a frame: RMS and peak, linear with 1 = full scale, and dBFS.
 *
 * Int16 samples are read as value / 32768 (the scale floatToInt16 uses), so a float frame and
 * its Int16 conversion give the same level to within one quantisation step. dBFS here is
 * 20 * log10(linear): a full-scale square wave reads 0 dBFS RMS, a full-scale sine -3.01 dBFS
 * RMS and 0 dBFS peak.
 */

export type Samples = Float32Array | Int16Array;

/** Silence has no logarithm; levels are floored here. */
export const MIN_DBFS = -120;

function scaleOf(samples: Samples): number {
  return samples instanceof Int16Array ? 1 / 32768 : 1;
}

export function rms(samples: Samples): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / n) * scaleOf(samples);
}

export function peak(samples: Samples): number {
  let max = 0;
  for (const sample of samples) {
    const v = Math.abs(sample);
    if (v > max) max = v;
  }
  return max * scaleOf(samples);
}

export interface Level {
  rms: number;
  peak: number;
}

export function frameLevel(samples: Samples): Level {
  return { rms: rms(samples), peak: peak(samples) };
}

/** Linear level (1 = full scale) to dBFS, floored at MIN_DBFS. */
export function toDbfs(linear: number, floor: number = MIN_DBFS): number {
  if (!(linear > 0)) return floor;
  return Math.max(floor, 20 * Math.log10(linear));
}

/** dBFS back to a linear level. */
export function fromDbfs(dbfs: number): number {
  return 10 ** (dbfs / 20);
}
