/**
 * The proxy's HTTP server: `/v1/listen` (WebSocket, Deepgram's protocol), `/healthz`, and refusals
 * as JSON. Every check happens before the upgrade, so a refused client never holds a socket.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { createMemoryAuthThrottle, type AuthThrottle, type ThrottleVerdict } from './auth-throttle';
import { clientAddress } from './client-address';
import { createTokenVerifier, isOriginAllowed, readPresentedToken, TOKEN_SUBPROTOCOL } from './client-auth';
import { ConnectionLimits } from './connection-limits';
import { DEFAULT_DIRECT, isLoopbackHost, type ProxyConfig } from './config';
import { deepgramGrantRequester, deepgramGrantUrl, DirectGrants, type GrantAnswer, type RequestGrant } from './direct-grants';
import { createHostCheck } from './host-check';
import { createAudioMeter } from './limits/audio-meter';
import { createLimits, limitSettings } from './limits/create-limits';
import { createMemoryLimits } from './limits/memory-limits';
import type { SharedLimits, StreamSlot } from './limits/shared-limits';
import { refuseUpgrade, sendJson, type Refusal } from './http-refusal';
import { checkListenParams, type ListenParams } from './listen-params';
import { ListenSession, type SessionObserver } from './listen-session';
import { createProxyMetrics, type ProxyMetrics } from './metrics';
import { createArchive, type Archive } from './archive/archive';
import { ARCHIVE_PATH_PREFIX, type Authenticate } from './archive/archive-api';
import { archiveOwner } from './archive/archive-owner';
import type { ArchiveConfig } from './archive/archive-config';
import { NO_ARCHIVE_PARAMS } from './archive/archive-params';
import { chainBreakers, configuredUpstreams, upstreamLinks } from './upstreams/chain-links';
import { findLocalEngine } from './upstreams/local-engine';
import type { UpstreamKind } from './upstreams/upstream';
import { createUpstreamChain } from './upstreams/upstream-chain';

export const LISTEN_PATH = '/v1/listen';
/** Asks, over plain HTTP, whether a stream would be accepted (see explainListen). */
export const AUTH_CHECK_PATH = '/v1/auth-check';
/** Direct mode: a short-lived Deepgram token for an authenticated client (proxy/direct-grants.ts). */
export const GRANT_PATH = '/v1/auth/grant';
/** Direct mode: keeps (or ends) a direct session's lease on its stream slot. */
export const LEASE_PATH = '/v1/auth/lease';
/** A grant or lease request body is a session id and a flag: anything longer is not one. */
const MAX_DIRECT_BODY_BYTES = 1024;
/** How long a graceful stop lets upstreams deliver their last results. */
const DEFAULT_SHUTDOWN_GRACE_MS = 5000;
/** In front of Deepgram, the proxy's idle backstop waits this much longer than Deepgram's own rule. */
const UPSTREAM_IDLE_MARGIN_MS = 2000;
const TIMER_SWEEP_MS = 250;

export interface RunningProxy {
  port: number;
  /** ws://host:port/v1/listen */
  url: string;
  upstreamKind: UpstreamKind;
  /** Every engine, in the order streams try them (UPSTREAMS); the first is upstreamKind. */
  upstreamKinds: readonly UpstreamKind[];
  /** The loopback listener serving /metrics without a token, when config.edge.metricsPort is set. */
  metricsPort: number | undefined;
  /** Stops accepting, lets streams finish (bounded), closes clients with 1001. */
  close(): Promise<void>;
  /** The archive, when options.archive was given. */
  archive: Archive | undefined;
}

