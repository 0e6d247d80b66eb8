/**
 * The fallback chain's settings (proxy/upstreams/upstream-chain.ts), read for proxy/config.ts:
 *
 * - UPSTREAMS: the engines in order of preference, e.g. `deepgram,compatible,local`. Unset: the
 *   proxy behaves as before chains (Deepgram when DEEPGRAM_API_KEY is set, else the local engine).
 * - COMPATIBLE_URL / COMPATIBLE_API_KEY: a self-hosted server speaking Deepgram's /v1/listen
 *   (WhisperLiveKit, Deepgram self-hosted); the key is optional, as such servers often ask none.
 * - FALLBACK_AFTER_SECONDS: how long an engine that has a next one may take to open before the
 *   next one serves the stream. The extension hears nothing while the proxy waits, and gives up on
 *   a silent server after 15 s (lib/listen/listen-socket-api.ts serverSilenceTimeoutMs), so the
 *   default stays well under that.
 * - FALLBACK_COOLDOWN_SECONDS: how long new streams skip an engine after it failed to open in a way
 *   that lasts (proxy/upstreams/link-breakers.ts says which), before one stream tries it again;
 *   0 turns the memory off, so every stream tries every engine in order.
 */
import { ENGINE_KINDS, type EngineKind } from '../lib/listen/engine-notice';
import { isLoopbackHost, type Env } from './config';

export interface UpstreamChainConfig {
  /** In order of preference, without repeats; at least one. */
  upstreams: readonly EngineKind[];
  /** Set when `upstreams` has 'compatible'. */
  compatible: { url: string; apiKey: string | undefined } | undefined;
  fallbackAfterMs: number;
  /** FALLBACK_COOLDOWN_SECONDS in ms; 0: no breakers. Absent: DEFAULT_FALLBACK_COOLDOWN_MS. */
  cooldownMs?: number;
}

export const DEFAULT_FALLBACK_AFTER_MS = 5000;
const FALLBACK_AFTER_RANGE = { min: 0.1, max: 60 };
/**
 * 30 s. A stream that landed on the fallback stays there until it reconnects, so the cool-down only
 * decides when NEW streams go back to the preferred engine once it works again: within 30 s of its
 * recovery. The price of knowing is one probing stream per cool-down, which pays one refused
 * handshake, or at worst FALLBACK_AFTER_SECONDS of waiting for an engine that hangs: at most one
 * stream in 30 s pays, where without the memory every stream does.
 */
export const DEFAULT_FALLBACK_COOLDOWN_MS = 30_000;
const FALLBACK_COOLDOWN_MAX_SECONDS = 3600;

function words(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

const isEngine = (value: string): value is EngineKind => (ENGINE_KINDS as readonly string[]).includes(value);

function compatibleUrlProblems(value: string, hasKey: boolean): string[] {
  if (!/^wss?:\/\/[^/\s]+/i.test(value) || !URL.canParse(value)) {
    return ['COMPATIBLE_URL must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8000/v1/listen.'];
  }
  const url = new URL(value);
  const problems: string[] = [];
  if (url.username !== '' || url.password !== '') problems.push('COMPATIBLE_URL must not carry a user name or password; a key belongs in COMPATIBLE_API_KEY.');
  if (url.protocol === 'ws:' && hasKey && !isLoopbackHost(url.hostname)) {
    problems.push(`COMPATIBLE_URL must use wss:// to reach ${url.hostname} with COMPATIBLE_API_KEY set: plain ws:// would send the key unencrypted.`);
  }
  return problems;
}

/** undefined config: UPSTREAMS is unset (the behaviour before chains). */
export function readUpstreamChain(env: Env): { config: UpstreamChainConfig | undefined } | { errors: string[] } {
  const listed = words(env.UPSTREAMS);
  const url = env.COMPATIBLE_URL?.trim() ?? '';
  const apiKey = env.COMPATIBLE_API_KEY?.trim() ?? '';
  const errors: string[] = [];

  const afterRaw = env.FALLBACK_AFTER_SECONDS?.trim() ?? '';
  let fallbackAfterMs = DEFAULT_FALLBACK_AFTER_MS;
  if (afterRaw !== '') {
    const seconds = /^\d+(\.\d+)?$/.test(afterRaw) ? Number(afterRaw) : Number.NaN;
    if (!(seconds >= FALLBACK_AFTER_RANGE.min && seconds <= FALLBACK_AFTER_RANGE.max)) {
      errors.push(`FALLBACK_AFTER_SECONDS must be a number from ${FALLBACK_AFTER_RANGE.min} to ${FALLBACK_AFTER_RANGE.max} (got "${afterRaw.slice(0, 20)}").`);
    } else {
      fallbackAfterMs = Math.round(seconds * 1000);
    }
  }

  const cooldownRaw = env.FALLBACK_COOLDOWN_SECONDS?.trim() ?? '';
  let cooldownMs = DEFAULT_FALLBACK_COOLDOWN_MS;
  if (cooldownRaw !== '') {
    const seconds = /^\d+(\.\d+)?$/.test(cooldownRaw) ? Number(cooldownRaw) : Number.NaN;
    if (!(seconds >= 0 && seconds <= FALLBACK_COOLDOWN_MAX_SECONDS)) {
      errors.push(`FALLBACK_COOLDOWN_SECONDS must be a number from 0 (off) to ${FALLBACK_COOLDOWN_MAX_SECONDS} (got "${cooldownRaw.slice(0, 20)}").`);
    } else {
      cooldownMs = Math.round(seconds * 1000);
    }
  }

  if (listed.length === 0) {
    if (url !== '') errors.push('COMPATIBLE_URL is set but UPSTREAMS is not: list the engines in order, e.g. UPSTREAMS=deepgram,compatible,local.');
    return errors.length > 0 ? { errors } : { config: undefined };
  }
  const unknown = listed.filter((item) => !isEngine(item));
  if (unknown.length > 0) {
    errors.push(`UPSTREAMS: ${unknown.map((item) => `"${item.slice(0, 20)}"`).join(', ')} is not an engine; use some of ${ENGINE_KINDS.join(', ')}, in order of preference.`);
  }
  const upstreams = listed.filter(isEngine);
  if (new Set(upstreams).size !== upstreams.length) errors.push('UPSTREAMS names an engine twice; name each once, in order of preference.');
  if (upstreams.includes('deepgram') && (env.DEEPGRAM_API_KEY?.trim() ?? '') === '') {
    errors.push('UPSTREAMS has deepgram but DEEPGRAM_API_KEY is not set.');
  }
  if (upstreams.includes('compatible')) {
    if (url === '') errors.push('UPSTREAMS has compatible but COMPATIBLE_URL is not set (e.g. ws://127.0.0.1:8000/v1/listen).');
    else errors.push(...compatibleUrlProblems(url, apiKey !== ''));
  } else if (url !== '') {
    errors.push('COMPATIBLE_URL is set but UPSTREAMS does not name compatible.');
  }
  if (apiKey !== '' && !/^[\x21-\x7e]+$/.test(apiKey)) {
    errors.push('COMPATIBLE_API_KEY has a character that cannot be sent in an HTTP header (a space, a typographic quote, or not plain ASCII); copy the key again as plain text.');
  }
  if (errors.length > 0) return { errors };
  return {
    config: {
      upstreams,
      compatible: upstreams.includes('compatible') ? { url, apiKey: apiKey === '' ? undefined : apiKey } : undefined,
      fallbackAfterMs,
      cooldownMs,
    },
  };
}
