import { describe, expect, it } from 'vitest';
import { DeclaredTimeline } from '@/proxy/archive/declared-timeline';

const RATE = 16_000;

describe('DeclaredTimeline: server time to meeting time from the client\'s span declarations', () => {
  it('maps nothing before the first declaration (the caller falls back to stream time)', () => {
    expect(new DeclaredTimeline(RATE).toMeetingTime(1, 'start', 2)).toBeUndefined();
  });

  it('maps each span, and a join as the later span\'s start or the earlier span\'s end', () => {
    const timeline = new DeclaredTimeline(RATE);
    timeline.spanStarts(5, 0);
    timeline.spanStarts(30, 0.4);
    timeline.spanStarts(61.5, 0.9);
    const relayed = 1.2;
    expect(timeline.toMeetingTime(0.1, 'start', relayed)).toBeCloseTo(5.1, 9);
    expect(timeline.toMeetingTime(0.4, 'end', relayed)).toBeCloseTo(5.4, 9);
    expect(timeline.toMeetingTime(0.4, 'start', relayed)).toBeCloseTo(30, 9);
    expect(timeline.toMeetingTime(0.9, 'end', relayed)).toBeCloseTo(30.5, 9);
    // The last span is still open: mapped directly.
    expect(timeline.toMeetingTime(0.9, 'start', relayed)).toBeCloseTo(61.5, 9);
    expect(timeline.toMeetingTime(1.1, 'end', relayed)).toBeCloseTo(61.7, 9);
  });

  it('never maps past the audio relayed when the message arrived', () => {
    const timeline = new DeclaredTimeline(RATE);
    timeline.spanStarts(10, 0);
    expect(timeline.toMeetingTime(50, 'end', 0.6)).toBeCloseTo(10.6, 9);
  });

  it('maps audio before the first declaration (the extension\'s silence primer) to the first span\'s start', () => {
    const timeline = new DeclaredTimeline(RATE);
    timeline.spanStarts(7, 0.1);
    timeline.spanStarts(9, 0.5);
    expect(timeline.toMeetingTime(0.05, 'start', 1)).toBeCloseTo(7, 9);
    expect(timeline.toMeetingTime(0.3, 'start', 1)).toBeCloseTo(7.2, 9);
  });

  it('lets a second declaration at the same point replace the first (no audio between them)', () => {
    const timeline = new DeclaredTimeline(RATE);
    timeline.spanStarts(3, 0);
    timeline.spanStarts(4, 0);
    expect(timeline.toMeetingTime(0.2, 'start', 1)).toBeCloseTo(4.2, 9);
  });
});
