/**
 * Several runs of bench:proxy summed up as figures that reproduce: per stream count, the median and
 * the range over the runs, how many runs held the target, and the largest stream count that held
 * in every run. One run's p99 at the machine's edge moves by tens of ms from run to run on 2 shared
 * cores, so a single table can say "met" on a lucky run; this is what proxy/README.md publishes.
 */

/** The proxy's latency target per hop: p99 added ≤ 20 ms (proxy/README.md, "Bench"). */
export const HELD_P99_MS = 20;

/** One stream count in one run, reduced to the figures the summary compares. */
export interface RunStep {
  streams: number;
  /** Audio up, one way: proxied minus control streams, p99, ms. */
  audioAddedP99: number;
  /** Results down, one way: proxied minus control, p99, ms. */
  downAddedP99: number;
  /** Results round trip (the proxy twice): proxied minus control, p99, ms. */
  roundTripAddedP99: number;
  /** The proxy's own event-loop delay p99 over the window, ms (NaN when /metrics did not answer). */
  loopDelayP99: number;
  cpuMicrosPerMessage: number;
  kibPerStream: number;
  /** Streams that failed to open or closed early, proxied and control together. */
  dropped: number;
}

export interface RunRecord {
  run: number;
  /** /proc/loadavg's 1, 5 and 15 minute figures before and after the run. */
  loadBefore: string;
  loadAfter: string;
  steps: RunStep[];
}

/** Each one-way hop within the target, and no stream lost. The round trip crosses the proxy twice and is shown, not judged. */
export function held(step: RunStep): boolean {
  return step.audioAddedP99 <= HELD_P99_MS && step.downAddedP99 <= HELD_P99_MS && step.dropped === 0;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}

export interface StreamsSummary {
  streams: number;
  runs: number;
  heldRuns: number;
  audioAddedP99: Spread;
  downAddedP99: Spread;
  roundTripAddedP99: Spread;
  loopDelayP99: Spread;
  cpuMicrosPerMessage: Spread;
  kibPerStream: Spread;
}

export function summarizeRuns(records: readonly RunRecord[]): StreamsSummary[] {
  const counts = [...new Set(records.flatMap((record) => record.steps.map((step) => step.streams)))].sort((a, b) => a - b);
  return counts.map((streams) => {
    const steps = records.flatMap((record) => record.steps.filter((step) => step.streams === streams));
    const of = (pick: (step: RunStep) => number) => spread(steps.map(pick));
    return {
      streams,
      runs: steps.length,
      heldRuns: steps.filter(held).length,
      audioAddedP99: of((step) => step.audioAddedP99),
      downAddedP99: of((step) => step.downAddedP99),
      roundTripAddedP99: of((step) => step.roundTripAddedP99),
      loopDelayP99: of((step) => step.loopDelayP99),
      cpuMicrosPerMessage: of((step) => step.cpuMicrosPerMessage),
      kibPerStream: of((step) => step.kibPerStream),
    };
  });
}

/**
 * The largest stream count that held in every run it was measured in, counting up: a count above
 * one that failed does not count even if it held (a lucky run at 2,000 after a miss at 1,500 is noise,
 * not capacity). Undefined when even the smallest failed.
 */
export function largestHeldEveryRun(summaries: readonly StreamsSummary[]): number | undefined {
  let largest: number | undefined;
  for (const summary of summaries) {
    if (summary.runs === 0 || summary.heldRuns < summary.runs) break;
    largest = summary.streams;
  }
  return largest;
}

const fixed = (value: number) => (Number.isNaN(value) ? '?' : value.toFixed(1));
const spreadText = (value: Spread) => `${fixed(value.median)} (${fixed(value.min)}–${fixed(value.max)})`;

/** The summary as Markdown: the table, the largest N held every run, and the load around each run. */
export function formatRunsSummary(records: readonly RunRecord[]): string {
  const summaries = summarizeRuns(records);
  const largest = largestHeldEveryRun(summaries);
  return [
    `Over ${records.length} runs: median (range), ms unless named; held = audio up and Results down added p99 ≤ ${HELD_P99_MS} ms with no stream lost`,
    '',
    'streams | audio up added p99 | Results down added p99 | round trip added p99 (2 hops) | proxy event-loop delay p99 | proxy CPU µs per relayed message | KiB per streaming stream | held (runs)',
    '---|---|---|---|---|---|---|---',
    ...summaries.map((summary) =>
      [
        summary.streams,
        spreadText(summary.audioAddedP99),
        spreadText(summary.downAddedP99),
        spreadText(summary.roundTripAddedP99),
        spreadText(summary.loopDelayP99),
        spreadText(summary.cpuMicrosPerMessage),
        spreadText(summary.kibPerStream),
        `${summary.heldRuns} of ${summary.runs}`,
      ].join(' | '),
    ),
    '',
    `Largest N held in every run: ${largest ?? 'none'}`,
    `Load average (1 / 5 / 15 min) before -> after each run: ${records.map((record) => `${record.loadBefore} -> ${record.loadAfter}`).join('; ')}`,
    '',
  ].join('\n');
}
