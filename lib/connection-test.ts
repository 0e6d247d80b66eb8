/**
 * "Test connection": says exactly what stands between the extension and a working /v1/listen.
 *
 * A browser cannot read why a WebSocket handshake failed (no status, close code 1006 for
 * everything), so the probe asks over HTTP first and opens the WebSocket last:
 *
 *   1. GET <base>/v1/auth-check with `Authorization: Token <token>` (CORS). The Captionist proxy
 *      answers 200 {ok, engine} / 401 / 403 / 429 / 400 / 503 as JSON: that names the failure.
 *   2. If that request fails at the network level, or the server is not a Captionist proxy,
 *      GET <base>/healthz with mode "no-cors": an opaque answer proves the host is reachable over
 *      this scheme (and that TLS worked), without needing the server's CORS consent.
 *      If even that fails on a wss:// URL, a plain http:// request to the same port tells a TLS
 *      failure (something answers, but not securely) from an unreachable host.
 *   3. Open the real WebSocket with the token, send CloseStream, and read the first answer:
 *      a listen-protocol message or a clean close means /v1/listen works; anything else means the
 *      server speaks some other protocol.
 *
 * With direct mode chosen (the `connectionMode` setting), step 3 is what a direct session does
 * instead (connection-test-direct.ts): a token from the proxy, then Deepgram's socket with it; with
 * relay chosen, a proxy that relays nothing (DIRECT_MODE=only) is told apart from other refusals.
 *
 * A 'listen' server that turns out to be a transcription relay (it opens only without the token
 * subprotocol, or drops the connection at CloseStream) is named as such; the 'relay' kind is probed
 * the relay's own way (connection-test-relay.ts).
 *
 * <base> is the proxy URL with `/v1/listen` taken off the path, with http(s) for ws(s).
 * Network and browser globals are injected, so Node tests run it against real local servers.
 */
import * as z from 'zod/mini';
import { t } from './i18n';
import { classifyClose, cleanReason } from './listen/close-codes';
import type { WebSocketFactory, WebSocketLike } from './listen/listen-socket';
import { buildListenUrl } from './listen/listen-url';
import { parseServerMessage } from './listen/protocol';
import { parseRelayMessage } from './listen/relay-protocol';
import type { ServerKind } from './listen/server-kind';
import { testDirectConnection } from './connection-test-direct';
import { testRelayConnection } from './connection-test-relay';
import type { PostLike } from './listen/direct-grant';
import { checkProxyUrl, checkToken, type Settings } from './settings';

export type ConnectionFailureKind =
  | 'invalid-settings'
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'unauthorized'
  | 'no-token'
  | 'forbidden'
  | 'rate-limited'
  | 'daily-quota'
  | 'upstream-full'
  | 'throttled'
  | 'unknown-host'
  | 'bad-request'
  | 'unavailable'
  | 'wrong-protocol'
  | 'upgrade-failed'
  | 'wrong-path'
  | 'refused'
  /** The server answered as the other server kind than the one chosen (lib/listen/server-kind.ts). */
  | 'other-kind'
  /** Relay chosen, but the proxy only gives direct-mode tokens (DIRECT_MODE=only). */
  | 'direct-only'
  /** Direct chosen: the proxy gave no token, and sessions could not relay instead. */
  | 'grant-refused'
  /** Direct chosen: the proxy gave a token, and Deepgram's socket did not take it. */
  | 'direct-refused';

export type ConnectionTestResult =
  | {
      ok: true;
      kind: 'ok';
      /** What the proxy said it runs ('deepgram', 'local'), or null when it did not say. */
      engine: string | null;
      message: string;
      /** Which kind of server answered; absent means a /v1/listen server. */
      serverKind?: ServerKind;
      /** Direct chosen: whether sessions would stream straight to Deepgram or through the proxy. */
      route?: 'direct' | 'relay';
      /** It works, but not as chosen (direct mode falls back to relaying): what sessions will do instead. */
      warning?: string;
    }
  | {
      ok: false;
      kind: ConnectionFailureKind;
      /** HTTP status, when the server gave one. */
      status: number | null;
      /** What failed, for a person. */
      message: string;
      /** What to do about it. */
      advice: string;
    };

/** The parts of `fetch` the probe uses; the browser's own fetch fits. */
export type FetchLike = (
  url: string,
  init: { method: 'GET'; mode: 'cors' | 'no-cors'; headers?: Record<string, string>; signal: AbortSignal; cache: 'no-store'; credentials: 'omit' },
) => Promise<{ status: number; type?: string; text(): Promise<string> }>;

