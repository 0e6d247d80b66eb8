/**
 * Telling an archiving Captionist proxy the meeting time of the audio it relays (proxy/README.md,
 * Archive). The VAD gate holds back silence, so the server's clock counts only the audio it got and
 * its times are not meeting times (lib/audio/timeline.ts). The extension maps them back itself; a
 * proxy that keeps transcripts needs the same map, and only the client knows where the gaps were.
 *
 * So, on a connection that asked for the archive, the socket sends one small text message before
 * the first audio of each contiguous span: `{"type":"CaptionistSpan","meeting_start":12.34}`,
 * "the audio that follows starts at this meeting second". The proxy counts the audio bytes it relays
 * (Deepgram's server time) and rebuilds the span list with the extension's own SentTimeline
 * (proxy/archive/declared-timeline.ts). The proxy consumes the message; the upstream never sees it.
 */

export const MEETING_SPAN_TYPE = 'CaptionistSpan';
/** The proxy refuses a meeting time past a week (as it does `captionist_offset`). */
export const MAX_MEETING_SECONDS = 7 * 24 * 3600;

export function meetingSpanMessage(meetingStart: number): string {
  return JSON.stringify({ type: MEETING_SPAN_TYPE, meeting_start: Math.round(meetingStart * 1e6) / 1e6 });
}

/** Chunks whose meeting times meet within this (half a 16 kHz sample) are one span. */
const CONTIGUOUS_SECONDS = 0.5 / 16_000;

/**
 * Decides, chunk by chunk on one connection, when a span declaration must go before the audio:
 * on the connection's first chunk and wherever a chunk does not continue the previous one in
 * meeting time (the gate was shut between them).
 */
export class MeetingSpanDeclarer {
  /** Meeting time where the last chunk sent on this connection ended; null before the first. */
  private expected: number | null = null;

  constructor(private readonly meetingTimeOf: (streamSeconds: number) => number | null) {}

  /** A new connection: its server time restarts, so its first chunk opens a span. */
  connectionOpened(): void {
    this.expected = null;
  }

  /** The declaration to send before a chunk of `seconds` starting at `streamStart`, or null. */
  before(streamStart: number, seconds: number): string | null {
    const meeting = this.meetingTimeOf(streamStart);
    if (meeting === null) {
      this.expected = null;
      return null;
    }
    const continues = this.expected !== null && Math.abs(meeting - this.expected) <= CONTIGUOUS_SECONDS;
    this.expected = meeting + seconds;
    return continues ? null : meetingSpanMessage(meeting);
  }
}
