import { describe, expect, it } from 'vitest';
import { FRAME_STAMP_MAGIC, percentile, stampFrame, StampGroup, summarize, unstampFrame } from '../../bench/proxy-frame-stamp';

describe('bench:proxy frame stamp', () => {
  it('writes the magic, the group and a send time on the shared monotonic clock, leaving the audio after it silent', () => {
    const frame = Buffer.alloc(3200);
    const before = process.hrtime.bigint();
    stampFrame(frame, StampGroup.Proxied);
    const after = process.hrtime.bigint();
    expect(frame.readUInt32LE(0)).toBe(FRAME_STAMP_MAGIC);
    expect(frame[4]).toBe(StampGroup.Proxied);
    const sent = frame.readBigUInt64LE(8);
    expect(sent >= before && sent <= after).toBe(true);
    expect(frame.subarray(16).every((byte) => byte === 0)).toBe(true);
  });

  it('unstamps a reused frame so a warm-up send is not timed', () => {
    const frame = Buffer.alloc(3200);
    stampFrame(frame, StampGroup.Control);
    unstampFrame(frame);
    expect(frame.every((byte) => byte === 0)).toBe(true);
  });

  it('summarizes with nearest-rank percentiles: p99 of 1..100 is 100, p50 is 51', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(summarize(values)).toEqual({ count: 100, p50: 51, p90: 91, p99: 100, max: 100 });
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([]).count).toBe(0);
  });
});