export interface ConnectionTestDeps {
  fetch: FetchLike;
  createWebSocket: WebSocketFactory;
  /** The direct-mode grant and lease requests (lib/listen/direct-grant.ts), as a session makes them. */
  post: PostLike;
  /** Per step; the defaults keep a whole test under about 15 s. */
  timeouts?: Partial<ConnectionTimeouts>;
}

export interface ConnectionTimeouts {
  httpMs: number;
  openMs: number;
  /** After CloseStream, how long to wait for the server's first answer. */
  answerMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { httpMs: 5000, openMs: 5000, answerMs: 4000 };

const LISTEN_SUFFIX = /\/v1\/listen\/?$/;

export interface ProxyHttpEndpoints {
  authCheck: string;
  health: string;
  /** For wss:// only: the same host and port over plain http, to tell TLS failures apart. */
  plainProbe: string | null;
}

/** The path the proxy's endpoints sit under: the listen URL's path without `/v1/listen` (or its last segment). */
function proxyBasePath(listenUrl: URL): string {
  const path = listenUrl.pathname;
  return LISTEN_SUFFIX.test(path) ? path.replace(LISTEN_SUFFIX, '') : path.replace(/\/[^/]*$/, '');
}

/** The proxy's HTTP endpoints, derived from its listen URL (which must already be valid). */
export function proxyHttpEndpoints(listenUrl: URL): ProxyHttpEndpoints {
  const secure = listenUrl.protocol === 'wss:';
  const origin = `${secure ? 'https' : 'http'}://${listenUrl.host}`;
  const base = proxyBasePath(listenUrl);
  const port = listenUrl.port || (secure ? '443' : '80');
  return {
    authCheck: `${origin}${base}/v1/auth-check`,
    health: `${origin}${base}/healthz`,
    plainProbe: secure ? `http://${listenUrl.hostname}:${port}/` : null,
  };
}

/** The proxy's answers on /v1/auth-check; `modes` came with direct mode (proxy/README.md). */
const modesSchema = z.array(z.string().check(z.maxLength(20))).check(z.maxLength(8));
const authOkSchema = z.object({ ok: z.literal(true), engine: z.optional(z.string().check(z.maxLength(40))), modes: z.optional(modesSchema) });
/** How this proxy lets clients connect ('relay', 'direct'), or null when it did not say (older than direct mode, or not a Captionist proxy). */
function proxyModes(json: unknown): readonly string[] | null {
  const said = z.object({ modes: modesSchema }).safeParse(json);
  return said.success ? said.data.modes : null;
}
const refusalSchema = z.object({ error: z.string().check(z.maxLength(80)), message: z.optional(z.string().check(z.maxLength(1000))) });

type HttpOutcome = { kind: 'answer'; status: number; body: string } | { kind: 'failed' } | { kind: 'timeout' };

async function httpGet(deps: ConnectionTestDeps, timeouts: ConnectionTimeouts, url: string, mode: 'cors' | 'no-cors', headers?: Record<string, string>): Promise<HttpOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeouts.httpMs);
  try {
    const response = await deps.fetch(url, { method: 'GET', mode, headers, signal: controller.signal, cache: 'no-store', credentials: 'omit' });
    // An opaque (no-cors) answer has no readable body; reading it would only waste time.
    const body = mode === 'cors' ? await response.text() : '';
    return { kind: 'answer', status: response.status, body: body.slice(0, 4000) };
  } catch {
    return controller.signal.aborted ? { kind: 'timeout' } : { kind: 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function failure(kind: ConnectionFailureKind, message: string, advice: string, status: number | null = null): ConnectionTestResult {
  return { ok: false, kind, status, message, advice };
}

/** The proxy's own words, kept short and plain (they are shown as text). */
function serverWords(body: string): string {
  const refusal = refusalSchema.safeParse(parseJson(body));
  return refusal.success && refusal.data.message ? ` ${cleanReason(refusal.data.message)}` : '';
}

/** The refusal's `error` field (e.g. 'too_many_streams'), when the body is the proxy's JSON. */
function refusalError(body: string): string | undefined {
  const refusal = refusalSchema.safeParse(parseJson(body));
  return refusal.success ? refusal.data.error : undefined;
}

/**
 * Maps an HTTP refusal to what failed; null for statuses that say nothing specific. A refused
 * token is said in our words alone: the proxy's explain it to developers (subprotocols, headers),
 * and the session's failure (lib/session/explain-socket-failure.ts) says the same sentence.
 */
function httpRefusal(status: number, body: string, host: string, token: string): ConnectionTestResult | null {
  const words = serverWords(body);
  switch (status) {
    case 401:
      if (token === '') return failure('no-token', t('optionsConnectionNoToken', host), t('optionsConnectionNoTokenAdvice'), status);
      return failure('unauthorized', t('optionsConnectionUnauthorized', host), t('optionsConnectionUnauthorizedAdvice'), status);
    case 403:
      return failure('forbidden', t('optionsConnectionForbidden', host) + words, t('optionsConnectionForbiddenAdvice'), status);
    case 421:
      return failure('unknown-host', t('optionsConnectionUnknownHost', host) + words, t('optionsConnectionUnknownHostAdvice'), status);
    case 429:
      // The proxy says 429 for a token's streams, its daily audio, the team's upstream cap, and for an address that tried too many wrong
      // tokens or opened too many connections (proxy/auth-throttle.ts, proxy/connection-limits.ts).
      if (refusalError(body) === 'too_many_streams') {
        return failure('rate-limited', t('optionsConnectionRateLimited', host) + words, t('optionsConnectionRateLimitedAdvice'), status);
      }
      // Limits shared by the team's proxies (proxy/limits/limit-refusals.ts); the proxy's words say when to retry.
      if (refusalError(body) === 'daily_audio_quota') {
        return failure('daily-quota', t('optionsConnectionDailyQuota', host) + words, t('optionsConnectionDailyQuotaAdvice'), status);
      }
      if (refusalError(body) === 'upstream_capacity') {
        return failure('upstream-full', t('optionsConnectionUpstreamFull', host) + words, t('optionsConnectionUpstreamFullAdvice'), status);
      }
      return failure('throttled', t('optionsConnectionThrottled', host) + words, t('optionsConnectionThrottledAdvice'), status);
    case 400:
      return failure('bad-request', t('optionsConnectionBadRequest', host) + words, t('optionsConnectionBadRequestAdvice'), status);
    default:
      if (status >= 500) return failure('unavailable', t('optionsConnectionUnavailable', host, status) + words, t('optionsConnectionUnavailableAdvice'), status);
      return null;
  }
}

export async function testConnection(settings: Settings, deps: ConnectionTestDeps): Promise<ConnectionTestResult> {
  const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, ...deps.timeouts };
  const url = checkProxyUrl(settings.proxyUrl);
  if (!url.ok) return failure('invalid-settings', url.message, t('optionsConnectionFixSettingsAdvice'));
  const token = checkToken(settings.token);
  if (!token.ok) return failure('invalid-settings', token.message, t('optionsConnectionFixSettingsAdvice'));
  if (settings.serverKind === 'relay') return testRelayConnection(url.url, token.value, deps, timeouts);
  const host = url.url.host;
  const endpoints = proxyHttpEndpoints(url.url);
  const listenUrl = buildListenUrl(url.url, settings);

  // 1. Ask the proxy (the listen query goes along, so it can check the parameters too).
  const headers = token.value ? { Authorization: `Token ${token.value}` } : undefined;
  const auth = await httpGet(deps, timeouts, endpoints.authCheck + new URL(listenUrl).search, 'cors', headers);
  if (auth.kind === 'timeout') return failure('timeout', t('optionsConnectionTimeout', host, timeouts.httpMs / 1000), t('optionsConnectionUnreachableAdvice'));
  // How a session would connect: straight to Deepgram with a token the proxy grants, relaying
  // when it grants none and allows that (lib/session/direct-dialer.ts); else through the proxy.
  const direct = settings.connectionMode === 'direct';
  const viaProxy = (known: boolean, engine: string | null) => () => openListen(listenUrl, token.value, deps, timeouts, host, { known, engine, proxyUrl: url.url });
  const asChosen = (relay: () => Promise<ConnectionTestResult>) => (direct ? testDirectConnection(settings, url.url, token.value, deps, timeouts, { relay }) : relay());
  if (auth.kind === 'answer') {
    const json = parseJson(auth.body);
    const ok = authOkSchema.safeParse(json);
    if (auth.status === 200 && ok.success) return asChosen(viaProxy(true, ok.data.engine ?? null));
    if (refusalError(auth.body) === 'relay_forbidden') {
      // DIRECT_MODE=only (proxy/server.ts): relaying is refused, so that is what a relay session would meet.
      return direct ? testDirectConnection(settings, url.url, token.value, deps, timeouts, { relay: null }) : directOnly(host, proxyModes(json));
    }
    const refusal = httpRefusal(auth.status, auth.body, host, token.value);
    if (refusal) return refusal;
    // Readable, but not a Captionist answer (a 404 page, another server): try the WebSocket itself.
    return asChosen(viaProxy(false, null));
  }

  // 2. No readable answer: the host may be down, or may just not allow reading (no CORS).
  const health = await httpGet(deps, timeouts, endpoints.health, 'no-cors');
  if (health.kind === 'answer') return asChosen(viaProxy(false, null));
  if (health.kind === 'timeout') return failure('timeout', t('optionsConnectionTimeout', host, timeouts.httpMs / 1000), t('optionsConnectionUnreachableAdvice'));
  if (endpoints.plainProbe) {
    const plain = await httpGet(deps, timeouts, endpoints.plainProbe, 'no-cors');
    if (plain.kind === 'answer') return failure('tls', t('optionsConnectionTls', host), t('optionsConnectionTlsAdvice'));
    return failure('unreachable', t('optionsConnectionUnreachableSecure', host), t('optionsConnectionUnreachableAdvice'));
  }
  return unreachable(url.url);
}

/**
 * Nothing answers. When the URL names no port, the port tried is the scheme's default, which is
 * rarely where a proxy on this computer listens: say so, and how to add it.
 */
function unreachable(url: URL): ConnectionTestResult {
  if (url.port !== '') return failure('unreachable', t('optionsConnectionUnreachable', url.host), t('optionsConnectionUnreachableAdvice'));
  const port = url.protocol === 'wss:' ? '443' : '80';
  const example = new URL(url.href);
  example.port = '8787';
  return failure('unreachable', t('optionsConnectionUnreachableDefaultPort', url.hostname, port, url.protocol + '//'), t('optionsConnectionAddPortAdvice', example.href));
}

/** The listen URL beside the proxy's other endpoints, for a URL whose path is not …/v1/listen. */
function listenUrlFor(url: URL): string {
  const suggested = new URL(url.href);
  suggested.pathname = `${proxyBasePath(url)}/v1/listen`;
  return suggested.href;
}

/**
 * Only the HTTP question (no WebSocket, no stream): what the proxy says about this token right
 * now. For the popup, which wants to know the engine and a refused token before Start. Null when
 * the answer says nothing certain (no /v1/auth-check, unreachable, timeout).
 */
export async function quickCheck(settings: Settings, fetchLike: FetchLike, timeoutMs = 3000): Promise<ConnectionTestResult | null> {
  // A relay has no /v1/auth-check, and its token must not go to a path it did not ask for.
  if (settings.serverKind === 'relay') return null;
  const url = checkProxyUrl(settings.proxyUrl);
  const token = checkToken(settings.token);
  if (!url.ok || !token.ok) return null;
  const headers = token.value ? { Authorization: `Token ${token.value}` } : undefined;
  const listenUrl = buildListenUrl(url.url, settings);
  const deps: ConnectionTestDeps = { fetch: fetchLike, createWebSocket: () => { throw new Error('not used'); }, post: () => Promise.reject(new Error('not used')) };
  const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, httpMs: timeoutMs };
  const answer = await httpGet(deps, timeouts, proxyHttpEndpoints(url.url).authCheck + new URL(listenUrl).search, 'cors', headers);
  if (answer.kind !== 'answer') return null;
  const ok = authOkSchema.safeParse(parseJson(answer.body));
  if (answer.status === 200 && ok.success) {
    const engine = ok.data.engine ?? null;
    return { ok: true, kind: 'ok', engine, message: successMessage(url.url.host, engine) };
  }
  if (refusalError(answer.body) === 'relay_forbidden') {
    // DIRECT_MODE=only refuses relayed streams; a direct session asks for its token elsewhere (/v1/auth/grant).
    if (settings.connectionMode !== 'direct') return directOnly(url.url.host, proxyModes(parseJson(answer.body)));
    return { ok: true, kind: 'ok', engine: 'deepgram', message: successMessage(url.url.host, 'deepgram') };
  }
  return refusalSchema.safeParse(parseJson(answer.body)).success ? httpRefusal(answer.status, answer.body, url.url.host, token.value) : null;
}

