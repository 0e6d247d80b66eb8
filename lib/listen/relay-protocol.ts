/**
 * Messages of a transcription relay (server-kind.ts, 'relay'), validated at the border and turned
 * into the same ResultsEvent the /v1/listen parser (protocol.ts) gives, so the store treats them alike:
 *
 *   {"type":"transcription","is_final":true,"speech_final":false,"transcript":"Hello there.",
 *    "confidence":0.98,"words":[{"word":"hello","start":0.1,"end":0.4,"speaker":0},…],
 *    "speaker_segments":[{"speaker":0,"start":0.1,"end":0.9,"text":"Hello there."}]}
 *
 * `speaker_segments` comes only on a relay's multi-speaker route. Times are the relay's upstream
 * seconds since its connection started, as Deepgram's (the socket's connection clock maps them).
 * Speakers come from `words[].speaker`, else from the segment a word falls in. Words without
 * punctuation take the transcript's own spelling when it has as many words. Nothing here throws:
 * a malformed message is ignored and counted, a malformed word or segment is dropped and counted.
 */
import * as z from 'zod/mini';
import { truncateAtWord, truncateWord } from '../transcript/truncation-mark';
import type { Word } from '../transcript/types';
import {
  MAX_ID_CHARS,
  MAX_SERVER_SECONDS,
  MAX_SPEAKER_INDEX,
  MAX_TRANSCRIPT_CHARS,
  MAX_WORD_CHARS,
  MAX_WORDS_PER_MESSAGE,
  accept,
  clampConfidence,
  firstIssue,
  ignore,
  readServerFrame,
  spreadWords,
  type ParseOptions,
  type ParseResult,
  type ParseStats,
  type ResultsEvent,
} from './protocol';

/** A multi-speaker relay sends one segment per speaker turn; more than this is garbage. */
export const MAX_SEGMENTS_PER_MESSAGE = 500;

const seconds = z.number().check(z.gte(0), z.lte(MAX_SERVER_SECONDS));
/** Relays written in a hurry send numbers and booleans as strings now and then. */
const looseSeconds = z.union([
  seconds,
  z.pipe(z.pipe(z.string().check(z.trim(), z.regex(/^\d+(\.\d+)?$/)), z.transform(Number)), seconds),
]);
const looseBoolean = z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((s: 'true' | 'false') => s === 'true'))]);
const cappedText = z.pipe(z.string(), z.transform((s: string) => truncateAtWord(s, MAX_TRANSCRIPT_CHARS)));
const cappedWord = z.pipe(z.string(), z.transform((s: string) => truncateWord(s, MAX_WORD_CHARS)));

export const relayMessageSchema = z.object({
  type: z.literal('transcription'),
  transcript: z.optional(cappedText),
  // Some relays call it `text` (the older seed-style shape); either is read.
  text: z.optional(cappedText),
  is_final: z.optional(looseBoolean),
  speech_final: z.optional(looseBoolean),
  confidence: z.optional(z.number()),
  // Entries are checked one by one below: a bad word costs that word, not the message.
  words: z.optional(z.array(z.unknown()).check(z.maxLength(MAX_WORDS_PER_MESSAGE))),
  speaker_segments: z.optional(z.array(z.unknown()).check(z.maxLength(MAX_SEGMENTS_PER_MESSAGE))),
});

const relayWordSchema = z.object({
  word: cappedWord,
  punctuated_word: z.optional(cappedWord),
  start: looseSeconds,
  end: looseSeconds,
  confidence: z.optional(z.number()),
  speaker: z.optional(z.unknown()),
});

const relaySegmentSchema = z.object({
  speaker: z.optional(z.unknown()),
  start: looseSeconds,
  end: looseSeconds,
  text: cappedText,
});

interface Segment {
  speaker: number | null;
  start: number;
  end: number;
  text: string;
}

/** 0..MAX_SPEAKER_INDEX as a number or digits; a name gets the next index in `speakerIds`. */
function speakerOf(value: unknown, speakerIds: Map<string, number> | undefined): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= MAX_SPEAKER_INDEX ? value : null;
  if (typeof value !== 'string') return null;
  const name = value.trim().slice(0, MAX_ID_CHARS);
  if (name === '') return null;
  if (/^\d{1,3}$/.test(name)) return Number(name);
  if (!speakerIds) return null;
  let id = speakerIds.get(name);
  if (id === undefined) {
    if (speakerIds.size > MAX_SPEAKER_INDEX) return null;
    id = speakerIds.size;
    speakerIds.set(name, id);
  }
  return id;
}

function countDropped(stats: ParseStats | undefined): void {
  if (stats) stats.ignoredFields['relay-entry'] += 1;
}

