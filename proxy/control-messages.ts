/**
 * Client text messages, read once and rewritten by the proxy: the upstream only ever receives text
 * the proxy wrote itself. KeepAlive and CloseStream are fixed strings, Finalize keeps only a valid
 * `channel`, and Configure is rebuilt from its checked fields. Extra fields (a `callback`, say) never
 * travel, and a message with two `type` keys reaches the upstream as the one type the proxy read,
 * so no server can read it differently.
 *
 * Limits for Configure follow Deepgram's documentation of `keyterm` and of Configure:
 * keyterms are at most 500 tokens together, Deepgram recommends up to about 100 terms, and an
 * over-limit update silently stops transcription until a 1011 about 30 s later, so the proxy refuses
 * it up front. Only `numerals` may be changed mid-stream.
 */
import {
  checkConfigureKeyterms,
  CONFIGURE_MAX_KEYTERM_CHARACTERS,
  CONFIGURE_MAX_KEYTERM_TOKENS,
  CONFIGURE_MAX_KEYTERMS,
  estimateKeytermTokens,
} from '../lib/listen/configure';
import { MAX_MEETING_SECONDS, MEETING_SPAN_TYPE } from '../lib/listen/meeting-span';
import type { ControlType } from './upstreams/upstream';

export const KEEP_ALIVE_TEXT = '{"type":"KeepAlive"}';
export const FINALIZE_TEXT = '{"type":"Finalize"}';
export const CLOSE_STREAM_TEXT = '{"type":"CloseStream"}';

export const MAX_KEYTERMS = CONFIGURE_MAX_KEYTERMS;
export const MAX_KEYTERM_CHARACTERS = CONFIGURE_MAX_KEYTERM_CHARACTERS;
export const MAX_KEYTERM_TOKENS = CONFIGURE_MAX_KEYTERM_TOKENS;
/** Deepgram's multichannel maximum; a Finalize for a channel beyond it cannot mean anything. */
const MAX_CHANNEL_INDEX = 19;
/** Features Configure may switch mid-stream, each a boolean. */
const CONFIGURE_FEATURES: ReadonlySet<string> = new Set(['numerals']);
const CONFIGURE_FIELDS: ReadonlySet<string> = new Set(['type', 'keyterms', 'features']);

/**
 * A control message for the upstream, the proxy's own span declaration (lib/listen/meeting-span.ts:
 * where the audio that follows lies in meeting time, for the archive; never sent upstream), or a refusal.
 */
export type ControlMessage =
  | { ok: true; type: ControlType; text: string }
  | { ok: true; type: typeof MEETING_SPAN_TYPE; meetingStart: number }
  | { ok: false; reason: string };

const refuse = (reason: string): ControlMessage => ({ ok: false, reason });

/** The extension checks a Configure's key terms with the same code before it sends one (lib/listen/configure.ts). */
export { estimateKeytermTokens };

function readKeyterms(value: unknown): { keyterms: string[] | null } | { reason: string } {
  if (value === null) return { keyterms: null };
  if (!Array.isArray(value)) return { reason: 'Configure "keyterms" must be a list of strings or null' };
  const checked = checkConfigureKeyterms(value);
  if (checked.ok) return { keyterms: checked.keyterms };
  const { problem } = checked;
  switch (problem.kind) {
    case 'too-many':
      return { reason: `Configure may carry at most ${MAX_KEYTERMS} keyterms` };
    case 'empty-term':
      return { reason: 'each Configure keyterm must be a non-empty string' };
    case 'term-too-long':
      return { reason: `a Configure keyterm is longer than ${MAX_KEYTERM_CHARACTERS} characters` };
    case 'too-many-tokens':
      return { reason: `Configure keyterms exceed Deepgram's ${MAX_KEYTERM_TOKENS}-token limit` };
  }
}

function readConfigure(message: Record<string, unknown>): ControlMessage {
  for (const field of Object.keys(message)) {
    if (!CONFIGURE_FIELDS.has(field)) return refuse(`Configure may not carry "${field.slice(0, 40)}"; allowed: keyterms, features`);
  }
  const rebuilt: { type: 'Configure'; keyterms?: string[] | null; features?: Record<string, boolean> } = { type: 'Configure' };
  if ('keyterms' in message) {
    const read = readKeyterms(message.keyterms);
    if ('reason' in read) return refuse(read.reason);
    rebuilt.keyterms = read.keyterms;
  }
  if ('features' in message) {
    const features = message.features;
    if (typeof features !== 'object' || features === null || Array.isArray(features)) return refuse('Configure "features" must be an object');
    const checked: Record<string, boolean> = {};
    for (const [name, value] of Object.entries(features)) {
      if (!CONFIGURE_FEATURES.has(name)) return refuse(`Configure feature "${name.slice(0, 40)}" is not allowed; allowed: ${[...CONFIGURE_FEATURES].join(', ')}`);
      if (typeof value !== 'boolean') return refuse(`Configure feature "${name}" must be true or false`);
      checked[name] = value;
    }
    rebuilt.features = checked;
  }
  if (rebuilt.keyterms === undefined && rebuilt.features === undefined) return refuse('Configure must carry keyterms or features');
  return { ok: true, type: 'Configure', text: JSON.stringify(rebuilt) };
}

/** Reads one client text message: the text to send upstream, or why it is refused (a close reason). */
export function readControlMessage(data: Buffer): ControlMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const type = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { type?: unknown }).type : undefined;
  switch (type) {
    case 'KeepAlive':
      return { ok: true, type, text: KEEP_ALIVE_TEXT };
    case 'CloseStream':
      return { ok: true, type, text: CLOSE_STREAM_TEXT };
    case 'Finalize': {
      const channel = (parsed as { channel?: unknown }).channel;
      if (channel === undefined) return { ok: true, type, text: FINALIZE_TEXT };
      if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 0 || channel > MAX_CHANNEL_INDEX) {
        return refuse(`Finalize "channel" must be a whole number from 0 to ${MAX_CHANNEL_INDEX}`);
      }
      return { ok: true, type, text: JSON.stringify({ type: 'Finalize', channel }) };
    }
    case 'Configure':
      return readConfigure(parsed as Record<string, unknown>);
    case MEETING_SPAN_TYPE: {
      const meetingStart = (parsed as { meeting_start?: unknown }).meeting_start;
      if (typeof meetingStart !== 'number' || !(meetingStart >= 0 && meetingStart <= MAX_MEETING_SECONDS)) {
        return refuse(`${MEETING_SPAN_TYPE} "meeting_start" must be seconds from 0 to ${MAX_MEETING_SECONDS}`);
      }
      return { ok: true, type, meetingStart };
    }
    default:
      return refuse('text messages must be JSON with type KeepAlive, Finalize, CloseStream or Configure');
  }
}
