import { describe, expect, it } from 'vitest';
import { FRAME_STAMP_MAGIC, messageAgeMs, percentile, stampFrame, stampMessage, StampGroup, summarize, unstampFrame } from './proxy-frame-stamp';

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

  it("puts the fake's send time in front of a message, which stays the same JSON, and reads its age back", async () => {
    const message = '{"type":"Results","start":1.2,"duration":0.3}';
    const stamped = stampMessage(message);
    expect(JSON.parse(stamped)).toMatchObject(JSON.parse(message) as Record<string, unknown>);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const age = messageAgeMs(Buffer.from(stamped));
    expect(age).toBeGreaterThanOrEqual(19);
    expect(age).toBeLessThan(5000);
    expect(messageAgeMs(Buffer.from(message))).toBeUndefined();
    expect(stampMessage('not json')).toBe('not json');
  });
});
