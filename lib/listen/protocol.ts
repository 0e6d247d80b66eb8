/**
 * Server -> client messages of the /v1/listen protocol, validated before use.
 *
 * Two wire shapes are understood:
 *  - Deepgram's `Results`, `UtteranceEnd`, `SpeechStarted` and `Metadata` (docs/deepgram-protocol.md §4),
 *    and `ConfigureSuccess` / `ConfigureFailure`, its one answer to each Configure (§3.5);
 *  - the "seed-style" normalized shape of older proxies: `{"type":"transcription","text":…}`;
 *  - this project's proxy saying which engine serves the stream after a fallback
 *    (`CaptionistEngine`, lib/listen/engine-notice.ts).
 * Both become one `ListenEvent` union. Nothing here throws on server input: anything malformed,
 * unknown or absurd is ignored and counted in `ParseStats`, so a hostile server can cost us a
 * message but never a session.
 *
 * Times in a parsed event are the server's, in seconds since its connection started. ListenSocket
 * turns them into stream seconds (see listen-socket.ts); the transcript store maps those to meeting time.
 */
import * as z from 'zod/mini';
import { ENGINE_NOTICE_TYPE, readEngineNotice, type EngineNotice } from './engine-notice';
import { truncateAtWord, truncateWord } from '../transcript/truncation-mark';
import type { Word } from '../transcript/types';

/** Larger text frames are dropped before JSON.parse (a Deepgram Results is a few kB). */
export const MAX_MESSAGE_CHARS = 1_000_000;
/** Anything later than a week into one connection is not a real timestamp. */
export const MAX_SERVER_SECONDS = 7 * 24 * 3600;
export const MAX_WORDS_PER_MESSAGE = 2_000;
export const MAX_WORD_CHARS = 100;
export const MAX_TRANSCRIPT_CHARS = 10_000;
export const MAX_ID_CHARS = 200;
/** Diarization indexes above this are treated as garbage. */
export const MAX_SPEAKER_INDEX = 999;
/** Deepgram transcribes at most this many channels of one stream (proxy/control-messages.ts caps at the same). */
export const MAX_CHANNELS = 20;
/** A BCP-47 tag is short; anything longer is not one. */
export const MAX_LANGUAGE_CHARS = 35;
/** A ConfigureFailure's reason, as shown to the user. */
export const MAX_REASON_CHARS = 300;

export interface ResultsEvent {
  kind: 'results';
  isFinal: boolean;
  /** Endpointing saw a pause: the utterance is complete. Implies isFinal. */
  speechFinal: boolean;
  /** Produced by a client Finalize. */
  fromFinalize: boolean;
  /** Seconds; the span this result covers is [start, start + duration]. */
  start: number;
  duration: number;
  /** Display text (punctuated when the server punctuates); may be "". */
  transcript: string;
  /** text = punctuated_word ?? word; speaker = word.speaker ?? null. Times in the same clock as start. */
  words: Word[];
  /**
   * False when the server gave no times at all (seed-style without start/end): start, duration
   * and word times are then 0 and a consumer should place the words itself.
   */
  timed: boolean;
  /**
   * The audio channel these words were heard on: Deepgram's `channel_index[0]` with
   * multichannel=true (a meeting sends the tab as 0 and the microphone as 1), else 0.
   */
  channel: number;
}

export interface UtteranceEndEvent {
  kind: 'utterance-end';
  lastWordEnd: number;
  /** Deepgram's `channel: [i, n]` on UtteranceEnd: which channel's utterance ended (0 when absent). */
  channel: number;
}

export interface SpeechStartedEvent {
  kind: 'speech-started';
  timestamp: number;
  /** As on UtteranceEnd. */
  channel: number;
}

export interface MetadataEvent {
  kind: 'metadata';
  requestId: string;
  /** Seconds of audio the server decoded on this connection. */
  duration: number;
}

/**
 * Which Configure an answer is to: the number ListenSocket.configureKeyterms returned for it, or
 * null (the socket's own resend, or as parsed here, before the socket placed it).
 */
interface ConfigureAnswer {
  request: number | null;
}

/** Deepgram took a Configure; `keyterms` are the ones now in effect when it replaced them. */
export interface ConfigureSuccessEvent extends ConfigureAnswer {
  kind: 'configure-success';
  keyterms: string[] | null;
}

