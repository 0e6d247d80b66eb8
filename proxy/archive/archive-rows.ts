/**
 * From an upstream message to the row the archive stores, and the keys that make storing it
 * idempotent.
 *
 * How a session spans reconnects. The proxy sees only connections: Deepgram's times restart at 0 on
 * each one, and the extension replays the audio no final covered when it reconnects
 * (lib/listen/listen-socket.ts, lib/listen/connection-clock.ts). So the client says two things on
 * the listen URL (lib/listen/listen-url.ts withArchiveSession):
 *   - `captionist_session`: one id for the whole capture, the same on every reconnect;
 *   - `captionist_offset`: the stream second this connection's audio starts at.
 * Times stored are meeting time: the client declares where each span of audio lies in meeting time
 * (lib/listen/meeting-span.ts) and declared-timeline.ts maps the server's times with the
 * extension's own timeline code; a final and its replay map to the same meeting time. A client that
 * declares nothing is taken to send all its audio: offset + the server's time, its stream time.
 * A stream without `captionist_offset` starts at 0.
 *
 * Idempotency. An utterance's key is (session, channel, start rounded to KEY_MS), written with
 * ON CONFLICT DO NOTHING: the first copy of a final is kept and a replayed one, which starts at
 * the same stream time, is not stored again. Rounding absorbs the milliseconds a replayed final's
 * start may move by; two different finals of one channel never start within KEY_MS of each other
 * because each starts where the previous one ended. The session id is a hash of the owner
 * (archive-owner.ts) and the client's key, so another token using the same `captionist_session`
 * gets another session.
 */
import { createHash } from 'node:crypto';
import type { TimeEdge } from '../../lib/audio/timeline';
import { parseServerMessage } from '../../lib/listen/protocol';
import type { Word } from '../../lib/transcript/types';

/** Starts within this many ms are one utterance's key (see above). */
export const KEY_MS = 100;
/**
 * Deepgram writes `"is_final":true` near the start of a Results (after type, channel_index,
 * duration, start; the fake in testkit/upstream/normal.ts does the same), before the words:
 * a forward search stops there, a few dozen characters in, whatever the message's size.
 */
const FINAL_KEY = '"is_final":';
const LOWER_T = 0x74;
const SPACE_THEN_TRUE = /^\s+true/;
const CHANNEL_PATTERN = /"channel_index"\s*:\s*\[\s*(\d{1,3})/;

export interface StreamArchiveKey {
  sessionId: string;
  owner: string;
  tokenLabel: string;
  /** Seconds of stream time where this connection starts. */
  offsetSeconds: number;
}

export interface ArchiveRow {
  sessionId: string;
  owner: string;
  tokenLabel: string;
  channel: number;
  startKey: number;
  startMs: number;
  endMs: number;
  speaker: number | null;
  text: string;
  words: Word[];
  /** Epoch ms when the proxy saw the final. */
  seenAt: number;
}

export function archiveSessionId(owner: string, clientKey: string): string {
  return createHash('sha256').update(owner).update('\0').update(clientKey).digest('hex').slice(0, 32);
}

/** The cheap test run on every relayed message; only messages passing it are parsed, later. */
export function mayBeFinal(message: string | Buffer): boolean {
  const at = message.indexOf(FINAL_KEY);
  if (at < 0) return false;
  const next = at + FINAL_KEY.length;
  if ((typeof message === 'string' ? message.charCodeAt(next) : message[next]) === LOWER_T) return true;
  // Another server's spacing (`"is_final": true`): rare, so the slower test is fine.
  const after = typeof message === 'string' ? message.slice(next, next + 16) : message.toString('utf8', next, next + 16);
  return SPACE_THEN_TRUE.test(after);
}

function mostCommonSpeaker(words: readonly Word[]): number | null {
  const counts = new Map<number, number>();
  let best: number | null = null;
  let bestCount = 0;
  for (const word of words) {
    if (word.speaker === null) continue;
    const count = (counts.get(word.speaker) ?? 0) + 1;
    counts.set(word.speaker, count);
    if (count > bestCount) {
      best = word.speaker;
      bestCount = count;
    }
  }
  return best;
}

const ms = (seconds: number) => Math.round(seconds * 1000);
const at = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Meeting time (s) of a server time on this connection; undefined when the client declared no spans. */
export type ToMeetingTime = (serverSeconds: number, edge: TimeEdge) => number | undefined;

const NOT_DECLARED: ToMeetingTime = () => undefined;

/**
 * The row for a final Results message, or undefined for anything else (interims, empty finals,
 * other types, malformed messages): parsed with the extension's own parser (lib/listen/protocol.ts).
 */
export function finalRow(message: string | Buffer, key: StreamArchiveKey, seenAt: number, toMeetingTime: ToMeetingTime = NOT_DECLARED): ArchiveRow | undefined {
  const parsed = parseServerMessage(typeof message === 'string' ? message : new Uint8Array(message));
  if (!parsed.ok || parsed.event.kind !== 'results' || !parsed.event.isFinal) return undefined;
  const event = parsed.event;
  const text = event.transcript.trim();
  if (text === '') return undefined;
  const raw = typeof message === 'string' ? message : message.toString('utf8');
  const channel = Number(CHANNEL_PATTERN.exec(raw)?.[1] ?? '0');
  const offset = key.offsetSeconds;
  // Start and end edges as the extension maps its own captions (lib/transcript/transcript-store.ts).
  const meeting = (seconds: number, edge: TimeEdge) => toMeetingTime(seconds, edge) ?? seconds + offset;
  const words = event.words.map((word) => ({ ...word, start: at(meeting(word.start, 'start')), end: at(meeting(word.end, 'end')) }));
  const startMs = ms(meeting(event.start, 'start'));
  return {
    sessionId: key.sessionId,
    owner: key.owner,
    tokenLabel: key.tokenLabel,
    channel,
    startKey: Math.round(startMs / KEY_MS),
    startMs,
    endMs: ms(meeting(event.start + event.duration, 'end')),
    speaker: mostCommonSpeaker(words),
    text,
    words,
    seenAt,
  };
}