export interface ListenExpectation {
  /** The server said it is a Captionist proxy (auth-check answered), so a failed upgrade is its path. */
  known: boolean;
  /** The proxy URL in the settings, for a suggestion that keeps what the user put on it. */
  proxyUrl: URL;
  engine: string | null;
  /** Subprotocols to offer instead of `token, <token>` (a direct-mode grant's `bearer, <token>`). */
  protocols?: string[];
  /** What a socket that never opened means, when the caller knows better than a guess at the server. */
  notOpened?: () => ConnectionTestResult;
}

export type SocketEvent =
  | { kind: 'open' }
  | { kind: 'error' }
  | { kind: 'message'; data: unknown }
  | { kind: 'closed'; code: number; reason: string };

/**
 * Queues a socket's events from the moment it is created, so none is lost between two waits
 * (`ws` can deliver `open` and a first message in the same tick).
 */
export function watchSocket(socket: WebSocketLike) {
  const queue: SocketEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: SocketEvent) => {
    queue.push(event);
    wake?.();
  };
  socket.onopen = () => push({ kind: 'open' });
  socket.onerror = () => push({ kind: 'error' });
  socket.onmessage = (event: { data: unknown }) => push({ kind: 'message', data: event.data });
  socket.onclose = (event: { code: number; reason: string }) =>
    push({ kind: 'closed', code: event.code, reason: event.reason });
  return {
    /** The next event, or null when `deadline` (epoch ms) passes first. */
    async next(deadline: number): Promise<SocketEvent | null> {
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      return queue.shift() ?? null;
    },
  };
}

