/**
 * Maps one connection's server time to stream time.
 *
 * The server counts seconds of audio it received on this connection, from 0. The stream counts
 * seconds of audio the owner handed to ListenSocket.sendAudio() over the whole session. They differ
 * by where the connection started in the stream (a reconnect replays from the last final), by
 * audio the bounded buffer had to drop, and by silence the socket sent on its own (never part of
 * the stream). Each contiguous run of stream audio sent is one piece.
 */
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
}
