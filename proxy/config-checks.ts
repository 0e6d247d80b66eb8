/**
 * Start-time checks of the upstream settings and the stream-format caps, one sentence per problem,
 * for config.ts. They never repeat the key or a password: the messages are printed and logged.
 */
import { isLoopbackHost } from './config';
import { DEEPGRAM_ENCODINGS } from './listen-params';

const TYPOGRAPHIC: Readonly<Record<string, string>> = {
  '\u2018': 'a typographic quote',
  '\u2019': 'a typographic quote',
  '\u201c': 'a typographic quote',
  '\u201d': 'a typographic quote',
  '\u00a0': 'a non-breaking space',
  '\u200b': 'a zero-width space',
  '\u2013': 'a dash',
  '\u2014': 'a dash',
};

/**
 * The key goes in `Authorization: Token <key>`; Node refuses a header with other characters
 * (ERR_INVALID_CHAR) and Deepgram keys are plain ASCII, so only visible ASCII is accepted.
 */
export function deepgramKeyProblem(rawKey: string | undefined): string | undefined {
  const key = rawKey?.trim();
  if (key === undefined || key === '') return undefined;
  const characters = Array.from(key);
  const index = characters.findIndex((character) => !/^[\x21-\x7e]$/.test(character));
  if (index < 0) return undefined;
  const character = characters[index] ?? '';
  const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const printable = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character) ? `"${character}" (${codePoint})` : codePoint;
  const hint = TYPOGRAPHIC[character] ?? (character.trim() === '' ? 'a space' : 'not plain ASCII');
  return (
    `DEEPGRAM_API_KEY has a character that cannot be sent in an HTTP header at position ${index + 1} of ${characters.length}: ` +
    `${printable}, ${hint}; copy the key again as plain text.`
  );
}

/**
 * The key travels in the upgrade request, so plain ws:// is only for this computer (a local fake or
 * a self-hosted server behind a local TLS terminator); credentials in the URL would be sent and
 * printed with it.
 */
export function deepgramUrlProblems(rawUrl: string | undefined): string[] {
  const value = rawUrl?.trim();
  if (value === undefined || value === '' || !URL.canParse(value)) return [];
  const url = new URL(value);
  const problems: string[] = [];
  if (url.username !== '' || url.password !== '') {
    problems.push('DEEPGRAM_URL must not carry a user name or password (user:pass@); the key belongs in DEEPGRAM_API_KEY.');
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `DEEPGRAM_URL must use wss:// to reach ${url.hostname}: plain ws:// would send the key and the audio unencrypted (ws:// is allowed to this computer only).`,
    );
  }
  return problems;
}

/**
 * Deepgram's regional hosts: a region keeps the request's processing and storage there (with
 * `mip_opt_out`, which the extension sends by default, nothing leaves it). Mid-stream keyterm
 * changes (Configure) work on the global host only for now; the others answer ConfigureFailure.
 */
export const DEEPGRAM_REGION_URLS: Readonly<Record<string, string>> = {
  eu: 'wss://api.eu.deepgram.com/v1/listen',
  au: 'wss://api.au.deepgram.com/v1/listen',
  in: 'wss://api.in.deepgram.com/v1/listen',
};

/**
 * The upstream from DEEPGRAM_REGION and DEEPGRAM_URL: a region names its host; both at once is a
 * contradiction reported rather than guessed at.
 */
export function readDeepgramRegion(rawRegion: string | undefined, rawUrl: string | undefined): { url: string | undefined } | { problem: string } {
  const region = rawRegion?.trim().toLowerCase() ?? '';
  if (region === '' || region === 'global') return { url: undefined };
  const url = DEEPGRAM_REGION_URLS[region];
  if (url === undefined) {
    return { problem: `DEEPGRAM_REGION must be one of global, ${Object.keys(DEEPGRAM_REGION_URLS).join(', ')} (got "${region.slice(0, 20)}").` };
  }
  if ((rawUrl?.trim() ?? '') !== '') {
    return { problem: `Set DEEPGRAM_REGION or DEEPGRAM_URL, not both: DEEPGRAM_REGION=${region} means ${url}.` };
  }
  return { url };
}

/** ALLOWED_ENCODINGS: a comma-separated subset of Deepgram's encodings. */
export function readAllowedEncodings(raw: string | undefined, fallback: readonly string[]): { encodings: string[] } | { problem: string } {
  const items = (raw ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  if (items.length === 0) return { encodings: [...fallback] };
  const unknown = items.filter((item) => !DEEPGRAM_ENCODINGS.has(item));
  if (unknown.length > 0) {
    return { problem: `ALLOWED_ENCODINGS: ${unknown.map((item) => `"${item.slice(0, 20)}"`).join(', ')} is not a Deepgram encoding; use some of ${[...DEEPGRAM_ENCODINGS].join(', ')}.` };
  }
  return { encodings: [...new Set(items)] };
}