const CLEAN_CLOSE_CODES = new Set([1000, 1001, 1005]);
const CLOSE_STREAM = '{"type":"CloseStream"}';

type ListenVerdict = 'listen' | 'other' | 'unknown';

/** Whether one server frame shows a /v1/listen server: its messages, or something else entirely. */
function judgeFrame(data: unknown): ListenVerdict {
  const frame = typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data : String(data);
  if (parseServerMessage(frame).ok) return 'listen';
  const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
  if (text.trim() === CLOSE_STREAM) return 'other'; // an echo server
  const value = parseJson(text);
  // A JSON object of a type we do not know may be a proxy's greeting: keep listening.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? 'unknown' : 'other';
}

export async function openListen(
  listenUrl: string,
  token: string,
  deps: ConnectionTestDeps,
  timeouts: ConnectionTimeouts,
  host: string,
  expectation: ListenExpectation,
): Promise<ConnectionTestResult> {
  let socket: WebSocketLike;
  try {
    socket = deps.createWebSocket(listenUrl, expectation.protocols ?? (token ? ['token', token] : undefined));
  } catch (error) {
    return failure('invalid-settings', t('optionsConnectionSocketRefused', String(error)), t('optionsConnectionFixSettingsAdvice'));
  }
  socket.binaryType = 'arraybuffer';
  const events = watchSocket(socket);
  const ok: ConnectionTestResult = { ok: true, kind: 'ok', engine: expectation.engine, message: successMessage(host, expectation.engine) };
  try {
    const openDeadline = Date.now() + timeouts.openMs;
    let opened = false;
    const early: SocketEvent[] = [];
    while (!opened) {
      const event = await events.next(openDeadline);
      if (event?.kind === 'open') opened = true;
      else if (event?.kind === 'message') early.push(event);
      else {
        // error, close before open, or no answer in time
        if (expectation.notOpened) return expectation.notOpened();
        if (expectation.known) {
          // The proxy answered beside this path, so a path that is not its listen URL is the likelier cause than a web server in between.
          const path = expectation.proxyUrl.pathname;
          if (!LISTEN_SUFFIX.test(path)) return failure('wrong-path', t('optionsConnectionWrongPath', host, path), t('optionsConnectionWrongPathAdvice', listenUrlFor(expectation.proxyUrl)));
          return failure('upgrade-failed', t('optionsConnectionUpgradeFailed', host), t('optionsConnectionUpgradeFailedAdvice'));
        }
        if (event === null) return failure('timeout', t('optionsConnectionTimeout', host, timeouts.openMs / 1000), t('optionsConnectionUnreachableAdvice'));
        // A relay selects no subprotocol, so a browser that offered the token refuses its answer: ask once without one.
        if (token !== '' && (await opensWithoutSubprotocol(listenUrl, deps, timeouts))) return relayAnswered(host);
        return failure('wrong-protocol', t('optionsConnectionNotListen', host), t('optionsConnectionNotListenAdvice'));
      }
    }
    try {
      socket.send(CLOSE_STREAM);
    } catch {
      // Closing already; its close event says why.
    }
    const answerDeadline = Date.now() + timeouts.answerMs;
    for (;;) {
      const event = early.shift() ?? (await events.next(answerDeadline));
      if (event === null) return ok; // open, token accepted, nothing said: good enough
      if (event.kind === 'message') {
        if (isRelayFrame(event.data)) return relayAnswered(host);
        const verdict = judgeFrame(event.data);
        if (verdict === 'listen') return ok;
        if (verdict === 'other') return failure('wrong-protocol', t('optionsConnectionWrongAnswer', host), t('optionsConnectionNotListenAdvice'));
      } else if (event.kind === 'closed') {
        // Dropped at our CloseStream by a server that chose no subprotocol: how a relay treats a text frame.
        if (event.code === 1006 && socket.protocol === '') return relayAnswered(host);
        if (CLEAN_CLOSE_CODES.has(event.code)) return ok;
        return failure('refused', classifyClose(event.code, event.reason).error.message, t('optionsConnectionRefusedAdvice'));
      }
    }
  } finally {
    // Closing a socket that is still connecting makes it report an error; nobody listens any more.
    socket.onerror = () => undefined;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(1000);
    } catch {
      // Already closed.
    }
  }
}

