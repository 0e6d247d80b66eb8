import { describe, expect, it } from 'vitest';
import { SentTimeline } from '@/lib/audio/timeline';

const F = 0.02;

/** Records 20 ms frames from `from` (meeting time) for `seconds`. */
function sendRun(timeline: SentTimeline, from: number, seconds: number) {
  const n = Math.round(seconds / F);
  for (let i = 0; i < n; i++) timeline.recordSent(from + i * F, F);
}

describe('SentTimeline', () => {
  // Sent: meeting 10-12 s (server 0-2), 15-16 s (server 2-3), 20-21.5 s (server 3-4.5).
  function threeRuns() {
    const t = new SentTimeline();
    sendRun(t, 10, 2);
    sendRun(t, 15, 1);
    sendRun(t, 20, 1.5);
    return t;
  }

  it('merges contiguous frames into one span per run', () => {
    const t = threeRuns();
    expect(t.spanCount).toBe(3);
    expect(t.sentDuration).toBeCloseTo(4.5, 9);
    const spans = t.spans();
    expect(spans.map((s) => s.captureStart)).toEqual([10, 15, 20]);
    expect(spans[1]?.serverStart).toBeCloseTo(2, 9);
    expect(spans[2]?.serverStart).toBeCloseTo(3, 9);
  });

  it('maps server time inside a span by its offset into that span', () => {
    const t = threeRuns();
    expect(t.toMeetingTime(0)).toBeCloseTo(10, 9);
    expect(t.toMeetingTime(1.234)).toBeCloseTo(11.234, 9);
    expect(t.toMeetingTime(2.5)).toBeCloseTo(15.5, 9);
    expect(t.toMeetingTime(4.2)).toBeCloseTo(21.2, 9);
  });

  it('maps the join of two spans to the later start as a start and the earlier end as an end', () => {
    const t = threeRuns();
    const join = t.spans()[1]?.serverStart ?? NaN;
    expect(t.toMeetingTime(join, 'start')).toBeCloseTo(15, 9);
    expect(t.toMeetingTime(join, 'end')).toBeCloseTo(12, 9);
  });

  it('clamps times before the first span and after the last span to the sent audio', () => {
    const t = threeRuns();
    expect(t.toMeetingTime(-0.3)).toBe(10);
    expect(t.toMeetingTime(4.5)).toBeCloseTo(21.5, 9);
    expect(t.toMeetingTime(99)).toBeCloseTo(21.5, 9);
  });

  it('returns null before anything was sent on the connection', () => {
    const t = new SentTimeline();
    expect(t.toMeetingTime(1)).toBeNull();
    expect(t.toMeetingRange(0, 1)).toBeNull();
    t.recordSent(5, F);
    t.startConnection();
    expect(t.toMeetingTime(0)).toBeNull();
  });

  it('keeps a word that straddles a join inside the span holding most of it', () => {
    const t = threeRuns();
    // 1.9-2.3 in server time: 0.1 s in run 1 (ends at 12), 0.3 s in run 2 (starts at 15).
    const r = t.toMeetingRange(1.9, 2.3);
    expect(r?.start).toBeCloseTo(15, 9);
    expect(r?.end).toBeCloseTo(15.3, 9);
    // 1.6-2.1: mostly in run 1.
    const q = t.toMeetingRange(1.6, 2.1);
    expect(q?.start).toBeCloseTo(11.6, 9);
    expect(q?.end).toBeCloseTo(12, 9);
    // A word inside one span maps straight.
    const w = t.toMeetingRange(3.1, 3.4);
    expect(w?.start).toBeCloseTo(20.1, 9);
    expect(w?.end).toBeCloseTo(20.4, 9);
    // A word that ends exactly at the join stays in the earlier span.
    const e = t.toMeetingRange(1.5, 2);
    expect(e?.start).toBeCloseTo(11.5, 9);
    expect(e?.end).toBeCloseTo(12, 9);
  });

  it('restarts server time at 0 on a new connection while meeting time keeps going', () => {
    const t = threeRuns();
    t.startConnection();
    expect(t.connectionCount).toBe(2);
    expect(t.sentDuration).toBe(0);
    sendRun(t, 30, 1); // server 0-1 on the new connection
    sendRun(t, 40, 1); // server 1-2
    expect(t.toMeetingTime(0.5)).toBeCloseTo(30.5, 9);
    expect(t.toMeetingTime(1.25)).toBeCloseTo(40.25, 9);
    expect(t.spanCount).toBe(2);
  });

  it('a replay of buffered audio after a reconnect maps to its capture times', () => {
    const t = new SentTimeline();
    sendRun(t, 0, 3);
    t.startConnection();
    // The socket replays 2.5-3 s (buffered during the outage), then live audio from 4 s.
    sendRun(t, 2.5, 0.5);
    sendRun(t, 4, 1);
    expect(t.toMeetingTime(0.2)).toBeCloseTo(2.7, 9);
    expect(t.toMeetingTime(0.7)).toBeCloseTo(4.2, 9);
  });

  it('keeps a 3-hour session of alternating speech and silence small and fast to query', () => {
    const t = new SentTimeline();
    // 3 h at 50 frames/s, 4 s of speech then 2 s of silence: 1800 runs, 540,000 frames sent.
    for (let run = 0; run < 1800; run++) sendRun(t, run * 6, 4);
    expect(t.spanCount).toBe(1800);
    expect(t.sentDuration).toBeCloseTo(7200, 6);
    const started = performance.now();
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      // Some queries land exactly on joins (e.g. 2876 s); those map to the later span's start.
      const server = (i * 0.0719) % 7200;
      const run = Math.floor(server / 4);
      const expected = run * 6 + (server - run * 4);
      worst = Math.max(worst, Math.abs((t.toMeetingTime(server) ?? NaN) - expected));
    }
    expect(worst).toBeLessThan(1e-9);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('ignores empty or invalid spans', () => {
    const t = new SentTimeline();
    t.recordSent(1, 0);
    t.recordSent(Number.NaN, F);
    t.recordSent(2, -1);
    expect(t.spanCount).toBe(0);
  });
});