/** Deepgram refused a Configure and kept the stream's settings; `message` is its reason, if it gave one. */
export interface ConfigureFailureEvent extends ConfigureAnswer {
  kind: 'configure-failure';
  message: string;
}

/** The proxy fell back: `notice.engine` serves this connection's stream, because `notice.from` could not. */
export interface EngineEvent {
  kind: 'engine';
  notice: EngineNotice;
}

export type ListenEvent =
  | ResultsEvent
  | UtteranceEndEvent
  | SpeechStartedEvent
  | MetadataEvent
  | ConfigureSuccessEvent
  | ConfigureFailureEvent
  | EngineEvent;

export type IgnoreReason =
  | 'not-utf8'
  | 'too-large'
  | 'invalid-json'
  | 'not-an-object'
  | 'unknown-type'
  | 'invalid-results'
  | 'invalid-utterance-end'
  | 'invalid-speech-started'
  | 'invalid-metadata'
  | 'invalid-configure-answer'
  | 'invalid-transcription'
  | 'invalid-engine-notice';

export const IGNORE_REASONS: readonly IgnoreReason[] = [
  'not-utf8',
  'too-large',
  'invalid-json',
  'not-an-object',
  'unknown-type',
  'invalid-results',
  'invalid-utterance-end',
  'invalid-speech-started',
  'invalid-metadata',
  'invalid-configure-answer',
  'invalid-transcription',
  'invalid-engine-notice',
];

export type ParseResult = { ok: true; event: ListenEvent } | ParseFailure;

export interface ParseFailure {
  ok: false;
  ignored: IgnoreReason;
  /** A short hint for logs (the type, or the first schema issue). */
  detail: string;
}

/** A frame that passed readServerFrame: a JSON object, and its `type` as sent. */
export interface ServerFrame {
  ok: true;
  value: object;
  type: unknown;
}

/**
 * A field dropped from a message that was otherwise accepted (the message keeps its default):
 * 'channel-index' is the channel a message names (`channel_index` on Results, `channel` on
 * UtteranceEnd and SpeechStarted) when it is not [i, n] with 0 <= i < n <= MAX_CHANNELS.
 */
export type IgnoredField = 'channel-index' | 'relay-entry';

/** 'relay-entry': a word or speaker segment of a relay's message that was malformed (relay-protocol.ts). */
export const IGNORED_FIELDS: readonly IgnoredField[] = ['channel-index', 'relay-entry'];

export interface ParseStats {
  parsed: number;
  ignored: Record<IgnoreReason, number>;
  /** Fields ignored in accepted messages, by field. */
  ignoredFields: Record<IgnoredField, number>;
}

export function createParseStats(): ParseStats {
  const ignored = {} as Record<IgnoreReason, number>;
  for (const reason of IGNORE_REASONS) ignored[reason] = 0;
  const ignoredFields = {} as Record<IgnoredField, number>;
  for (const field of IGNORED_FIELDS) ignoredFields[field] = 0;
  return { parsed: 0, ignored, ignoredFields };
}

/** Messages ignored (parsed + totalIgnored = messages received). */
export function totalIgnored(stats: ParseStats): number {
  let sum = 0;
  for (const reason of IGNORE_REASONS) sum += stats.ignored[reason];
  return sum;
}

/** Fields ignored in messages that were accepted. */
export function totalIgnoredFields(stats: ParseStats): number {
  let sum = 0;
  for (const field of IGNORED_FIELDS) sum += stats.ignoredFields[field];
  return sum;
}

