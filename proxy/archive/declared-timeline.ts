/**
 * One connection's map from server time to meeting time, rebuilt from what the client declared
 * (lib/listen/meeting-span.ts) and the audio the proxy relayed, so archived finals carry meeting
 * time even when the extension's VAD held back silence.
 *
 * A declaration says "the audio after this point starts at meeting second m"; the proxy knows the
 * point in server time (audio bytes it relayed upstream so far over the stream's byte rate: exactly
 * what the upstream counts). A span runs from its declaration to the next one. Spans are fed to the
 * extension's own SentTimeline (lib/audio/timeline.ts), so the edge rules (a join maps to the later
 * span as a start and the earlier one as an end; nothing extrapolated past the audio) are the same
 * code the extension maps its own captions with. The last span is still growing: it enters the
 * timeline at the next declaration and is mapped directly until then.
 *
 * Audio before the first declaration (the extension's silence primer, lib/listen/connection.ts)
 * belongs to no span: server times there map to the first span's start.
 */
import { SentTimeline, type TimeEdge } from '../../lib/audio/timeline';

export class DeclaredTimeline {
  private readonly timeline: SentTimeline;
  /** Server time (s) where the first declared span starts; the SentTimeline's 0. */
  private origin: number | undefined;
  /** The span still growing, not yet in the timeline: its length is known at the next declaration. */
  private open: { meetingStart: number; serverStart: number } | undefined;

  constructor(sampleRate: number) {
    this.timeline = new SentTimeline(sampleRate);
  }

  /** The client declared that audio from server second `serverSeconds` on starts at `meetingStart`. */
  spanStarts(meetingStart: number, serverSeconds: number): void {
    const open = this.open;
    if (open === undefined) this.origin = serverSeconds;
    else if (serverSeconds > open.serverStart) this.timeline.recordSent(open.meetingStart, serverSeconds - open.serverStart);
    this.open = { meetingStart, serverStart: serverSeconds };
  }

  /**
   * Meeting time of server second `t` on this connection, or undefined before any declaration.
   * `relayedSeconds` is the audio relayed when the message carrying `t` arrived: nothing maps past
   * it, whatever time a server names.
   */
  toMeetingTime(t: number, edge: TimeEdge, relayedSeconds: number): number | undefined {
    const open = this.open;
    if (open === undefined || this.origin === undefined) return undefined;
    const at = Math.min(t, relayedSeconds);
    // In the open span; at its first instant only as a start (as an end, a join belongs to the span before).
    if (at > open.serverStart || (at === open.serverStart && edge === 'start')) return open.meetingStart + (at - open.serverStart);
    return this.timeline.toMeetingTime(at - this.origin, edge) ?? open.meetingStart;
  }
}
