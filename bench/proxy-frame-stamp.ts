/**
 * The timing stamp bench/proxy.ts writes into audio frames and bench/proxy-fake-upstream.ts reads:
 * bytes 0-3 a magic number, byte 4 the stream's group, bytes 8-15 the send time in ns from
 * process.hrtime (CLOCK_MONOTONIC, shared by every process on the machine). The rest of the frame
 * stays silence. Frames without the magic (warm-up) are not timed.
 */
export const FRAME_STAMP_MAGIC = 0x43505842; // "BXPC"

export const StampGroup = {
  /** Straight to the fake, with no proxy running. */
  Direct: 1,
  /** Straight to the fake while the proxy carries the N streams: same machine load, no proxy hop. */
  Control: 2,
  /** Through the proxy. */
  Proxied: 3,
} as const;
export type StampGroup = (typeof StampGroup)[keyof typeof StampGroup];

export function stampFrame(frame: Buffer, group: StampGroup): void {
  frame.writeUInt32LE(FRAME_STAMP_MAGIC, 0);
  frame[4] = group;
  frame.writeBigUInt64LE(process.hrtime.bigint(), 8);
}

export function unstampFrame(frame: Buffer): void {
  frame.fill(0, 0, 16);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/**
 * The fake's send time (process.hrtime, ns) as the first field of each message it sends, so the
 * load generator can time the way down too. The proxy relays server messages untouched.
 */
const SENT_FIELD = '{"bench_sent_ns":';

export function stampMessage(json: string): string {
  return json.startsWith('{') ? `${SENT_FIELD}${process.hrtime.bigint()},${json.slice(1)}` : json;
}

/** ms since the fake sent this message, or undefined when it carries no stamp. */
export function messageAgeMs(data: Buffer): number | undefined {
  if (data.toString('latin1', 0, SENT_FIELD.length) !== SENT_FIELD) return undefined;
  const end = data.indexOf(44, SENT_FIELD.length); // ','
  if (end === -1) return undefined;
  const sentNs = BigInt(data.toString('latin1', SENT_FIELD.length, end));
  return Number(process.hrtime.bigint() - sentNs) / 1e6;
}