export interface ParseOptions {
  /** Counted into when given. */
  stats?: ParseStats;
  /**
   * Seed-style proxies may name speakers with strings ("A", "spk_1"); each new name gets the next
   * index here, so one socket keeps one mapping for its whole session.
   */
  speakerIds?: Map<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Schemas (zod/mini: the same checks as full zod at a fraction of its bundle; see
// scripts/check-bundle-size.ts). z.object strips unknown keys, so extra fields from newer servers
// are harmless. z.number() in zod 4 already rejects NaN and ±Infinity.

const seconds = z.number().check(z.gte(0), z.lte(MAX_SERVER_SECONDS));
const capped = (max: number) => z.pipe(z.string(), z.transform((s: string) => (s.length > max ? s.slice(0, max) : s)));
/** Text shown to the user: cut before a whole word and marked (lib/transcript/truncation-mark.ts), never silently. */
const cappedText = (max: number) => z.pipe(z.string(), z.transform((s: string) => truncateAtWord(s, max)));
const cappedWord = (max: number) => z.pipe(z.string(), z.transform((s: string) => truncateWord(s, max)));

const deepgramWordSchema = z.object({
  word: cappedWord(MAX_WORD_CHARS),
  punctuated_word: z.optional(cappedWord(MAX_WORD_CHARS)),
  start: seconds,
  end: seconds,
  confidence: z.optional(z.number()),
  speaker: z.optional(z.nullable(z.int().check(z.gte(0), z.lte(MAX_SPEAKER_INDEX)))),
  // Multilingual streams (language=multi) name each word's language; validated leniently below.
  language: z.optional(z.unknown()),
});

const alternativeSchema = z.object({
  transcript: cappedText(MAX_TRANSCRIPT_CHARS),
  confidence: z.optional(z.number()),
  words: z.optional(z.array(deepgramWordSchema).check(z.maxLength(MAX_WORDS_PER_MESSAGE))),
});

export const resultsSchema = z.object({
  type: z.literal('Results'),
  start: seconds,
  duration: seconds,
  is_final: z.optional(z.boolean()),
  speech_final: z.optional(z.boolean()),
  from_finalize: z.optional(z.boolean()),
  channel: z.object({ alternatives: z.array(alternativeSchema).check(z.maxLength(16)) }),
  // Validated leniently below: a bad channel_index costs the channel (0 is kept), not the words.
  channel_index: z.optional(z.unknown()),
});

export const utteranceEndSchema = z.object({
  type: z.literal('UtteranceEnd'),
  last_word_end: seconds,
  channel: z.optional(z.unknown()),
});

export const speechStartedSchema = z.object({
  type: z.literal('SpeechStarted'),
  timestamp: seconds,
  channel: z.optional(z.unknown()),
});

export const metadataSchema = z.object({
  type: z.literal('Metadata'),
  // Required by the spec, but a missing id must not cost us the close summary.
  request_id: z.optional(capped(MAX_ID_CHARS)),
  duration: z.optional(seconds),
});

const keytermListSchema = z.array(capped(100)).check(z.maxLength(200));

export const configureSuccessSchema = z.object({
  type: z.literal('ConfigureSuccess'),
  keyterms: z.optional(z.nullable(keytermListSchema)),
});

/**
 * Deepgram's documentation shows ConfigureSuccess but not the failure's fields: its reason is read
 * from whichever of the usual error fields it carries.
 */
export const configureFailureSchema = z.object({
  type: z.literal('ConfigureFailure'),
  description: z.optional(z.string()),
  message: z.optional(z.string()),
  err_msg: z.optional(z.string()),
  reason: z.optional(z.string()),
  code: z.optional(z.union([z.string(), z.number()])),
  err_code: z.optional(z.string()),
});

function failureReason(msg: z.infer<typeof configureFailureSchema>): string {
  const text = [msg.description, msg.message, msg.err_msg, msg.reason].find((value) => value !== undefined && value.trim() !== '');
  const code = msg.code ?? msg.err_code;
  const reason = text?.trim() ?? (code === undefined ? '' : String(code));
  return truncateAtWord(reason, MAX_REASON_CHARS);
}

/** Older proxies are loose about types: accept numbers and booleans sent as strings. */
const looseSeconds = z.union([
  seconds,
  z.pipe(z.pipe(z.string().check(z.trim(), z.regex(/^\d+(\.\d+)?$/)), z.transform(Number)), seconds),
]);
const looseBoolean = z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((s: 'true' | 'false') => s === 'true'))]);

export const seedTranscriptionSchema = z.object({
  type: z.literal('transcription'),
  text: cappedText(MAX_TRANSCRIPT_CHARS),
  is_final: z.optional(looseBoolean),
  speech_final: z.optional(looseBoolean),
  // Validated leniently below: a bad speaker costs the speaker, not the words.
  speaker: z.optional(z.unknown()),
  start: z.optional(looseSeconds),
  end: z.optional(looseSeconds),
  confidence: z.optional(z.number()),
});