/**
 * For a session whose 'listen' socket never opened: whether a transcription relay is what answers
 * there (it opens when no subprotocol is offered). Null when it does not, or no token was offered.
 */
export async function relayAnsweredInstead(settings: Settings, createWebSocket: WebSocketFactory, timeoutMs: number): Promise<ConnectionTestResult | null> {
  const url = checkProxyUrl(settings.proxyUrl);
  if (settings.serverKind !== 'listen' || !url.ok || settings.token.trim() === '') return null;
  const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, openMs: timeoutMs };
  const opened = await opensWithoutSubprotocol(
    buildListenUrl(url.url, settings),
    { fetch: () => Promise.reject(new Error('not used')), createWebSocket, post: () => Promise.reject(new Error('not used')) },
    timeouts,
  );
  return opened ? relayAnswered(url.url.host) : null;
}

/**
 * Relay chosen, but the proxy relays nothing (DIRECT_MODE=only): it said so with relay_forbidden,
 * and `modes` (when it sends them) that direct is the way.
 */
function directOnly(host: string, modes: readonly string[] | null = null): ConnectionTestResult {
  const advice = modes === null || modes.includes('direct') ? t('optionsConnectionChooseDirectAdvice', t('optionsConnectionMode'), t('optionsConnectionModeDirect')) : t('optionsConnectionForbiddenAdvice');
  return failure('direct-only', t('optionsConnectionDirectOnly', host), advice, 403);
}

