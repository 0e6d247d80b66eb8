import { ARCHIVE_OFFSET_PARAM, ARCHIVE_PARAMS, ARCHIVE_SESSION_PARAM, archiveParamProblem, type ArchiveParams } from './archive/archive-params';

/**
 * The query parameters a client may pass through to the upstream. Anything not listed is refused:
 * `callback` would make Deepgram post transcripts to an address of the client's choosing, and
 * unknown parameters are how surprises get in.
 */

const BOOLEAN_PARAMS = new Set([
  'interim_results',
  'punctuate',
  'smart_format',
  'diarize',
  'vad_events',
  'numerals',
  'filler_words',
  'profanity_filter',
  'multichannel',
  'no_delay',
  // Asks Deepgram not to keep the audio for its model improvement program; the extension sends it by default.
  'mip_opt_out',
]);
const INTEGER_PARAMS = new Set(['sample_rate', 'channels', 'utterance_end_ms']);
/** `endpointing` is a number of milliseconds or `false`. */
const TEXT_PARAMS = new Set(['model', 'language', 'encoding', 'diarize_model', 'endpointing']);
/** Deepgram accepts these several times in one request. */
const REPEATABLE_PARAMS = new Set(['keyterm', 'keywords', 'redact', 'tag', 'extra']);

export const ALLOWED_PARAMS: readonly string[] = [
  ...BOOLEAN_PARAMS,
  ...INTEGER_PARAMS,
  ...TEXT_PARAMS,
  ...REPEATABLE_PARAMS,
];

/** Every encoding Deepgram documents for raw audio (docs/deepgram-protocol.md §2). */
export const DEEPGRAM_ENCODINGS: ReadonlySet<string> = new Set([
  'linear16',
  'linear32',
  'flac',
  'alaw',
  'mulaw',
  'amr-nb',
  'amr-wb',
  'opus',
  'ogg-opus',
  'speex',
  'g729',
]);

/**
 * The client's declared format sets its own audio rate limit (bytesPerSecond), so the operator caps
 * the format: without caps, linear32 at 192 kHz on 20 channels let about 200 MB in within 2 s.
 */
export interface FormatLimits {
  maxSampleRate: number;
  maxChannels: number;
  /** Encodings a client may declare; containerized audio (no `encoding`) is always allowed. */
  allowedEncodings: readonly string[];
}

/**
 * The extension sends linear16; telephony clients send mulaw or alaw; browsers' MediaRecorder and
 * many SDKs send Opus (raw or in Ogg); flac is compressed. linear32 is left out: it doubles the
 * byte rate of the same audio and no common client needs it.
 */
export const DEFAULT_FORMAT_LIMITS: FormatLimits = {
  maxSampleRate: 48_000,
  maxChannels: 2,
  allowedEncodings: ['linear16', 'mulaw', 'alaw', 'opus', 'ogg-opus', 'flac'],
};

const MAX_VALUE_LENGTH = 256;
const MAX_REPEATS = 200;

/** What the proxy needs to know about the audio: its rate limit and the local engine depend on it. */
export interface AudioFormat {
  /** Absent: containerized audio (WAV, Ogg, WebM), the format is in the stream itself. */
  encoding: string | undefined;
  sampleRate: number | undefined;
  channels: number;
}

export interface ListenParams {
  /** Only allowlisted parameters, in the client's order, ready to append to the upstream URL. */
  query: URLSearchParams;
  format: AudioFormat;
  /** The proxy's own archive parameters (proxy/archive/archive-params.ts); never in `query`. Absent: none given. */
  archive?: ArchiveParams;
}

export type ListenParamsResult = { ok: true; params: ListenParams } | { ok: false; message: string };

const BYTES_PER_SAMPLE: Readonly<Record<string, number>> = { linear16: 2, linear32: 4, mulaw: 1, alaw: 1 };
/**
 * For compressed or containerized audio the proxy cannot know the rate; allow what uncompressed
 * 16-bit 48 kHz audio would need on the declared channels, and never less than stereo.
 */
const GENEROUS_BYTES_PER_CHANNEL_SECOND = 48_000 * 2;
const GENEROUS_MIN_CHANNELS = 2;

/**
 * Bytes per second of raw audio in this format, all channels together (a 2-channel stream carries
 * twice the bytes of a mono one per second of audio); undefined for compressed or containerized audio.
 */
export function rawBytesPerSecond(format: AudioFormat): number | undefined {
  const width = format.encoding === undefined ? undefined : BYTES_PER_SAMPLE[format.encoding];
  return width === undefined || format.sampleRate === undefined ? undefined : format.sampleRate * format.channels * width;
}

/**
 * The most bytes per second of real-time audio this format can need: the stream's rate limit
 * (proxy/listen-session.ts) counts every declared channel, which MAX_CHANNELS caps.
 */
