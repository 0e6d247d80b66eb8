/**
 * The proxy's configuration, read from the environment and validated at start, so a typo in a
 * deployment fails loudly with one sentence per bad value instead of misbehaving later.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { deepgramKeyProblem, deepgramUrlProblems, readAllowedEncodings, readDeepgramRegion } from './config-checks';
import { DEFAULT_FORMAT_LIMITS } from './listen-params';
import { readUpstreamChain, type UpstreamChainConfig } from './upstream-chain-config';
import { defaultMaxConnections } from './connection-limits';

/** The published extension's origin; always allowed so a default install works. */
export const EXTENSION_ORIGIN = 'chrome-extension://dbmknijkimjaniglhfaegghkialpjohk';
export const DEFAULT_DEEPGRAM_URL = 'wss://api.deepgram.com/v1/listen';

export interface ProxyLimits {
  /** Streams one token may have open at once (the anonymous loopback user counts as one token). */
  maxStreamsPerToken: number;
  /** Largest single WebSocket message from a client, in bytes. */
  maxMessageBytes: number;
  /**
   * Sustained audio rate allowed, as a multiple of real time for the stream's declared format: its
   * bytes per second count every declared channel, so a 2-channel stream may send twice the bytes of
   * a mono one (and the format caps below bound what a client can declare).
   */
  audioRateFactor: number;
  /** Audio a client may send above the sustained rate at once (e.g. a replay after reconnect), in seconds. */
  audioBurstSeconds: number;
  /** No audio and no text message for this long closes the stream (Deepgram's NET-0001 rule). */
  idleTimeoutMs: number;
  /** Longest a stream may stay open. */
  maxSessionMs: number;
  /**
   * Streams the local engine runs at once, all tokens together: each pocketsphinx needs about half a
   * core. A stream of N channels runs N of them and counts as N streams.
   */
  maxLocalEngineStreams: number;
  // Stream hardening (issue 12): caps on the declared audio format, which sets the stream's own
  // rate limit, and on results waiting for a client that does not read them.
  maxSampleRate: number;
  maxChannels: number;
  /** Encodings a client may declare; containerized audio (no `encoding`) is always allowed. */
  allowedEncodings: readonly string[];
  /** Results queued for one client beyond this close it (1011); past a quarter of it interims are dropped. */
  maxClientBufferBytes: number;
}

export interface ProxyConfig {
  host: string;
  port: number;
  /** Absent: the local pocketsphinx engine serves the streams. */
  deepgramApiKey: string | undefined;
  deepgramUrl: string;
  /** Client tokens. Empty is only allowed on a loopback host, where any or no token is accepted. */
  tokens: readonly string[];
  /** Browser origins allowed to connect; always includes EXTENSION_ORIGIN. */
  allowedOrigins: readonly string[];
  limits: ProxyLimits;
  /** What the proxy accepts before any token is checked: hosts, connections, timeouts, token attempts. */
  edge: EdgeConfig;
  /** Limits shared by several instances through Redis, or kept in memory without REDIS_URL. */
  shared: SharedConfig;
  /** Direct mode (proxy/direct-grants.ts): whether clients may get Deepgram tokens; DEFAULT_DIRECT when absent. */
  direct?: DirectConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * UPSTREAMS, the ordered fallback chain, with the compatible server's URL and key; absent (or
   * UPSTREAMS unset): Deepgram with DEEPGRAM_API_KEY, else the local engine, as before chains.
   */
  chain?: UpstreamChainConfig;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxStreamsPerToken: 8,
  maxMessageBytes: 64 * 1024,
  audioRateFactor: 1.25,
  audioBurstSeconds: 10,
  idleTimeoutMs: 10_000,
  maxSessionMs: 4 * 60 * 60 * 1000,
  maxLocalEngineStreams: Math.max(2, 2 * availableParallelism()),
  ...DEFAULT_FORMAT_LIMITS,
  maxClientBufferBytes: 1024 * 1024,
};

export type ConfigResult = { ok: true; config: ProxyConfig } | { ok: false; errors: string[] };

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * RFC 7230 token characters: what a browser can put in Sec-WebSocket-Protocol. A client token
 * outside this set could never be sent by the extension.
 */
const TOKEN_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{8,256}$/;
/**
 * 32 hex digits carry 128 bits, the least a client token should have: the proxy throttles failed
 * attempts per address (proxy/auth-throttle.ts), but many addresses together can still guess.
 * Length alone lets "aaaa…" through, so a token also needs some variety of characters.
 */
