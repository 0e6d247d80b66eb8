/**
 * The archive's writer (proxy/archive/archive-writer.ts) with a sink that fails on demand: batches,
 * the bounded buffer, and the backoff between retries.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { ArchiveRow } from '@/proxy/archive/archive-rows';
import { ArchiveWriter } from '@/proxy/archive/archive-writer';

const row = (startMs: number): ArchiveRow => ({
  sessionId: 's',
  owner: 'o',
  tokenLabel: 'token#1',
  channel: 0,
  startKey: startMs / 100,
  startMs,
  endMs: startMs + 100,
  speaker: null,
  text: `at ${startMs}`,
  words: [],
  seenAt: 0,
});

function setup(failFirst: number) {
  const batches: number[][] = [];
  const attempts: number[] = [];
  let failures = failFirst;
  let dropped = 0;
  const writer = new ArchiveWriter({
    sink: {
      write: async (rows) => {
        attempts.push(Date.now());
        if (failures > 0) {
          failures -= 1;
          throw new Error('connect ECONNREFUSED');
        }
        batches.push(rows.map((r) => r.startMs));
        return rows.length;
      },
    },
    logger: pino({ level: 'silent' }),
    bufferRows: 5,
    batchRows: 2,
    flushMs: 50,
    backoffMs: 100,
    maxBackoffMs: 400,
    onDropped: (rows) => (dropped += rows),
  });
  return { writer, batches, attempts, dropped: () => dropped };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ArchiveWriter', () => {
  it('writes in batches of batchRows, in order', async () => {
    const { writer, batches } = setup(0);
    for (let i = 0; i < 5; i++) writer.add(row(i * 100));
    await vi.advanceTimersByTimeAsync(60);
    expect(batches).toEqual([[0, 100], [200, 300], [400]]);
    expect(writer.buffered).toBe(0);
    await writer.close();
  });

  it('keeps rows while the sink fails, retries with doubling backoff up to the cap, and drops past the bound', async () => {
    const { writer, batches, attempts, dropped } = setup(4);
    const start = Date.now();
    for (let i = 0; i < 7; i++) writer.add(row(i * 100));
    expect(dropped()).toBe(2);
    expect(writer.buffered).toBe(5);
    await vi.advanceTimersByTimeAsync(2000);
    // Failed at once (the full batch triggers a write), then after 100, 200, 400 (the cap), 400 ms.
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] ?? start));
    expect(gaps.slice(0, 4).map((gap) => Math.round(gap / 50) * 50)).toEqual([100, 200, 400, 400]);
    expect(batches).toEqual([[0, 100], [200, 300], [400]]);
    expect(writer.buffered).toBe(0);
    await writer.close();
  });
});