export function bytesPerSecond(format: AudioFormat): number {
  const width = format.encoding === undefined ? undefined : BYTES_PER_SAMPLE[format.encoding];
  if (width === undefined || format.sampleRate === undefined) return GENEROUS_BYTES_PER_CHANNEL_SECOND * Math.max(GENEROUS_MIN_CHANNELS, format.channels);
  return format.sampleRate * format.channels * width;
}

function checkValue(name: string, value: string): string | undefined {
  if (value.length > MAX_VALUE_LENGTH) return `"${name}" is longer than ${MAX_VALUE_LENGTH} characters.`;
  if (BOOLEAN_PARAMS.has(name) && value !== 'true' && value !== 'false') {
    return `"${name}" must be true or false, not "${value}".`;
  }
  if (INTEGER_PARAMS.has(name) && !/^\d{1,7}$/.test(value)) {
    return `"${name}" must be a whole number, not "${value}".`;
  }
  if (name === 'encoding' && !DEEPGRAM_ENCODINGS.has(value)) {
    return `encoding "${value}" is not one of ${[...DEEPGRAM_ENCODINGS].join(', ')}.`;
  }
  // A group (pci, pii, phi, numbers, aggressive_numbers), true/false, or one entity type (credit_card_number…).
  if (name === 'redact' && !/^[a-z][a-z_]{0,63}$/.test(value)) {
    return `"redact" must be a redaction group or entity type such as pci, pii, phi or numbers, not "${value.slice(0, 40)}".`;
  }
  if (name === 'endpointing' && value !== 'false' && !/^\d{1,6}$/.test(value)) {
    return `"endpointing" must be a number of milliseconds or false, not "${value}".`;
  }
  return undefined;
}

/** Checks a client's query string against the allowlist; the message says what to change. */
export function checkListenParams(search: URLSearchParams, limits: FormatLimits = DEFAULT_FORMAT_LIMITS): ListenParamsResult {
  const query = new URLSearchParams();
  const seen = new Map<string, number>();
  const archive: { session: string | undefined; offsetSeconds: number } = { session: undefined, offsetSeconds: 0 };
  for (const [name, value] of search) {
    if (ARCHIVE_PARAMS.includes(name)) {
      // For the proxy alone: checked, kept apart, and never sent upstream.
      const problem = archiveParamProblem(name, value);
      if (problem !== undefined) return { ok: false, message: problem };
      if (seen.has(name)) return { ok: false, message: `The query parameter "${name}" may appear only once.` };
      seen.set(name, 1);
      if (name === ARCHIVE_SESSION_PARAM) archive.session = value;
      if (name === ARCHIVE_OFFSET_PARAM) archive.offsetSeconds = Number(value);
      continue;
    }
    if (!ALLOWED_PARAMS.includes(name)) {
      return {
        ok: false,
        message: `The query parameter "${name}" is not allowed through this proxy. Allowed: ${ALLOWED_PARAMS.join(', ')}.`,
      };
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count > 1 && !REPEATABLE_PARAMS.has(name)) {
      return { ok: false, message: `The query parameter "${name}" may appear only once.` };
    }
    if (count > MAX_REPEATS) return { ok: false, message: `"${name}" is repeated more than ${MAX_REPEATS} times.` };
    const problem = checkValue(name, value);
    if (problem !== undefined) return { ok: false, message: problem };
    query.append(name, value);
  }
  const sampleRate = query.get('sample_rate');
  const channels = query.get('channels');
  const format: AudioFormat = {
    encoding: query.get('encoding') ?? undefined,
    sampleRate: sampleRate === null ? undefined : Number(sampleRate),
    channels: channels === null ? 1 : Number(channels),
  };
  if (format.encoding !== undefined && format.sampleRate === undefined) {
    return { ok: false, message: `encoding=${format.encoding} needs sample_rate too (e.g. sample_rate=16000).` };
  }
  if (format.sampleRate !== undefined && (format.sampleRate < 8000 || format.sampleRate > 192_000)) {
    return { ok: false, message: `sample_rate ${format.sampleRate} is outside 8000-192000.` };
  }
  if (format.channels < 1 || format.channels > 20) {
    return { ok: false, message: `channels ${format.channels} is outside 1-20.` };
  }
  if (format.encoding !== undefined && !limits.allowedEncodings.includes(format.encoding)) {
    return { ok: false, message: `encoding ${format.encoding} is not allowed by this proxy (ALLOWED_ENCODINGS: ${limits.allowedEncodings.join(', ')}).` };
  }
  if (format.sampleRate !== undefined && format.sampleRate > limits.maxSampleRate) {
    return { ok: false, message: `sample_rate ${format.sampleRate} is above this proxy's limit of ${limits.maxSampleRate} (MAX_SAMPLE_RATE).` };
  }
  if (format.channels > limits.maxChannels) {
    return { ok: false, message: `channels ${format.channels} is above this proxy's limit of ${limits.maxChannels} (MAX_CHANNELS).` };
  }
  return { ok: true, params: { query, format, archive } };
}