export const MIN_TOKEN_LENGTH = 32;
const MIN_TOKEN_DISTINCT_CHARACTERS = 8;
function isWeakToken(token: string): boolean {
  return token.length < MIN_TOKEN_LENGTH || new Set(token).size < MIN_TOKEN_DISTINCT_CHARACTERS;
}
const ORIGIN_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i;

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

/** A whole number from `min` to `max`, written in the environment as digits. */
function wholeNumber(name: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));
}

function integer(name: string, min: number, max: number, fallback: number) {
  return z.preprocess(blankToUndefined, wholeNumber(name, min, max).optional().default(fallback));
}

function decimal(name: string, min: number, max: number, fallback: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, `${name} must be a number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
      .optional()
      .default(fallback),
  );
}

const listOf = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const envSchema = z.object({
  HOST: z.preprocess(blankToUndefined, z.string().trim().optional().default('127.0.0.1')),
  PORT: integer('PORT', 0, 65535, 8787),
  DEEPGRAM_API_KEY: optionalText,
  DEEPGRAM_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => /^wss?:\/\/[^/\s]+/i.test(value) && URL.canParse(value), {
        error: 'DEEPGRAM_URL must be a ws:// or wss:// URL, e.g. wss://api.deepgram.com/v1/listen',
      })
      .optional()
      .default(DEFAULT_DEEPGRAM_URL),
  ),
  CAPTIONIST_TOKENS: optionalText,
  CAPTIONIST_TOKENS_FILE: optionalText,
  ALLOWED_ORIGINS: optionalText,
  MAX_STREAMS_PER_TOKEN: integer('MAX_STREAMS_PER_TOKEN', 1, 100_000, DEFAULT_LIMITS.maxStreamsPerToken),
  MAX_MESSAGE_BYTES: integer('MAX_MESSAGE_BYTES', 1024, 16 * 1024 * 1024, DEFAULT_LIMITS.maxMessageBytes),
  AUDIO_RATE_FACTOR: decimal('AUDIO_RATE_FACTOR', 1, 100, DEFAULT_LIMITS.audioRateFactor),
  AUDIO_BURST_SECONDS: decimal('AUDIO_BURST_SECONDS', 0, 600, DEFAULT_LIMITS.audioBurstSeconds),
  IDLE_TIMEOUT_SECONDS: decimal('IDLE_TIMEOUT_SECONDS', 1, 3600, DEFAULT_LIMITS.idleTimeoutMs / 1000),
  MAX_SESSION_SECONDS: decimal('MAX_SESSION_SECONDS', 1, 7 * 24 * 3600, DEFAULT_LIMITS.maxSessionMs / 1000),
  LOCAL_ENGINE_MAX_STREAMS: integer('LOCAL_ENGINE_MAX_STREAMS', 1, 10_000, DEFAULT_LIMITS.maxLocalEngineStreams),
  MAX_SAMPLE_RATE: integer('MAX_SAMPLE_RATE', 8000, 192_000, DEFAULT_LIMITS.maxSampleRate),
  MAX_CHANNELS: integer('MAX_CHANNELS', 1, 20, DEFAULT_LIMITS.maxChannels),
  MAX_CLIENT_BUFFER_BYTES: integer('MAX_CLIENT_BUFFER_BYTES', 64 * 1024, 256 * 1024 * 1024, DEFAULT_LIMITS.maxClientBufferBytes),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional()
      .default('info'),
  ),
});

/** 127.0.0.0/8, ::1 and localhost: only this computer can reach the proxy. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const name = String(issue.path[0] ?? 'config');
  const raw = env[name];
  const shown = raw === undefined ? '' : ` (got "${name === 'DEEPGRAM_API_KEY' || name === 'REDIS_URL' ? '…' : raw.slice(0, 80)}")`;
  // Our own messages already start with the variable's name; zod's defaults do not.
  const message = issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
  return `${message}${shown}.`;
}

function readTokensFile(path: string): { tokens: string[] } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return { error: `CAPTIONIST_TOKENS_FILE: cannot read "${path}" (${reason}).` };
  }
  const tokens = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { tokens };
}

/** Reads and checks the environment. Every problem is reported, not just the first. */
export function loadConfig(env: Env = process.env): ConfigResult {
  const parsed = envSchema.safeParse(env);
  const errors = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, env));
  // Tokens, origins and the host rule are checked even when a number was wrong, so one run shows every problem.
  const host = env.HOST?.trim() || '127.0.0.1';

  const tokens = listOf(env.CAPTIONIST_TOKENS);
  const tokensFile = env.CAPTIONIST_TOKENS_FILE?.trim();
  if (tokensFile) {
    const fromFile = readTokensFile(tokensFile);
    if ('error' in fromFile) errors.push(fromFile.error);
    else tokens.push(...fromFile.tokens);
  }
  tokens.forEach((token, index) => {
    if (!TOKEN_PATTERN.test(token)) {
      errors.push(
        `Client token #${index + 1} is not usable: tokens must be 8-256 characters of letters, digits or !#$%&'*+.^_\`|~- (browsers send them as a WebSocket subprotocol).`,
      );
    } else if (isWeakToken(token)) {
      errors.push(
        `Client token #${index + 1} is too easy to guess: use at least ${MIN_TOKEN_LENGTH} random characters, e.g. the output of \`openssl rand -hex 32\`.`,
      );
    }
  });

  const origins = new Set([EXTENSION_ORIGIN]);
  for (const origin of listOf(env.ALLOWED_ORIGINS)) {
    const trimmed = origin.replace(/\/+$/, '');
    if (ORIGIN_PATTERN.test(trimmed)) origins.add(trimmed.toLowerCase());
    else errors.push(`ALLOWED_ORIGINS: "${origin}" is not an origin; write it like https://meet.example.com (no path).`);
  }

  // The upstream's key and URL, and the encodings clients may declare (issue 12).
  const keyProblem = deepgramKeyProblem(env.DEEPGRAM_API_KEY);
  if (keyProblem !== undefined) errors.push(keyProblem);
  errors.push(...deepgramUrlProblems(env.DEEPGRAM_URL));
  const region = readDeepgramRegion(env.DEEPGRAM_REGION, env.DEEPGRAM_URL);
  if ('problem' in region) errors.push(region.problem);
  const encodings = readAllowedEncodings(env.ALLOWED_ENCODINGS, DEFAULT_LIMITS.allowedEncodings);
  if ('problem' in encodings) errors.push(encodings.problem);

  if (tokens.length === 0 && !isLoopbackHost(host)) {
    errors.push(
      `Refusing to listen on ${host} without client tokens: anyone who can reach it could use your speech-to-text account. ` +
        'Set CAPTIONIST_TOKENS (comma-separated) or CAPTIONIST_TOKENS_FILE, or use HOST=127.0.0.1.',
    );
  }

  const edge = readEdgeConfig(env);
  if ('errors' in edge) errors.push(...edge.errors);
  const shared = readSharedConfig(env);
  if ('errors' in shared) errors.push(...shared.errors);
  const chain = readUpstreamChain(env);
  if ('errors' in chain) errors.push(...chain.errors);
  const direct = readDirectConfig(env);
  if ('errors' in direct) errors.push(...direct.errors);

  if (!parsed.success || errors.length > 0 || 'errors' in edge || 'errors' in shared || 'errors' in chain || 'errors' in direct) return { ok: false, errors };
  const values = parsed.data;
  return {
    ok: true,
    config: {
      host: values.HOST,
      port: values.PORT,
      deepgramApiKey: values.DEEPGRAM_API_KEY,
      deepgramUrl: ('url' in region ? region.url : undefined) ?? values.DEEPGRAM_URL,
      tokens: [...new Set(tokens)],
      allowedOrigins: [...origins],
      limits: {
        maxStreamsPerToken: values.MAX_STREAMS_PER_TOKEN,
        maxMessageBytes: values.MAX_MESSAGE_BYTES,
        audioRateFactor: values.AUDIO_RATE_FACTOR,
        audioBurstSeconds: values.AUDIO_BURST_SECONDS,
        idleTimeoutMs: Math.round(values.IDLE_TIMEOUT_SECONDS * 1000),
        maxSessionMs: Math.round(values.MAX_SESSION_SECONDS * 1000),
        maxLocalEngineStreams: values.LOCAL_ENGINE_MAX_STREAMS,
        maxSampleRate: values.MAX_SAMPLE_RATE,
        maxChannels: values.MAX_CHANNELS,
        allowedEncodings: 'encodings' in encodings ? encodings.encodings : DEFAULT_LIMITS.allowedEncodings,
        maxClientBufferBytes: values.MAX_CLIENT_BUFFER_BYTES,
      },
      logLevel: values.LOG_LEVEL,
      edge: edge.config,
      shared: shared.config,
      ...(chain.config === undefined ? {} : { chain: chain.config }),
      direct: direct.config,
    },
  };
}

