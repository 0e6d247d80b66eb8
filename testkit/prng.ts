/**
 * The one seeded pseudo-random generator for tests and benchmarks (mulberry32): small, fast, and
 * the same sequence for the same seed on every run, so a failing schedule or a noisy signal can be
 * replayed from its seed. Not for anything that needs unpredictability.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
