/**
 * Maps one connection's server time to stream time.
 *
 * The server counts seconds of audio it received on this connection, from 0. The stream counts
 * seconds of audio the owner handed to ListenSocket.sendAudio() over the whole session. They differ
 * by where the connection started in the stream (a reconnect replays from the last final), by
 * audio the bounded buffer had to drop, and by silence the socket sent on its own (never part of
 * the stream). Each contiguous run of stream audio sent is one piece.
 *
 * toStreamEvent() rewrites a server event's times this way, and finalReach() says how far in the
 * stream a final result covers (the send queue's confirm point).
 */
import type { ListenEvent, ResultsEvent } from './protocol';

interface Piece {
  server: number;
  stream: number;
  length: number;
}

const MAX_PIECES = 4096;
const EPSILON = 1e-6;

export class ConnectionClock {
  private readonly pieces: Piece[] = [];
  private serverCursor = 0;

  /** `origin`: the stream time this connection starts at (used before any audio was sent). */
  constructor(readonly origin: number) {}

  /** Seconds of audio (stream audio and injected silence) sent on this connection. */
  get serverSeconds(): number {
    return this.serverCursor;
  }

  /** Stream time of the end of the last stream audio sent on this connection. */
  get streamCursor(): number {
    const last = this.pieces[this.pieces.length - 1];
    return last ? last.stream + last.length : this.origin;
  }

  recordAudio(streamStart: number, seconds: number): void {
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.server + last.length >= this.serverCursor - EPSILON && Math.abs(last.stream + last.length - streamStart) < EPSILON) {
      last.length += seconds;
    } else {
      this.pieces.push({ server: this.serverCursor, stream: streamStart, length: seconds });
      // Gaps are rare (buffer overflow while open); old pieces only matter for very late messages.
      if (this.pieces.length > MAX_PIECES) this.pieces.shift();
    }
    this.serverCursor += seconds;
  }

  /** Audio the socket sent that is not part of the stream (e.g. silence to keep a new connection alive). */
  recordSilence(seconds: number): void {
    this.serverCursor += seconds;
  }

  toStream(serverSeconds: number): number {
    const pieces = this.pieces;
    // Nothing sent yet (or only injected silence): extrapolate past the silence.
    if (pieces.length === 0) return this.origin + Math.max(0, serverSeconds - this.serverCursor);
    // Last piece that starts at or before the time (binary search: pieces are in server order).
    let lo = 0;
    let hi = pieces.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((pieces[mid] as Piece).server <= serverSeconds + EPSILON) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return (pieces[0] as Piece).stream;
    const piece = pieces[found] as Piece;
    const into = serverSeconds - piece.server;
    // Past this piece's audio (silence we injected, or the server rounding up): clamp to its end,
    // except for the last piece, where the server may legitimately report a little beyond.
    if (into > piece.length && found < pieces.length - 1) return piece.stream + piece.length;
    return piece.stream + into;
  }

  /** The event with every time in stream seconds. */
  toStreamEvent(event: ListenEvent): ListenEvent {
    switch (event.kind) {
      case 'results':
        return this.toStreamResults(event);
      case 'utterance-end':
        return { ...event, lastWordEnd: this.toStream(event.lastWordEnd) };
      case 'speech-started':
        return { ...event, timestamp: this.toStream(event.timestamp) };
      case 'metadata':
      case 'configure-success':
      case 'configure-failure':
      case 'engine':
        return event;
    }
  }

  /**
   * How far in the stream a final (already in stream time) covers. An untimed final (seed-style
   * proxies) can only mean "everything so far": confirming less would replay, and so repeat,
   * words it already sent after a reconnect.
   */
  finalReach(event: ResultsEvent): number {
    return event.timed ? event.start + event.duration : this.streamCursor;
  }

  private toStreamResults(event: ResultsEvent): ResultsEvent {
    if (!event.timed) {
      // No times from the server: the words were said before the audio we have sent so far.
      const at = this.streamCursor;
      return { ...event, start: at, duration: 0, words: event.words.map((w) => ({ ...w, start: at, end: at })) };
    }
    const start = this.toStream(event.start);
    const end = this.toStream(event.start + event.duration);
    return {
      ...event,
      start,
      duration: Math.max(0, end - start),
      words: event.words.map((w) => {
        const wordStart = this.toStream(w.start);
        return { ...w, start: wordStart, end: Math.max(wordStart, this.toStream(w.end)) };
      }),
    };
  }
}