export interface ProxyOptions {
  /** Defaults to a silent logger, so tests stay quiet; main.ts passes a real one. */
  logger?: Logger;
  shutdownGraceMs?: number;
  /** Served at /metrics; a fresh registry per proxy when absent. */
  metrics?: ProxyMetrics;
  /** Failed-token throttle; from config (Redis with REDIS_URL, else memory) when absent. */
  authThrottle?: AuthThrottle;
  /** The opt-in Postgres archive (ARCHIVE_DATABASE_URL); none when absent. */
  archive?: ArchiveConfig;
  /** The archive's retention clock (tests). */
  archiveNow?: () => number;
  /** Stream limits shared between instances; from config when absent (and then closed with the proxy). */
  sharedLimits?: SharedLimits;
  /** Asks Deepgram for a direct-mode token; from DEEPGRAM_URL and the key when absent (tests inject failures). */
  requestGrant?: RequestGrant;
  /** The fallback chain's clock for its cool-downs (tests); Date.now when absent. */
  chainNow?: () => number;
}

/** A reason the proxy cannot start, said for the person running it. */
export class ProxyStartError extends Error {
  override readonly name = 'ProxyStartError';
}

type UpgradeCheck = { refusal: Refusal } | { tokenLabel: string; limitKey: string; params: ListenParams };
/** A stream that passed every check; it holds a slot of the shared limits until it ends. */
type Admitted = { refusal: Refusal } | { tokenLabel: string; limitKey: string; params: ListenParams; slot: StreamSlot };

/**
 * Tight timeouts before a request is complete: Node's defaults held silent or trickling connections
 * for about 86 s (issue 12). A WebSocket is not cut by them: ws clears the socket timeout when it
 * takes the socket over, and Node stops timing a connection once it is upgraded.
 */
function applyRequestTimeouts(server: Server, requestTimeoutMs: number): void {
  server.headersTimeout = requestTimeoutMs;
  server.requestTimeout = requestTimeoutMs + 1000;
  // Inactivity backstop for anything the two above do not cover (a client that stops reading).
  server.timeout = 2 * requestTimeoutMs;
}

