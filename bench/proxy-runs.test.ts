import { describe, expect, it } from 'vitest';
import { formatRunsSummary, held, largestHeldEveryRun, spread, summarizeRuns, type RunRecord, type RunStep } from './proxy-runs';

function step(streams: number, audioAddedP99: number, extra: Partial<RunStep> = {}): RunStep {
  return {
    streams,
    audioAddedP99,
    downAddedP99: 1,
    roundTripAddedP99: 2,
    loopDelayP99: 3,
    cpuMicrosPerMessage: 30,
    kibPerStream: 50,
    dropped: 0,
    ...extra,
  };
}

const run = (number: number, steps: RunStep[]): RunRecord => ({ run: number, loadBefore: '0.50 0.40 0.30', loadAfter: '1.50 0.60 0.40', steps });

describe('bench:proxy over several runs', () => {
  it('takes the median and range, ignoring a figure that was not read', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spread([Number.NaN, 7])).toEqual({ median: 7, min: 7, max: 7 });
    expect(spread([]).median).toBeNaN();
  });

  it('holds only when both one-way hops are within 20 ms and no stream was lost', () => {
    expect(held(step(1000, 20))).toBe(true);
    expect(held(step(1000, 20.1))).toBe(false);
    expect(held(step(1000, 5, { downAddedP99: 25 }))).toBe(false);
    expect(held(step(1000, 5, { dropped: 1 }))).toBe(false);
    // The round trip crosses the proxy twice: shown, not judged against one hop's budget.
    expect(held(step(1000, 5, { roundTripAddedP99: 35 }))).toBe(true);
  });

  it('names the largest N held in every run, not a lucky run above a miss', () => {
    const records = [
      run(1, [step(500, 2), step(1000, 8), step(1500, 60), step(2000, 12)]),
      run(2, [step(500, 3), step(1000, 15), step(1500, 18), step(2000, 130)]),
      run(3, [step(500, 2), step(1000, 11), step(1500, 19), step(2000, 14)]),
    ];
    const summaries = summarizeRuns(records);
    expect(summaries.map((summary) => [summary.streams, summary.heldRuns, summary.runs])).toEqual([
      [500, 3, 3],
      [1000, 3, 3],
      [1500, 2, 3],
      [2000, 2, 3],
    ]);
    expect(summaries[1]?.audioAddedP99).toEqual({ median: 11, min: 8, max: 15 });
    expect(largestHeldEveryRun(summaries)).toBe(1000);
    expect(largestHeldEveryRun(summarizeRuns([run(1, [step(500, 40)])]))).toBeUndefined();
  });

  it('prints the table, the verdict and the load around every run', () => {
    const text = formatRunsSummary([run(1, [step(500, 2), step(1000, 30)]), run(2, [step(500, 4), step(1000, 10)])]);
    expect(text).toContain('Over 2 runs');
    expect(text).toContain('500 | 3.0 (2.0–4.0) |');
    expect(text).toContain('| 1 of 2');
    expect(text).toContain('Largest N held in every run: 500');
    expect(text).toContain('0.50 0.40 0.30 -> 1.50 0.60 0.40; 0.50 0.40 0.30 -> 1.50 0.60 0.40');
  });
});