function parseSegments(raw: readonly unknown[], options: ParseOptions): Segment[] {
  const segments: Segment[] = [];
  for (const entry of raw) {
    const parsed = relaySegmentSchema.safeParse(entry);
    if (!parsed.success || parsed.data.end + 0.001 < parsed.data.start) {
      countDropped(options.stats);
      continue;
    }
    const { start, end, text, speaker } = parsed.data;
    segments.push({ speaker: speakerOf(speaker, options.speakerIds), start, end: Math.max(start, end), text: text.trim() });
  }
  return segments;
}

/** The speaker of the segment a word's middle falls in. */
function segmentSpeaker(segments: readonly Segment[], start: number, end: number): number | null {
  const middle = (start + end) / 2;
  const segment = segments.find((s) => s.speaker !== null && s.start - 0.001 <= middle && middle <= s.end + 0.001);
  return segment?.speaker ?? null;
}

function parseWords(raw: readonly unknown[], segments: readonly Segment[], transcript: string, options: ParseOptions): Word[] {
  const words: Word[] = [];
  let punctuated = false;
  for (const entry of raw) {
    const parsed = relayWordSchema.safeParse(entry);
    if (!parsed.success || parsed.data.end + 0.001 < parsed.data.start) {
      countDropped(options.stats);
      continue;
    }
    const w = parsed.data;
    const text = (w.punctuated_word ?? w.word).trim();
    if (text === '') continue;
    if (w.punctuated_word !== undefined) punctuated = true;
    const end = Math.max(w.start, w.end);
    words.push({
      text,
      start: w.start,
      end,
      confidence: clampConfidence(w.confidence),
      speaker: speakerOf(w.speaker, options.speakerIds) ?? segmentSpeaker(segments, w.start, end),
    });
  }
  // Relays pass Deepgram's bare `word` (lower case, no punctuation) but a punctuated transcript:
  // word for word, the transcript's spelling is what a reader should see.
  const tokens = transcript.split(/\s+/).filter((token) => token !== '');
  if (!punctuated && tokens.length === words.length) {
    return words.map((word, i) => ({ ...word, text: truncateWord(tokens[i] ?? word.text, MAX_WORD_CHARS) }));
  }
  return words;
}

/**
 * One relay frame as a ListenEvent (always a 'results'), or why it was ignored. Binary frames are
 * read as UTF-8 JSON (some servers send text that way).
 */
export function parseRelayMessage(raw: string | ArrayBuffer | ArrayBufferView, options: ParseOptions = {}): ParseResult {
  const { stats } = options;
  const frame = readServerFrame(raw, stats);
  if (!frame.ok) return frame;
  const { value, type } = frame;
  if (type !== 'transcription') return ignore('unknown-type', typeof type === 'string' ? type.slice(0, 40) : typeof type, stats);
  const parsed = relayMessageSchema.safeParse(value);
  if (!parsed.success) return ignore('invalid-transcription', firstIssue(parsed.error), stats);
  const msg = parsed.data;
  if (msg.transcript === undefined && msg.text === undefined) return ignore('invalid-transcription', 'transcript: missing', stats);
  return accept(toResults(msg, options), stats);
}

function toResults(msg: z.infer<typeof relayMessageSchema>, options: ParseOptions): ResultsEvent {
  const transcript = (msg.transcript ?? msg.text ?? '').trim();
  const confidence = clampConfidence(msg.confidence);
  const segments = parseSegments(msg.speaker_segments ?? [], options);
  let words = parseWords(msg.words ?? [], segments, transcript, options);
  // No word list: the segments still place the text and name its speakers.
  if (words.length === 0) {
    words = segments.flatMap((s) => spreadWords(s.text, s.start, s.end, s.speaker, confidence)).slice(0, MAX_WORDS_PER_MESSAGE);
  }
  const timed = words.length > 0;
  if (!timed && transcript !== '') words = spreadWords(transcript, 0, 0, null, confidence);
  const start = timed ? words.reduce((min, w) => Math.min(min, w.start), Infinity) : 0;
  const end = timed ? words.reduce((max, w) => Math.max(max, w.end), 0) : 0;
  const isFinal = msg.is_final ?? true;
  return {
    kind: 'results',
    isFinal: isFinal || (msg.speech_final ?? false),
    speechFinal: msg.speech_final ?? false,
    // A relay never sees our Finalize (it gets none): no result comes from one.
    fromFinalize: false,
    start,
    duration: Math.max(0, end - start),
    transcript: transcript !== '' ? transcript : words.map((w) => w.text).join(' '),
    words,
    timed,
    // A relay's stream is one channel.
    channel: 0,
  };
}