// ---- The edge: what the proxy accepts before any token is checked (issue 12). ----

export interface EdgeConfig {
  /** Host header names accepted besides localhost and IP literals (the public name behind nginx). */
  allowedHosts: readonly string[];
  /** Peers whose X-Forwarded-For is believed (nginx on this computer); nobody's by default. */
  trustedProxies: readonly string[];
  /** Client connections open at once, all addresses together (each may bring an upstream socket). */
  maxConnections: number;
  /** Client connections open at once from one address; trusted proxies count only in the total. */
  maxConnectionsPerAddress: number;
  /** A connection must deliver its request headers within this, or it is closed (408). */
  requestTimeoutMs: number;
  /** Failed token attempts one client address may make per window before it gets 429. */
  authMaxFailures: number;
  authFailureWindowMs: number;
  /** A second listener on 127.0.0.1 serving /metrics without a token; undefined: none. */
  metricsPort: number | undefined;
}

export const DEFAULT_EDGE: EdgeConfig = {
  allowedHosts: [],
  trustedProxies: [],
  maxConnections: defaultMaxConnections(),
  maxConnectionsPerAddress: 64,
  requestTimeoutMs: 10_000,
  authMaxFailures: 20,
  authFailureWindowMs: 60_000,
  metricsPort: undefined,
};

