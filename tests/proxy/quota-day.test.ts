/** The daily quota's day is the UTC day, and it resets at UTC midnight (proxy/limits/shared-limits.ts). */
import { describe, expect, it } from 'vitest';
import { secondsUntilUtcMidnight, utcDay } from '@/proxy/limits/shared-limits';

describe('the quota day', () => {
  it('is the UTC date, also across midnight and back (the cache follows the clock)', () => {
    const beforeMidnight = Date.UTC(2026, 11, 6, 23, 59, 59, 500);
    expect(utcDay(beforeMidnight)).toBe('2026-12-06');
    expect(utcDay(beforeMidnight + 1000)).toBe('2026-12-07');
    expect(utcDay(beforeMidnight)).toBe('2026-12-06');
  });

  it('resets at the next UTC midnight, at least one second away', () => {
    expect(secondsUntilUtcMidnight(Date.UTC(2026, 11, 6, 12, 0, 0))).toBe(12 * 3600);
    expect(secondsUntilUtcMidnight(Date.UTC(2026, 11, 6, 23, 59, 59, 900))).toBe(1);
    expect(secondsUntilUtcMidnight(Date.UTC(2026, 11, 7, 0, 0, 0))).toBe(24 * 3600);
  });
});
