import { describe, expect, it } from 'vitest';
import { MEETING_SPAN_TYPE, MeetingSpanDeclarer, meetingSpanMessage } from '@/lib/listen/meeting-span';
import { SentTimeline } from '@/lib/audio/timeline';

describe('MeetingSpanDeclarer', () => {
  it('declares the first chunk of a connection and every chunk that does not continue the one before', () => {
    const timeline = new SentTimeline();
    // Stream seconds 0-0.2 are meeting 1.0-1.2; 0.2-0.3 meeting 1.2-1.3; 0.3-0.4 meeting 9.0-9.1 (a gap).
    timeline.recordSent(1, 0.2);
    timeline.recordSent(1.2, 0.1);
    timeline.recordSent(9, 0.1);
    const declarer = new MeetingSpanDeclarer((seconds) => timeline.toMeetingTime(seconds, 'start'));
    expect(declarer.before(0, 0.2)).toBe(meetingSpanMessage(1));
    expect(declarer.before(0.2, 0.1)).toBeNull();
    expect(declarer.before(0.3, 0.1)).toBe(meetingSpanMessage(9));
    // A new connection replays from stream second 0.2: declared again.
    declarer.connectionOpened();
    expect(declarer.before(0.2, 0.1)).toBe(meetingSpanMessage(1.2));
    expect(declarer.before(0.3, 0.1)).toBe(meetingSpanMessage(9));
  });

  it('writes the message the proxy reads', () => {
    expect(JSON.parse(meetingSpanMessage(12.3456789))).toEqual({ type: MEETING_SPAN_TYPE, meeting_start: 12.345679 });
  });
});