// ---------------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Counts an ignored frame and says why (parsers of every server kind share it). */
export function ignore(reason: IgnoreReason, detail: string, stats?: ParseStats): ParseFailure {
  if (stats) stats.ignored[reason] += 1;
  return { ok: false, ignored: reason, detail: detail.slice(0, 200) };
}

export function accept(event: ListenEvent, stats?: ParseStats): ParseResult {
  if (stats) stats.parsed += 1;
  return { ok: true, event };
}

export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

/** A confidence in 0..1; a server that gives none is taken at its word (1). */
export function clampConfidence(value: number | undefined): number {
  if (value === undefined) return 1;
  return Math.min(1, Math.max(0, value));
}

/** Splits text into words placed evenly over [start, end]; used when a server sends no word list. */
export function spreadWords(text: string, start: number, end: number, speaker: number | null, confidence: number): Word[] {
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  const limited = tokens.slice(0, MAX_WORDS_PER_MESSAGE);
  const span = Math.max(0, end - start);
  const step = limited.length > 0 ? span / limited.length : 0;
  return limited.map((token, i) => ({
    text: truncateWord(token, MAX_WORD_CHARS),
    start: start + i * step,
    end: start + (i + 1) * step,
    confidence,
    speaker,
  }));
}

const channelIndexSchema = z.tuple([
  z.int().check(z.gte(0), z.lt(MAX_CHANNELS)),
  z.int().check(z.gte(1), z.lte(MAX_CHANNELS)),
]);

/**
 * `[i, n]` -> i; 0 when absent; 0 and counted in `stats` when malformed (i must be below n): a bad
 * channel costs the channel, not the message.
 */
function channelOf(value: unknown, stats: ParseStats | undefined): number {
  if (value === undefined) return 0;
  const parsed = channelIndexSchema.safeParse(value);
  if (parsed.success && parsed.data[0] < parsed.data[1]) return parsed.data[0];
  if (stats) stats.ignoredFields['channel-index'] += 1;
  return 0;
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;

/** A word's language when it is a plausible tag; anything else costs the language, not the word. */
function languageOf(value: unknown): { language?: string } {
  return typeof value === 'string' && value.length <= MAX_LANGUAGE_CHARS && LANGUAGE_TAG.test(value) ? { language: value } : {};
}

function toResults(msg: z.infer<typeof resultsSchema>, stats?: ParseStats): ResultsEvent | string {
  const alt = msg.channel.alternatives[0];
  const confidence = clampConfidence(alt?.confidence);
  const words: Word[] = [];
  for (const w of alt?.words ?? []) {
    // A word ending before it starts is a server bug by more than rounding: refuse the message.
    if (w.end + 0.001 < w.start) return `word "${w.word.slice(0, 20)}" ends before it starts`;
    const text = (w.punctuated_word ?? w.word).trim();
    if (text === '') continue;
    words.push({
      text,
      start: w.start,
      end: Math.max(w.start, w.end),
      confidence: clampConfidence(w.confidence),
      speaker: w.speaker ?? null,
      ...languageOf(w.language),
    });
  }
  const transcript = alt?.transcript.trim() ?? '';
  const isFinal = (msg.is_final ?? false) || (msg.speech_final ?? false);
  const channel = channelOf(msg.channel_index, stats);
  return {
    kind: 'results',
    isFinal,
    speechFinal: msg.speech_final ?? false,
    fromFinalize: msg.from_finalize ?? false,
    start: msg.start,
    duration: msg.duration,
    transcript,
    // Some servers send a transcript without the word list: place its words over the span.
    words: words.length > 0 || transcript === '' ? words : spreadWords(transcript, msg.start, msg.start + msg.duration, null, confidence),
    timed: true,
    channel,
  };
}

function seedSpeaker(value: unknown, speakerIds: Map<string, number> | undefined): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= MAX_SPEAKER_INDEX ? value : null;
  }
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

function toSeedResults(msg: z.infer<typeof seedTranscriptionSchema>, speakerIds?: Map<string, number>): ResultsEvent | string {
  const timed = msg.start !== undefined || msg.end !== undefined;
  const start = msg.start ?? msg.end ?? 0;
  const end = msg.end ?? start;
  if (end + 0.001 < start) return 'end before start';
  const speaker = seedSpeaker(msg.speaker, speakerIds);
  const transcript = msg.text.trim();
  const isFinal = msg.is_final ?? true;
  return {
    kind: 'results',
    isFinal: isFinal || (msg.speech_final ?? false),
    // A seed-style final is a whole segment: it ends the utterance unless the proxy says otherwise.
    speechFinal: msg.speech_final ?? isFinal,
    fromFinalize: false,
    start,
    duration: Math.max(0, end - start),
    transcript,
    words: spreadWords(transcript, start, Math.max(start, end), speaker, clampConfidence(msg.confidence)),
    timed,
    // The seed-style shape has no channels: everything is the one stream.
    channel: 0,
  };
}