const HOST_NAME_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const edgeEnvSchema = z.object({
  MAX_CONNECTIONS: integer('MAX_CONNECTIONS', 1, 1_000_000, DEFAULT_EDGE.maxConnections),
  MAX_CONNECTIONS_PER_ADDRESS: integer('MAX_CONNECTIONS_PER_ADDRESS', 1, 1_000_000, DEFAULT_EDGE.maxConnectionsPerAddress),
  REQUEST_TIMEOUT_SECONDS: decimal('REQUEST_TIMEOUT_SECONDS', 1, 300, DEFAULT_EDGE.requestTimeoutMs / 1000),
  AUTH_MAX_FAILURES: integer('AUTH_MAX_FAILURES', 1, 1_000_000, DEFAULT_EDGE.authMaxFailures),
  AUTH_FAILURE_WINDOW_SECONDS: integer('AUTH_FAILURE_WINDOW_SECONDS', 1, 24 * 3600, DEFAULT_EDGE.authFailureWindowMs / 1000),
  METRICS_PORT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'METRICS_PORT must be a port number from 1 to 65535')
      .transform(Number)
      .pipe(z.number().int().min(1, 'METRICS_PORT must be at least 1').max(65535, 'METRICS_PORT must be at most 65535'))
      .optional(),
  ),
});

function readEdgeConfig(env: Env): { config: EdgeConfig } | { errors: string[] } {
  const parsed = edgeEnvSchema.safeParse(env);
  const errors = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, env));
  const allowedHosts: string[] = [];
  for (const host of listOf(env.ALLOWED_HOSTS)) {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (HOST_NAME_PATTERN.test(name)) allowedHosts.push(name);
    else errors.push(`ALLOWED_HOSTS: "${host}" is not a host name; write it like captions.example.com (no scheme, no port).`);
  }
  const trustedProxies: string[] = [];
  for (const address of listOf(env.TRUSTED_PROXIES)) {
    if (isIP(address) !== 0) trustedProxies.push(address.toLowerCase());
    else errors.push(`TRUSTED_PROXIES: "${address}" is not an IP address; list the addresses of your reverse proxies, e.g. 127.0.0.1.`);
  }
  if (!parsed.success || errors.length > 0) return { errors };
  const values = parsed.data;
  return {
    config: {
      allowedHosts,
      trustedProxies,
      maxConnections: values.MAX_CONNECTIONS,
      maxConnectionsPerAddress: values.MAX_CONNECTIONS_PER_ADDRESS,
      requestTimeoutMs: Math.round(values.REQUEST_TIMEOUT_SECONDS * 1000),
      authMaxFailures: values.AUTH_MAX_FAILURES,
      authFailureWindowMs: values.AUTH_FAILURE_WINDOW_SECONDS * 1000,
      metricsPort: values.METRICS_PORT,
    },
  };
}

// ---- Limits shared by several instances (issue 14). ----

export interface SharedConfig {
  /** Redis holding the shared limits; undefined: limits in this process's memory. */
  redisUrl: string | undefined;
  /** With Redis unreachable: admit streams under this instance's own limits, or refuse them (503). */
  redisDown: 'admit' | 'refuse';
  /** Streams open to the upstream at once, all instances together (Deepgram caps a project at 50). */
  upstreamMaxStreams: number | undefined;
  /**
   * Audio seconds per token per UTC day, each channel counted (a 2-channel stream uses 2 s of it per
   * second, as Deepgram bills each channel; proxy/limits/audio-meter.ts); undefined: no quota.
   */
  dailyAudioSecondsPerToken: number | undefined;
  /** A dead instance's stream slots are free again within this; renewed every third of it. */
  slotTtlMs: number;
}