/** A request body parsed as a JSON object; {} when empty, undefined when too long or not an object. */
function readSmallJson(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.once('error', () => resolve(undefined));
    request.once('end', () => {
      if (size > maxBytes) {
        resolve(undefined);
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') {
        resolve({});
        return;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        resolve(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function startProxy(config: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const shutdownGraceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const metrics = options.metrics ?? createProxyMetrics();
  if (config.tokens.length === 0 && !isLoopbackHost(config.host)) {
    throw new ProxyStartError(
      `Refusing to listen on ${config.host} without client tokens: set CAPTIONIST_TOKENS or CAPTIONIST_TOKENS_FILE, or use HOST=127.0.0.1.`,
    );
  }

  const upstreamKinds = configuredUpstreams(config);
  // Streams are limited by the first engine, the one they are meant for, and labelled by it until
  // the engine serving them opens (the chain's servedBy).
  const upstreamKind: UpstreamKind = upstreamKinds[0] ?? 'local';
  if (upstreamKinds.includes('deepgram') && config.deepgramApiKey === undefined) {
    throw new ProxyStartError('UPSTREAMS has deepgram but DEEPGRAM_API_KEY is not set.');
  }
  if (upstreamKinds.includes('local') && (await findLocalEngine()) === undefined) {
    throw new ProxyStartError(
      upstreamKinds.length === 1
        ? 'No DEEPGRAM_API_KEY is set and the local engine is missing: install it (apt-get install python3-pocketsphinx pocketsphinx-en-us) or set DEEPGRAM_API_KEY.'
        : 'UPSTREAMS has local but the local engine is missing: install it (apt-get install python3-pocketsphinx pocketsphinx-en-us) or take local out of UPSTREAMS.',
    );
  }
  const idleTimeoutMs =
    upstreamKind === 'local' ? config.limits.idleTimeoutMs : config.limits.idleTimeoutMs + UPSTREAM_IDLE_MARGIN_MS;

  const archive = options.archive === undefined ? undefined : createArchive(options.archive, { logger, registry: metrics.registry, now: options.archiveNow });

  const verifier = createTokenVerifier(config.tokens);
  const checkHost = createHostCheck(config.edge.allowedHosts);
  const trustedProxies = new Set(config.edge.trustedProxies);
  // Limits built here are closed with the proxy; ones passed in belong to the caller.
  const built = options.sharedLimits === undefined ? await createLimits(config, logger) : undefined;
  const limits: SharedLimits = options.sharedLimits ?? built?.limits ?? createMemoryLimits(limitSettings(config));
  const authThrottle =
    options.authThrottle ??
    built?.authThrottle ??
    createMemoryAuthThrottle({ maxFailures: config.edge.authMaxFailures, windowMs: config.edge.authFailureWindowMs });
  metrics.observeSharedLimits(() => ({ degraded: limits.health().degraded, ...limits.stats() }));
  const connectionLimits = new ConnectionLimits(config.edge);
  metrics.observeOpenConnections(() => connectionLimits.open);
  const directConfig = config.direct ?? DEFAULT_DIRECT;
  // Only Deepgram grants tokens: with the local engine there is nothing to connect to directly.
  const apiKey = config.deepgramApiKey;
  const directGrants =
    apiKey === undefined
      ? undefined
      : new DirectGrants({
          config: directConfig,
          limits,
          listenUrl: config.deepgramUrl,
          requestGrant: options.requestGrant ?? deepgramGrantRequester(deepgramGrantUrl(config.deepgramUrl), apiKey),
        });
  metrics.observeDirectSessions(() => directGrants?.open ?? 0);
  /**
   * How clients may reach the engine through this proxy, as /v1/auth-check tells a client whose
   * token it accepted: relayed unless DIRECT_MODE=only forbids it for Deepgram (checkUpgrade), and
   * direct when there is a Deepgram key to grant tokens for and DIRECT_MODE does not forbid it.
   */
  const connectionModes: ('relay' | 'direct')[] = [
    ...(directConfig.mode === 'only' && upstreamKind === 'deepgram' ? [] : ['relay' as const]),
    ...(directGrants !== undefined && directConfig.mode !== 'forbid' ? ['direct' as const] : []),
  ];
  /** Connections refused on arrival: they already have their answer, whatever they send next. */
  const refusedConnections = new WeakSet<Socket>();
  const sessions = new Set<ListenSession>();
  /** Local engine decoders running: one per channel of each open stream (proxy/upstreams/local-engine.ts). */
  let engineDecoders = 0;
  let closing = false;
  const breakers = chainBreakers(config, logger, options.chainNow);
  metrics.observeUpstreamLinks(() => breakers?.health() ?? []);
  /** The engine each open stream is served by (or meant for, until one opens): /healthz counts them. */
  const streamEngines = new Set<{ engine: UpstreamKind }>();
  const createUpstream = createUpstreamChain({
    breakers,
    links: upstreamLinks(config, {
      take(channels) {
        if (engineDecoders + channels <= config.limits.maxLocalEngineStreams) {
          engineDecoders += channels;
          return { ok: true };
        }
        return { ok: false, reason: `the local engine is already transcribing ${engineDecoders} streams, as many as this computer keeps up with; try again later` };
      },
      give(channels) {
        engineDecoders -= channels;
      },
    }),
    onFallback: (from, to, failure) => metrics.countFallback(from, to, failure.reason),
  });

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: config.limits.maxMessageBytes,
    // Browsers drop the socket unless the 101 names one of the offered subprotocols.
    handleProtocols: (protocols) => (protocols.has(TOKEN_SUBPROTOCOL) ? TOKEN_SUBPROTOCOL : false),
  });
  const requestIds = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, request) => {
    const requestId = requestIds.get(request);
    if (requestId !== undefined) headers.push(`dg-request-id: ${requestId}`);
  });

  const throttledRefusal = (verdict: Extract<ThrottleVerdict, { allowed: false }>): Refusal => ({
    status: 429,
    error: 'too_many_attempts',
    message: `Too many wrong client tokens came from your address; try again in ${verdict.retryAfterSeconds} s.`,
    headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
  });

  /** Counts, logs (never the token) and throttles a failed token attempt. */
  const noteAuthFailure = async (request: IncomingMessage, address: string): Promise<void> => {
    metrics.countAuthFailure();
    const verdict = await authThrottle.recordFailure(address);
    const path = new URL(request.url ?? '/', 'http://proxy').pathname;
    logger.warn({ address, path, via: readPresentedToken(request).via }, 'client token refused');
    if (!verdict.allowed) {
      logger.warn({ address, retryAfterSeconds: verdict.retryAfterSeconds }, 'token attempts from this address throttled');
    }
  };

  /**
   * Whether this address may present a token now; a throttled one is refused without its token
   * being checked, so a guess, right or wrong, learns nothing.
   */
  const throttleCheck = async (request: IncomingMessage): Promise<{ refusal: Refusal } | { address: string }> => {
    const address = clientAddress(request, trustedProxies);
    if (verifier.open) return { address };
    const verdict = await authThrottle.check(address);
    if (verdict.allowed) return { address };
    metrics.countAuthThrottled();
    logger.debug({ address }, 'token attempt throttled');
    return { refusal: throttledRefusal(verdict) };
  };

  /** The throttle's store failed (a remote one can): say so rather than let the request hang. */
  const edgeUnavailable = (error: unknown): Refusal => {
    logger.error({ err: error instanceof Error ? error.message : String(error) }, 'edge check failed');
    return { status: 503, error: 'unavailable', message: 'The proxy could not check this request just now; try again shortly.' };
  };
  const answerUnavailable = (response: ServerResponse) => (error: unknown) => {
    const refusal = edgeUnavailable(error);
    if (!response.headersSent) sendJson(response, refusal.status, { error: refusal.error, message: refusal.message });
  };

  const countStreamsByEngine = (): Partial<Record<UpstreamKind, number>> => {
    const counts: Partial<Record<UpstreamKind, number>> = {};
    for (const { engine } of streamEngines) counts[engine] = (counts[engine] ?? 0) + 1;
    return counts;
  };

  const renderMetrics = (response: ServerResponse) => {
    metrics.render().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
        response.end(text);
      },
      () => sendJson(response, 500, { error: 'internal', message: 'Metrics could not be collected.' }),
    );
  };

  /**
   * Metrics say how busy the proxy is. On this port they need a client token (unless the proxy
   * runs without tokens, which is allowed on loopback only): "local unless forwarded" let through
   * anything a reverse proxy or a rebound page relayed without X-Forwarded-For. Scrapers on this
   * computer can use METRICS_PORT instead, a listener on 127.0.0.1 that needs no token.
   */
  const serveMetrics = async (request: IncomingMessage, response: ServerResponse) => {
    if (!verifier.open) {
      const throttled = await throttleCheck(request);
      if ('refusal' in throttled) {
        sendJson(response, 429, { error: throttled.refusal.error, message: throttled.refusal.message }, throttled.refusal.headers);
        return;
      }
      if (!verifier.check(readPresentedToken(request).token).ok) {
        await noteAuthFailure(request, throttled.address);
        sendJson(response, 401, {
          error: 'unauthorized',
          message: 'Metrics need an "Authorization: Token <token>" header, or scrape them on METRICS_PORT from this computer.',
        });
        return;
      }
    }
    renderMetrics(response);
  };

  /** The archive's read API: a client token, checked and throttled like /metrics'. */
  const authenticateRequest: Authenticate = async (request, response) => {
    const throttled = await throttleCheck(request);
    if ('refusal' in throttled) {
      sendJson(response, 429, { error: throttled.refusal.error, message: throttled.refusal.message }, throttled.refusal.headers);
      return undefined;
    }
    const { token } = readPresentedToken(request);
    const auth = verifier.check(token);
    if (!auth.ok) {
      await noteAuthFailure(request, throttled.address);
      sendJson(response, 401, { error: 'unauthorized', message: 'The archive needs an "Authorization: Token <token>" header.' });
      return undefined;
    }
    return { owner: archiveOwner(token, !verifier.open) };
  };

  const server = createServer({ connectionsCheckingInterval: Math.min(1000, config.edge.requestTimeoutMs / 4) }, (request, response) => {
    if (refusedConnections.has(request.socket)) return;
    const path = new URL(request.url ?? '/', 'http://proxy').pathname;
    // The listen paths check the Host in checkAtEdge and answer with CORS headers, so the
    // extension's connection test can read why (a name missing from ALLOWED_HOSTS); the refusal
    // tells a rebinding page nothing it did not send.
    const wrongHost = path === LISTEN_PATH || path === AUTH_CHECK_PATH || path === GRANT_PATH || path === LEASE_PATH ? undefined : checkHost(request.headers.host);
    if (wrongHost !== undefined) {
      metrics.countError(`refused_${wrongHost.error}`);
      sendJson(response, wrongHost.status, { error: wrongHost.error, message: wrongHost.message });
      return;
    }
    if (path === '/metrics') {
      serveMetrics(request, response).catch(answerUnavailable(response));
    } else if (path === '/healthz') {
      // Degraded still answers 200: open streams go on and REDIS_DOWN decides about new ones, the
      // same on every instance sharing that Redis, so a balancer gains nothing by moving away.
      const health = limits.health();
      const status = closing ? 'stopping' : health.degraded ? 'degraded' : 'ok';
      sendJson(response, closing ? 503 : 200, {
        status,
        engine: upstreamKind,
        streams: sessions.size,
        streamsByEngine: countStreamsByEngine(),
        ...(breakers === undefined ? {} : { links: breakers.health() }),
        limits: limits.store,
        ...(health.degraded ? { reason: health.reason, whenDown: config.shared.redisDown } : {}),
      });
    } else if (path === LISTEN_PATH || path === AUTH_CHECK_PATH) {
      explainListen(request, response, path === AUTH_CHECK_PATH).catch(answerUnavailable(response));
    } else if (path === GRANT_PATH || path === LEASE_PATH) {
      serveDirect(request, response, path).catch(answerUnavailable(response));
    } else if (archive !== undefined && path.startsWith(ARCHIVE_PATH_PREFIX)) {
      archive.serve(request, response, authenticateRequest).catch(answerUnavailable(response));
    } else {
      sendJson(response, 404, { error: 'not_found', message: `Nothing at ${path}. The listen endpoint is ${LISTEN_PATH}.` });
    }
  });

  applyRequestTimeouts(server, config.edge.requestTimeoutMs);
  server.on('connection', (socket: Socket) => {
    const refusal = connectionLimits.admit(socket);
    if (refusal === undefined) return;
    refusedConnections.add(socket);
    metrics.countConnectionRefused(refusal.error);
    logger.debug({ address: socket.remoteAddress, error: refusal.error }, 'connection refused');
    socket.on('error', () => socket.destroy());
    refuseUpgrade(socket, refusal);
  });

  /** Every check a stream must pass, in order; `asPath` checks a request made to another path as if to it. */
  const checkUpgrade = (request: IncomingMessage, asPath?: string): UpgradeCheck => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    if (closing) return { refusal: { status: 503, error: 'shutting_down', message: 'The proxy is shutting down; try again shortly.' } };
    if ((asPath ?? url.pathname) !== LISTEN_PATH) {
      return { refusal: { status: 404, error: 'not_found', message: `Nothing at ${url.pathname}. The listen endpoint is ${LISTEN_PATH}.` } };
    }
    const origin = request.headers.origin;
    if (!isOriginAllowed(origin, config.allowedOrigins)) {
      return {
        refusal: { status: 403, error: 'forbidden_origin', message: `Pages from ${origin} may not use this proxy. Add the origin to ALLOWED_ORIGINS to allow it.` },
      };
    }
    const auth = verifier.check(readPresentedToken(request).token);
    if (!auth.ok) return { refusal: { status: 401, error: 'unauthorized', message: auth.message } };
    if (directConfig.mode === 'only' && upstreamKind === 'deepgram') {
      return { refusal: { status: 403, error: 'relay_forbidden', message: 'This proxy does not relay audio (DIRECT_MODE=only): switch the connection to direct mode in the options.' } };
    }
    const params = checkListenParams(url.searchParams, config.limits);
    if (!params.ok) return { refusal: { status: 400, error: 'bad_request', message: params.message } };
    // Each channel is a pocketsphinx process of its own, so a meeting's two channels count as two streams.
    const channels = params.params.format.channels;
    if (upstreamKind === 'local' && engineDecoders + channels > config.limits.maxLocalEngineStreams) {
      const load = channels === 1 ? '' : ` (this stream's ${channels} channels count as ${channels} streams)`;
      return {
        refusal: {
          status: 503,
          error: 'engine_busy',
          message: `The local engine is already transcribing ${engineDecoders} streams, as many as this computer keeps up with${load}. Try again later, or give the proxy a DEEPGRAM_API_KEY.`,
        },
      };
    }
    return { tokenLabel: auth.label, limitKey: auth.limitKey, params: params.params };
  };

  /** The Host allowlist and the token throttle around checkUpgrade (the throttle may be a remote store). */
  const checkAtEdge = async (request: IncomingMessage, asPath?: string): Promise<UpgradeCheck> => {
    const wrongHost = checkHost(request.headers.host);
    if (wrongHost !== undefined) return { refusal: wrongHost };
    const throttled = await throttleCheck(request);
    if ('refusal' in throttled) return throttled;
    const checked = checkUpgrade(request, asPath);
    if ('refusal' in checked && checked.refusal.error === 'unauthorized') await noteAuthFailure(request, throttled.address);
    return checked;
  };

  /** checkAtEdge, then a slot of the shared limits (streams per token, daily audio, upstream cap). */
  const admit = async (request: IncomingMessage): Promise<Admitted> => {
    const checked = await checkAtEdge(request);
    if ('refusal' in checked) return checked;
    const admission = await limits.acquire(checked.limitKey);
    return 'refusal' in admission ? admission : { ...checked, slot: admission.slot };
  };

  /**
   * Browsers cannot read a refused handshake, so the extension asks over HTTP first:
   * GET /v1/auth-check (or /v1/listen without an upgrade) with the listen query and
   * `Authorization: Token <T>` gets the refusal the upgrade would get, as the same JSON, or
   * 200 {ok, engine, modes} (426 on /v1/listen) when it would be accepted. `modes` (also on a
   * relay_forbidden refusal) lists how this proxy lets clients connect: 'relay', 'direct' or both. Any origin may read the answer
   * (CORS): a refusal tells nothing secret, and a success needs an allowed origin and a good token.
   */
  const explainListen = async (request: IncomingMessage, response: ServerResponse, authCheck: boolean) => {
    const origin = request.headers.origin;
    const cors: Record<string, string> = origin !== undefined ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Allow-Headers': 'Authorization',
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }
    const edgeChecked = await checkAtEdge(request, LISTEN_PATH);
    const limitRefusal = 'refusal' in edgeChecked ? undefined : await limits.check(edgeChecked.limitKey);
    const checked = limitRefusal === undefined ? edgeChecked : { refusal: limitRefusal };
    if ('refusal' in checked) {
      if (checked.refusal.error === 'unknown_host') metrics.countError('refused_unknown_host');
      // relay_forbidden comes after the token check: a client it refuses may still go direct, and is told so.
      const modes = checked.refusal.error === 'relay_forbidden' ? { modes: connectionModes } : {};
      sendJson(response, checked.refusal.status, { error: checked.refusal.error, message: checked.refusal.message, ...modes }, { ...cors, ...checked.refusal.headers });
    } else if (authCheck) {
      sendJson(response, 200, { ok: true, engine: upstreamKind, modes: connectionModes }, cors);
    } else {
      sendJson(response, 426, { error: 'upgrade_required', message: 'This stream would be accepted: connect with a WebSocket.' }, { ...cors, Upgrade: 'websocket' });
    }
  };

  /**
   * POST /v1/auth/grant and /v1/auth/lease (direct mode), checked like an upgrade: the Host, the
   * token throttle, the origin and the client token; answered with CORS like /v1/auth-check, so the
   * extension reads every refusal. The body is `{"session": "<id>"}` (plus `"ended": true` to end a lease).
   */
  const serveDirect = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const origin = request.headers.origin;
    const cors: Record<string, string> = origin !== undefined ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' });
      response.end();
      return;
    }
    const answer = (reply: GrantAnswer) => {
      if (path === GRANT_PATH) metrics.countGrant(reply.status === 200 ? 'granted' : String(reply.body.error));
      if (reply.status === 204) response.writeHead(204, cors).end();
      else sendJson(response, reply.status, reply.body, { ...cors, ...reply.headers });
    };
    const refused = (refusal: Refusal) => answer({ status: refusal.status, body: { error: refusal.error, message: refusal.message, relay: directConfig.mode !== 'only' }, ...(refusal.headers ? { headers: refusal.headers } : {}) });
    if (request.method !== 'POST') {
      answer({ status: 405, body: { error: 'method_not_allowed', message: `${path} takes POST.` }, headers: { Allow: 'POST, OPTIONS' } });
      return;
    }
    const wrongHost = checkHost(request.headers.host);
    if (wrongHost !== undefined) {
      refused(wrongHost);
      return;
    }
    const throttled = await throttleCheck(request);
    if ('refusal' in throttled) {
      refused(throttled.refusal);
      return;
    }
    if (closing) {
      refused({ status: 503, error: 'shutting_down', message: 'The proxy is shutting down; try again shortly.' });
      return;
    }
    if (!isOriginAllowed(origin, config.allowedOrigins)) {
      refused({ status: 403, error: 'forbidden_origin', message: `Pages from ${origin} may not use this proxy. Add the origin to ALLOWED_ORIGINS to allow it.` });
      return;
    }
    const auth = verifier.check(readPresentedToken(request).token);
    if (!auth.ok) {
      await noteAuthFailure(request, throttled.address);
      refused({ status: 401, error: 'unauthorized', message: auth.message });
      return;
    }
    const body = await readSmallJson(request, MAX_DIRECT_BODY_BYTES);
    if (body === undefined) {
      refused({ status: 400, error: 'bad_request', message: `The body must be JSON of at most ${MAX_DIRECT_BODY_BYTES} bytes, e.g. {"session":"<id>"}.` });
      return;
    }
    const session = typeof body.session === 'string' ? body.session : undefined;
    if (directGrants === undefined) {
      answer({ status: 409, body: { error: 'direct_unavailable', message: 'This proxy transcribes with its local engine: there is no Deepgram to connect to directly.', relay: true } });
    } else if (path === GRANT_PATH) {
      answer(await directGrants.grant(auth.limitKey, session));
    } else if (session === undefined) {
      answer({ status: 400, body: { error: 'bad_request', message: 'A lease needs the session id its grant returned.' } });
    } else {
      answer(directGrants.renew(auth.limitKey, session, body.ended === true));
    }
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (refusedConnections.has(request.socket)) return;
    void admit(request).then(
      (checked) => openStream(request, socket, head, checked),
      (error: unknown) => refuseUpgrade(socket, edgeUnavailable(error)),
    );
  });

  const openStream = (request: IncomingMessage, socket: Duplex, head: Buffer, checked: Admitted) => {
    if ('refusal' in checked) {
      logger.info({ status: checked.refusal.status, error: checked.refusal.error }, 'stream refused');
      metrics.countError(`refused_${checked.refusal.error}`);
      refuseUpgrade(socket, checked.refusal);
      return;
    }
    const requestId = randomUUID();
    requestIds.set(request, requestId);
    const { slot } = checked;
    if (socket.destroyed) {
      slot.release();
      return;
    }
    // ws answers a malformed handshake itself and never calls back: the slot goes with the socket.
    let upgraded = false;
    socket.once('close', () => {
      if (!upgraded) slot.release();
    });
    wss.handleUpgrade(request, socket, head, (client: WebSocket) => {
      upgraded = true;
      const { tokenLabel, params } = checked;
      const meter = createAudioMeter(params.format, slot);
      // Whatever throws while one stream is set up ends that stream (1011), never the process.
      let session: ListenSession;
      let observer: SessionObserver | undefined;
      const served = { engine: upstreamKind };
      streamEngines.add(served);
      try {
        const streamLogger = logger.child({ requestId, token: tokenLabel });
        const streamObserver = metrics.sessionObserver(upstreamKind);
        streamLogger.info({ engine: upstreamKind, params: Object.fromEntries(params.query) }, 'stream open');
        session = new ListenSession({
          requestId,
          client,
          params,
          limits: config.limits,
          createUpstream: (context) =>
            createUpstream({
              ...context,
              servedBy: (engine) => {
                served.engine = engine;
                streamObserver.servedBy(engine);
              },
            }),
          idleTimeoutMs,
          logger: streamLogger,
          observer: (observer = { ...streamObserver, audioRelayed: (bytes) => meter.relayed(bytes) }),
          tap: archive?.tap({ owner: archiveOwner(readPresentedToken(request).token, !verifier.open), tokenLabel, requestId, params: params.archive ?? NO_ARCHIVE_PARAMS, format: params.format }),
        });
      } catch (error) {
        logger.error({ requestId, err: error instanceof Error ? error.message : String(error) }, 'stream setup failed');
        metrics.countError('stream_setup');
        observer?.ended?.();
        streamEngines.delete(served);
        slot.release();
        client.close(1011, 'the proxy could not set up this stream');
        setTimeout(() => client.terminate(), 3000).unref();
        return;
      }
      const running = session;
      slot.onQuotaUsed((refusal) => {
        metrics.countError('daily_audio_quota');
        logger.info({ requestId, token: tokenLabel, error: refusal.error }, 'daily audio quota used up mid-stream');
        running.limitReached(refusal.message);
      });
      sessions.add(session);
      const decoders = upstreamKind === 'local' ? params.format.channels : 0;
      engineDecoders += decoders;
      void session.done.then(() => {
        sessions.delete(session);
        streamEngines.delete(served);
        engineDecoders -= decoders;
        meter.ended();
        slot.release();
      });
    });
  };

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const session of sessions) session.checkTimers(now);
    directGrants?.sweep();
  }, TIMER_SWEEP_MS);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      clearInterval(sweep);
      void archive?.close();
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${config.port} on ${config.host} is already in use (set PORT to another port)`
          : error.code === 'EADDRNOTAVAIL'
            ? `${config.host} is not an address of this machine`
            : error.message;
      void built?.limits.close();
      reject(new ProxyStartError(`Cannot listen on ${config.host}:${config.port}: ${why}.`));
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let metricsServer: Server | undefined;
  if (config.edge.metricsPort !== undefined) {
    // Loopback only, whatever HOST is: the token-free way for a scraper on this computer.
    metricsServer = createServer((request, response) => {
      const wrongHost = checkHost(request.headers.host);
      if (wrongHost !== undefined) sendJson(response, wrongHost.status, { error: wrongHost.error, message: wrongHost.message });
      else if (new URL(request.url ?? '/', 'http://proxy').pathname === '/metrics') renderMetrics(response);
      else sendJson(response, 404, { error: 'not_found', message: 'This port serves only /metrics.' });
    });
    applyRequestTimeouts(metricsServer, config.edge.requestTimeoutMs);
    const listening = metricsServer;
    try {
      await new Promise<void>((resolve, reject) => {
        listening.once('error', (error: NodeJS.ErrnoException) =>
          reject(new ProxyStartError(`Cannot serve metrics on 127.0.0.1:${config.edge.metricsPort}: ${error.code === 'EADDRINUSE' ? 'the port is already in use (set METRICS_PORT to another port)' : error.message}.`)),
        );
        listening.listen(config.edge.metricsPort, '127.0.0.1', () => resolve());
      });
    } catch (error) {
      clearInterval(sweep);
      void archive?.close();
      server.close();
      await built?.limits.close();
      throw error;
    }
  }
  const metricsPort = metricsServer === undefined ? undefined : (metricsServer.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      await Promise.all([...sessions].map((session) => session.shutdown(shutdownGraceMs)));
      clearInterval(sweep);
      directGrants?.close();
      server.closeAllConnections();
      await stopped;
      await archive?.close();
      await built?.limits.close();
    })();
    return closed;
  };

  return { port, url: `ws://${urlHost(config.host)}:${port}${LISTEN_PATH}`, upstreamKind, upstreamKinds, metricsPort, close, archive };
}