function decode(raw: string | ArrayBuffer | ArrayBufferView): string | null {
  if (typeof raw === 'string') return raw;
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

/**
 * What every server frame goes through first, whatever kind of server sent it: at most
 * MAX_MESSAGE_CHARS, UTF-8 (some proxies send JSON in binary frames), JSON, an object. Never
 * throws; a frame that fails is counted in `stats`.
 */
export function readServerFrame(raw: string | ArrayBuffer | ArrayBufferView, stats?: ParseStats): ServerFrame | ParseFailure {
  const size = typeof raw === 'string' ? raw.length : raw.byteLength;
  if (size > MAX_MESSAGE_CHARS) return ignore('too-large', `${size} chars`, stats);
  const text = decode(raw);
  if (text === null) return ignore('not-utf8', 'binary frame', stats);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return ignore('invalid-json', error instanceof Error ? error.message : 'unparseable', stats);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ignore('not-an-object', Array.isArray(value) ? 'array' : typeof value, stats);
  }
  return { ok: true, value, type: (value as { type?: unknown }).type };
}

/**
 * Validates one server frame and normalizes it. Never throws; ignored frames are counted in
 * `options.stats`.
 */
export function parseServerMessage(raw: string | ArrayBuffer | ArrayBufferView, options: ParseOptions = {}): ParseResult {
  const { stats, speakerIds } = options;
  const frame = readServerFrame(raw, stats);
  if (!frame.ok) return frame;
  const { value, type } = frame;

  switch (type) {
    case 'Results': {
      const parsed = resultsSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-results', firstIssue(parsed.error), stats);
      const event = toResults(parsed.data, stats);
      return typeof event === 'string' ? ignore('invalid-results', event, stats) : accept(event, stats);
    }
    case 'UtteranceEnd': {
      const parsed = utteranceEndSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-utterance-end', firstIssue(parsed.error), stats);
      return accept({ kind: 'utterance-end', lastWordEnd: parsed.data.last_word_end, channel: channelOf(parsed.data.channel, stats) }, stats);
    }
    case 'SpeechStarted': {
      const parsed = speechStartedSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-speech-started', firstIssue(parsed.error), stats);
      return accept({ kind: 'speech-started', timestamp: parsed.data.timestamp, channel: channelOf(parsed.data.channel, stats) }, stats);
    }
    case 'Metadata': {
      const parsed = metadataSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-metadata', firstIssue(parsed.error), stats);
      return accept({ kind: 'metadata', requestId: parsed.data.request_id ?? '', duration: parsed.data.duration ?? 0 }, stats);
    }
    case 'ConfigureSuccess': {
      const parsed = configureSuccessSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-configure-answer', firstIssue(parsed.error), stats);
      return accept({ kind: 'configure-success', keyterms: parsed.data.keyterms ?? null, request: null }, stats);
    }
    case 'ConfigureFailure': {
      const parsed = configureFailureSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-configure-answer', firstIssue(parsed.error), stats);
      return accept({ kind: 'configure-failure', message: failureReason(parsed.data), request: null }, stats);
    }
    case 'transcription': {
      const parsed = seedTranscriptionSchema.safeParse(value);
      if (!parsed.success) return ignore('invalid-transcription', firstIssue(parsed.error), stats);
      const event = toSeedResults(parsed.data, speakerIds);
      return typeof event === 'string' ? ignore('invalid-transcription', event, stats) : accept(event, stats);
    }
    case ENGINE_NOTICE_TYPE: {
      const notice = readEngineNotice(value as Record<string, unknown>);
      return notice === null ? ignore('invalid-engine-notice', 'engine, from or reason missing or unknown', stats) : accept({ kind: 'engine', notice }, stats);
    }
    default:
      return ignore('unknown-type', typeof type === 'string' ? type.slice(0, 40) : typeof type, stats);
  }
}