/** The server at the address is a transcription relay (lib/listen/server-kind.ts), not a /v1/listen server. */
function relayAnswered(host: string): ConnectionTestResult {
  return failure('other-kind', t('optionsConnectionRelayAnswered', host), t('optionsConnectionChooseRelayAdvice'));
}

function isRelayFrame(data: unknown): boolean {
  return (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) && parseRelayMessage(data).ok;
}

/** Whether the listen URL opens when no subprotocol is offered (the socket is closed at once). */
async function opensWithoutSubprotocol(listenUrl: string, deps: ConnectionTestDeps, timeouts: ConnectionTimeouts): Promise<boolean> {
  let socket: WebSocketLike;
  try {
    socket = deps.createWebSocket(listenUrl, undefined);
  } catch {
    return false;
  }
  const events = watchSocket(socket);
  try {
    return (await events.next(Date.now() + timeouts.openMs))?.kind === 'open';
  } finally {
    socket.onerror = () => undefined;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(1000);
    } catch {
      // Already closed.
    }
  }
}

export function successMessage(host: string, engine: string | null): string {
  if (engine === 'local') return t('optionsConnectionOkLocal', host);
  if (engine === 'deepgram') return t('optionsConnectionOkDeepgram', host);
  // A proxy whose first engine (UPSTREAMS) is a self-hosted Deepgram-compatible server.
  if (engine === 'compatible') return t('optionsConnectionOkEngine', host, t('engineUsingCompatible'));
  if (engine) return t('optionsConnectionOkEngine', host, engine);
  return t('optionsConnectionOk', host);
}
