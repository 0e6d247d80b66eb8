/**
 * The arithmetic of bench:latency, kept apart from the browser driving: placing scheduled audio
 * on the page's clock, matching onsets that reached the upstream to the events that made them,
 * and percentiles.
 */
import type { ClockStamp, PageEvent, PagePaint, PageRecord } from './latency-page';
import type { OnsetArrival, ResultSent } from '../testkit/upstream';

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  max: number;
  min: number;
}

/** Nearest-rank percentiles. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, p50: rank(50), p95: rank(95), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
}

/** page epoch ms = node epoch ms + offsetMs (from round trips; the best one has the smallest rtt). */
export interface Calibration {
  offsetMs: number;
  rttMs: number;
}

export function bestCalibration(samples: readonly { sentMs: number; pageMs: number; receivedMs: number }[]): Calibration {
  let best: Calibration = { offsetMs: Number.NaN, rttMs: Infinity };
  for (const s of samples) {
    const rtt = s.receivedMs - s.sentMs;
    if (rtt < best.rttMs) best = { rttMs: rtt, offsetMs: s.pageMs - (s.sentMs + s.receivedMs) / 2 };
  }
  return best;
}

export interface EventTimes {
  index: number;
  /**
   * When the audio thread renders the burst's first sample (what tab capture taps), page epoch
   * ms. From AudioContext.currentTime read against performance.now(): currentTime only moves
   * once per render callback, so the smallest (now - currentTime) nearby is the true offset.
   */
  renderMs: number;
  /** When getOutputTimestamp() says the sample reaches the output device, page epoch ms (null if it gives none). */
  outputMs: number | null;
}

const WINDOW_S = 5;

export function placeEvents(record: Pick<PageRecord, 'timeOrigin' | 'events' | 'stamps'>): EventTimes[] {
  return record.events.map((event: PageEvent) => {
    const near = record.stamps.filter((s: ClockStamp) => Math.abs(s.currentTime - event.contextTime) <= WINDOW_S);
    const renderOffset = Math.min(...near.map((s) => s.now - s.currentTime * 1000));
    const outputs = near
      .filter((s) => s.outputContextTime > 0 && s.outputPerformanceTime > 0)
      .map((s) => s.outputPerformanceTime - s.outputContextTime * 1000)
      .sort((a, b) => a - b);
    const outputOffset = outputs.length > 0 ? (outputs[Math.floor(outputs.length / 2)] ?? null) : null;
    return {
      index: event.index,
      renderMs: record.timeOrigin + renderOffset + event.contextTime * 1000,
      outputMs: outputOffset === null ? null : record.timeOrigin + outputOffset + event.contextTime * 1000,
    };
  });
}

export interface CaptureLatency {
  index: number;
  fromRenderMs: number;
  fromOutputMs: number | null;
}

/**
 * Matches each event with the first onset that arrived after it and before the next event (in
 * node time), giving capture -> upstream latency. Events with no onset are counted as missed.
 */
export function matchOnsets(events: readonly EventTimes[], onsets: readonly OnsetArrival[], offsetMs: number, spacingMs: number): { latencies: CaptureLatency[]; missed: number[] } {
  const latencies: CaptureLatency[] = [];
  const missed: number[] = [];
  const arrivals = [...onsets].sort((a, b) => a.arrivalMs - b.arrivalMs);
  for (const event of events) {
    const start = event.renderMs - offsetMs;
    const onset = arrivals.find((o) => o.arrivalMs >= start - 5 && o.arrivalMs < start + spacingMs - 50);
    if (!onset) {
      missed.push(event.index);
      continue;
    }
    latencies.push({
      index: event.index,
      fromRenderMs: onset.arrivalMs - start,
      fromOutputMs: event.outputMs === null ? null : onset.arrivalMs - (event.outputMs - offsetMs),
    });
  }
  return { latencies, missed };
}

export interface ScreenLatency {
  marker: string;
  /** Results left the upstream -> the text is in the overlay's DOM. */
  toDomMs: number;
  /** -> the first animation frame after that (the frame that paints it). */
  toFrameMs: number | null;
  /** -> the frame after (the paint is surely done): an upper bound. */
  toNextFrameMs: number | null;
}

export function matchPaints(results: readonly ResultSent[], paints: readonly PagePaint[], offsetMs: number): { latencies: ScreenLatency[]; missing: string[] } {
  const byMarker = new Map(paints.map((p) => [p.marker, p]));
  const latencies: ScreenLatency[] = [];
  const missing: string[] = [];
  for (const result of results) {
    const paint = byMarker.get(result.marker);
    if (!paint) {
      missing.push(result.marker);
      continue;
    }
    const node = (pageMs: number | null) => (pageMs === null ? null : pageMs - offsetMs - result.sentMs);
    latencies.push({ marker: result.marker, toDomMs: paint.mutationMs - offsetMs - result.sentMs, toFrameMs: node(paint.rafMs), toNextFrameMs: node(paint.nextFrameMs) });
  }
  return { latencies, missing };
}
