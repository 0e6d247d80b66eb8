/**
 * The /v1/listen URL the socket connects to: the user's proxy URL plus Deepgram's query parameters
 * (docs/deepgram-protocol.md §2 and §6).
 *
 * Parameters the user put on the proxy URL are kept (a self-hosted server may want `tag`,
 * `keyterm`, `endpointing=500`…) unless they conflict with what the extension sends: the audio
 * format is fixed by the AudioWorklet, and model, language, interim results, formatting,
 * diarization and the model-improvement opt-out (`mip_opt_out`) come from the settings.
 */
import { AUDIO_ENCODING, CHANNELS, SAMPLE_RATE } from '../audio/format';
import { keytermParam, type ListenSettings } from '../settings';

export const DEFAULT_ENDPOINTING_MS = 300;
/** Deepgram recommends >= 1000 because interims arrive about once a second. */
export const DEFAULT_UTTERANCE_END_MS = 1000;

export interface ListenUrlOptions {
  /**
   * Silence (ms) that marks speech_final; used when the base URL does not set `endpointing`.
   * Overrides `settings.endpointingMs`.
   */
  endpointingMs?: number;
  /** Gap (ms) between words that sends UtteranceEnd; used when the base URL does not set it. */
  utteranceEndMs?: number;
  /**
   * For a Captionist proxy that archives transcripts (proxy/README.md, Archive): one id for this
   * capture, the same on every reconnect, unique per capture. ListenSocket then adds each
   * connection's stream offset (withStreamOffset). Leave it out for any other server.
   */
  archiveSession?: string;
  /**
   * Interleaved channels the stream carries (default 1). A meeting sends 2 (the tab, the
   * microphone) and asks the server to transcribe each on its own (`multichannel=true`).
   */
  channels?: number;
}

/** The proxy's own archive parameters; it removes them before calling Deepgram (proxy/archive/archive-params.ts). */
export const ARCHIVE_SESSION_PARAM = 'captionist_session';
export const ARCHIVE_OFFSET_PARAM = 'captionist_offset';

/** The value that asks, on the proxy URL, for a fresh archive session per capture. */
export const ARCHIVE_SESSION_AUTO = 'auto';

/**
 * Whether the proxy URL itself asks for the proxy's archive (`captionist_session=auto`), the older
 * way to opt in; the Options setting `archiveTranscripts` is the usual one (lib/session/open-listen-socket.ts).
 * Opt-in either way: whoever runs the proxy can read what it archives.
 */
export function wantsArchiveSession(base: string): boolean {
  try {
    return new URL(base.trim()).searchParams.get(ARCHIVE_SESSION_PARAM) === ARCHIVE_SESSION_AUTO;
  } catch {
    return false;
  }
}

/**
 * The URL for one connection: with an archive session, `captionist_offset` says at which stream
 * second this connection's audio starts, so the proxy stores a final and its replay after a
 * reconnect at the same time (and once). Without one the URL is unchanged.
 */
export function withStreamOffset(url: string, streamSeconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has(ARCHIVE_SESSION_PARAM)) return url;
  const seconds = Number.isFinite(streamSeconds) ? Math.max(0, Math.round(streamSeconds * 1000) / 1000) : 0;
  parsed.searchParams.set(ARCHIVE_OFFSET_PARAM, String(seconds));
  return parsed.toString();
}

/** Always set from the settings or the audio format, whatever the base URL says. */
const OWNED_PARAMS = [
  'multichannel',
  'model',
  'language',
  'encoding',
  'sample_rate',
  'channels',
  'interim_results',
  'punctuate',
  'smart_format',
  'diarize',
  'mip_opt_out',
] as const;

export function buildListenUrl(base: string | URL, settings: ListenSettings, options: ListenUrlOptions = {}): string {
  const url = new URL(typeof base === 'string' ? base.trim() : base.href);
  const params = url.searchParams;

  // set() replaces every earlier occurrence, so a duplicated param on the base URL cannot win.
  for (const name of OWNED_PARAMS) params.delete(name);
  params.set('model', settings.model);
  params.set('language', settings.language);
  params.set('encoding', AUDIO_ENCODING);
  params.set('sample_rate', String(SAMPLE_RATE));
  const channels = options.channels ?? CHANNELS;
  params.set('channels', String(channels));
  params.set('interim_results', String(settings.interimResults));
  // Captions are read, so punctuation is always on; smart_format adds numerals and entities.
  params.set('punctuate', 'true');
  params.set('smart_format', String(settings.smartFormat));
  params.set('diarize', String(settings.diarize));
  // Deepgram keeps audio for model improvement unless told not to; absent means it keeps it.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- message-borne settings (see endpointing below): an older sender has no such field
  if (settings.mipOptOut ?? true) params.set('mip_opt_out', 'true');
  // Redaction kinds are added to any the base URL names, each once.
  const redacted = new Set(params.getAll('redact'));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
  for (const kind of settings.redact ?? []) {
    if (!redacted.has(kind)) params.append('redact', kind);
    redacted.add(kind);
  }

  // One channel: multichannel would only make the server wait for others. More: each channel is
  // its own speaker source (a meeting), transcribed independently, each Results naming its channel.
  if (channels > 1) params.set('multichannel', 'true');
  else params.delete('multichannel');
  // diarize_model also switches diarization on, which would contradict diarize=false.
  if (!settings.diarize) params.delete('diarize_model');

  if (!params.has('endpointing')) {
    // The offscreen document's settings come in a message whose check is only an outline (isCaptureSettings, lib/contract/messages.ts).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above: the type is not checked at run time
    params.set('endpointing', String(options.endpointingMs ?? settings.endpointingMs ?? DEFAULT_ENDPOINTING_MS));
  }
  // The user's terms are added to any the base URL already names (the same term only once).
  const termParam = keytermParam(settings.model);
  const present = new Set(params.getAll(termParam).map((term) => term.toLowerCase()));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- message-borne settings, as for endpointing above
  for (const term of settings.keyterms ?? []) {
    if (!present.has(term.toLowerCase())) params.append(termParam, term);
    present.add(term.toLowerCase());
  }
  if (settings.interimResults) {
    if (!params.has('utterance_end_ms')) params.set('utterance_end_ms', String(options.utteranceEndMs ?? DEFAULT_UTTERANCE_END_MS));
  } else {
    // Deepgram refuses utterance_end_ms without interim results (docs/deepgram-protocol.md §2).
    params.delete('utterance_end_ms');
  }
  if (!params.has('vad_events')) params.set('vad_events', 'true');
  // The offset belongs to one connection (withStreamOffset), never to the base URL.
  params.delete(ARCHIVE_OFFSET_PARAM);
  if (options.archiveSession !== undefined) params.set(ARCHIVE_SESSION_PARAM, options.archiveSession);
  // "auto" is the user's opt-in, never an id: without a capture's id it is not sent.
  else if (params.get(ARCHIVE_SESSION_PARAM) === ARCHIVE_SESSION_AUTO) params.delete(ARCHIVE_SESSION_PARAM);

  // A fragment makes the WebSocket constructor throw; it never means anything to the server.
  url.hash = '';
  return url.toString();
}