export const DEFAULT_SHARED: SharedConfig = {
  redisUrl: undefined,
  redisDown: 'admit',
  upstreamMaxStreams: undefined,
  dailyAudioSecondsPerToken: undefined,
  slotTtlMs: 15_000,
};

function optionalInteger(name: string, min: number, max: number) {
  return z.preprocess(blankToUndefined, wholeNumber(name, min, max).optional());
}

const sharedEnvSchema = z.object({
  REDIS_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => /^rediss?:\/\/[^\s]+$/i.test(value) && URL.canParse(value), {
        error: 'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      })
      .optional(),
  ),
  REDIS_DOWN: z.preprocess(
    blankToUndefined,
    z.enum(['admit', 'refuse'], { error: 'REDIS_DOWN must be admit or refuse' }).optional().default(DEFAULT_SHARED.redisDown),
  ),
  UPSTREAM_MAX_STREAMS: optionalInteger('UPSTREAM_MAX_STREAMS', 1, 1_000_000),
  DAILY_AUDIO_SECONDS_PER_TOKEN: optionalInteger('DAILY_AUDIO_SECONDS_PER_TOKEN', 1, 24 * 3600 * 100),
  REDIS_SLOT_TTL_SECONDS: integer('REDIS_SLOT_TTL_SECONDS', 3, 300, DEFAULT_SHARED.slotTtlMs / 1000),
});

function readSharedConfig(env: Env): { config: SharedConfig } | { errors: string[] } {
  const parsed = sharedEnvSchema.safeParse(env);
  if (!parsed.success) return { errors: parsed.error.issues.map((issue) => describeIssue(issue, env)) };
  const values = parsed.data;
  return {
    config: {
      redisUrl: values.REDIS_URL,
      redisDown: values.REDIS_DOWN,
      upstreamMaxStreams: values.UPSTREAM_MAX_STREAMS,
      dailyAudioSecondsPerToken: values.DAILY_AUDIO_SECONDS_PER_TOKEN,
      slotTtlMs: values.REDIS_SLOT_TTL_SECONDS * 1000,
    },
  };
}

// ---- Direct mode (issue 15): clients stream to Deepgram themselves with a short-lived token. ----

/**
 * `allow`: clients choose relay (audio through the proxy) or direct; `forbid`: no tokens are
 * granted, everything is relayed; `only`: tokens only, relayed streams are refused.
 */
export type DirectMode = 'allow' | 'forbid' | 'only';

export interface DirectConfig {
  mode: DirectMode;
  /** Token grants one client token may get per minute (each connect and reconnect takes one). */
  grantsPerMinutePerToken: number;
  /** A direct session holds a stream slot until this long after its last grant or lease renewal. */
  leaseMs: number;
}

export const DEFAULT_DIRECT: DirectConfig = {
  mode: 'allow',
  grantsPerMinutePerToken: 30,
  leaseMs: 60_000,
};

const directEnvSchema = z.object({
  DIRECT_MODE: z.preprocess(
    blankToUndefined,
    z.enum(['allow', 'forbid', 'only'], { error: 'DIRECT_MODE must be allow, forbid or only' }).optional().default(DEFAULT_DIRECT.mode),
  ),
  GRANTS_PER_MINUTE_PER_TOKEN: integer('GRANTS_PER_MINUTE_PER_TOKEN', 1, 100_000, DEFAULT_DIRECT.grantsPerMinutePerToken),
  DIRECT_LEASE_SECONDS: integer('DIRECT_LEASE_SECONDS', 15, 3600, DEFAULT_DIRECT.leaseMs / 1000),
});

function readDirectConfig(env: Env): { config: DirectConfig } | { errors: string[] } {
  const parsed = directEnvSchema.safeParse(env);
  if (!parsed.success) return { errors: parsed.error.issues.map((issue) => describeIssue(issue, env)) };
  const values = parsed.data;
  return {
    config: {
      mode: values.DIRECT_MODE,
      grantsPerMinutePerToken: values.GRANTS_PER_MINUTE_PER_TOKEN,
      leaseMs: values.DIRECT_LEASE_SECONDS * 1000,
    },
  };
}
