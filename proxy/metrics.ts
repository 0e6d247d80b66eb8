/**
 * Prometheus metrics for `/metrics`: active streams, bytes in and out, upstream connect time, and
 * errors by kind. Byte counts are plain numbers on the hot path, read into the counters at scrape
 * time, so relaying a frame costs an addition, not a metrics-library call.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionObserver } from './listen-session';
import type { LinkHealth } from './upstreams/link-breakers';
import type { UpstreamKind } from './upstreams/upstream';

/** A stream's observer, labelled by its engine: the one meant until the one serving it is known. */
export interface StreamObserver extends SessionObserver {
  /** The engine that opened for this stream (a fallback chain may serve it with a later one). */
  servedBy(engine: UpstreamKind): void;
}

export interface ProxyMetrics {
  readonly registry: Registry;
  /** One observer per stream; `engine`: the one it is meant for, until servedBy says otherwise. */
  sessionObserver(engine: UpstreamKind): StreamObserver;
  /** Counts a refusal or other error not tied to an open stream. */
  countError(kind: string): void;
  /** A connection refused on arrival, by reason (server_full, too_many_connections). */
  countConnectionRefused(reason: string): void;
  /** A stream whose upstream could not open, served by the next one of the chain (proxy/upstreams/upstream-chain.ts). */
  countFallback(from: UpstreamKind, to: UpstreamKind, reason: string): void;
  /** A client token that did not match (or was missing where one is required). */
  countAuthFailure(): void;
  /** A token attempt refused unchecked because its address failed too often. */
  countAuthThrottled(): void;
  /** A direct-mode token grant, by result: granted, or why not (proxy/direct-grants.ts). */
  countGrant(result: string): void;
  /** Reads the number of direct sessions holding a lease at each scrape. */
  observeDirectSessions(read: () => number): void;
  /** Reads the number of open client connections at each scrape. */
  observeOpenConnections(read: () => number): void;
  /** Reads the fallback chain's breakers at each scrape (proxy/upstreams/link-breakers.ts). */
  observeUpstreamLinks(read: () => readonly LinkHealth[]): void;
  /** Reads the shared limits' store health at each scrape (Redis errors, time degraded). */
  observeSharedLimits(read: () => SharedLimitsReading): void;
  /** Text exposition for a scrape. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface SharedLimitsReading {
  degraded: boolean;
  storeErrors: number;
  degradedSeconds: number;
}

const PROCESS_PREFIX = 'captionist_proxy_';
/**
 * prom-client's default metrics that list every libuv handle, request or resource at each scrape.
 * With thousands of sockets open, building those lists holds the event loop, and so every stream,
 * for milliseconds per scrape (`npm run bench:metrics`); captionist_streams_active already says what
 * they would. The rest (CPU, memory, heap, GC, event-loop delay, open file descriptors) stay.
 */
const PER_HANDLE_DEFAULT_METRICS = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
];

export function createProxyMetrics(options: { processMetrics?: boolean } = {}): ProxyMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) {
    collectDefaultMetrics({ register: registry, prefix: PROCESS_PREFIX });
    for (const name of PER_HANDLE_DEFAULT_METRICS) registry.removeSingleMetric(PROCESS_PREFIX + name);
  }

  const totals = { bytesIn: 0, bytesOut: 0 };
  const active = new Gauge({
    name: 'captionist_streams_active',
    help: 'Streams open now, by engine: the one serving them, or the one meant while none has opened yet.',
    labelNames: ['engine'] as const,
    registers: [registry],
  });
  const started = new Counter({
    name: 'captionist_streams_total',
    help: 'Streams opened since start, by the engine serving them (counted when it opens; a stream that never had one, at its end by the engine it was meant for).',
    labelNames: ['engine'] as const,
    registers: [registry],
  });
  new Counter({
    name: 'captionist_client_bytes_in_total',
    help: 'Bytes received from clients (audio and control messages).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(totals.bytesIn);
    },
  });
  new Counter({
    name: 'captionist_client_bytes_out_total',
    help: 'Bytes of server messages sent to clients.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(totals.bytesOut);
    },
  });
  const connectTime = new Histogram({
    name: 'captionist_upstream_connect_seconds',
    help: 'Time from a client stream opening to its upstream being ready.',
    labelNames: ['engine'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'captionist_errors_total',
    help: 'Refusals and abnormal stream ends, by kind (e.g. refused_unauthorized, audio_rate, idle, upstream_1011).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  const connectionsRefused = new Counter({
    name: 'captionist_connections_refused_total',
    help: 'Connections closed on arrival, by reason: server_full (MAX_CONNECTIONS) or too_many_connections (MAX_CONNECTIONS_PER_ADDRESS).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  let readOpenConnections = (): number => 0;
  new Gauge({
    name: 'captionist_connections_open',
    help: 'Client connections open now (HTTP and WebSocket).',
    registers: [registry],
    collect() {
      this.set(readOpenConnections());
    },
  });
  let readSharedLimits = (): SharedLimitsReading => ({ degraded: false, storeErrors: 0, degradedSeconds: 0 });
  new Gauge({
    name: 'captionist_shared_limits_degraded',
    help: '1 while the shared limits store (Redis) is unreachable and REDIS_DOWN applies, else 0.',
    registers: [registry],
    collect() {
      this.set(readSharedLimits().degraded ? 1 : 0);
    },
  });
  new Counter({
    name: 'captionist_redis_errors_total',
    help: 'Commands to Redis (shared limits) that failed or timed out.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(readSharedLimits().storeErrors);
    },
  });
  new Counter({
    name: 'captionist_shared_limits_degraded_seconds_total',
    help: 'Time spent without Redis since start, in seconds.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(readSharedLimits().degradedSeconds);
    },
  });
  const fallbacks = new Counter({
    name: 'captionist_upstream_fallbacks_total',
    help: 'Streams moved on to the next upstream of UPSTREAMS, by reason (out_of_credit, concurrency, server_error, unreachable, timeout) and the engines from and to.',
    labelNames: ['reason', 'from', 'to'] as const,
    registers: [registry],
  });
  let readUpstreamLinks = (): readonly LinkHealth[] => [];
  new Gauge({
    name: 'captionist_upstream_link_open',
    help: '1 while new streams skip this engine of UPSTREAMS (its breaker is open or one stream is probing it), 0 when it is tried again (FALLBACK_COOLDOWN_SECONDS).',
    labelNames: ['link'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { link, state } of readUpstreamLinks()) this.set({ link }, state === 'closed' ? 0 : 1);
    },
  });
  const authFailures = new Counter({
    name: 'captionist_auth_failures_total',
    help: 'Client token attempts that failed (wrong or missing token).',
    registers: [registry],
  });
  const authThrottled = new Counter({
    name: 'captionist_auth_throttled_total',
    help: 'Token attempts refused with 429, unchecked, because their address failed too often.',
    registers: [registry],
  });

  const grants = new Counter({
    name: 'captionist_direct_grants_total',
    help: 'Direct-mode Deepgram token requests, by result: granted, or the refusal (e.g. direct_forbidden, too_many_grants, too_many_streams, grant_failed).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  let readDirectSessions = (): number => 0;
  new Gauge({
    name: 'captionist_direct_sessions_open',
    help: 'Direct-mode sessions holding a lease now (granted or renewed within DIRECT_LEASE_SECONDS); their audio does not pass through the proxy.',
    registers: [registry],
    collect() {
      this.set(readDirectSessions());
    },
  });

  return {
    registry,
    countGrant: (result) => grants.inc({ result }),
    observeDirectSessions: (read) => {
      readDirectSessions = read;
    },
    countConnectionRefused: (reason) => connectionsRefused.inc({ reason }),
    countFallback: (from, to, reason) => fallbacks.inc({ reason, from, to }),
    countAuthFailure: () => authFailures.inc(),
    countAuthThrottled: () => authThrottled.inc(),
    observeOpenConnections: (read) => {
      readOpenConnections = read;
    },
    observeUpstreamLinks: (read) => {
      readUpstreamLinks = read;
    },
    observeSharedLimits: (read) => {
      readSharedLimits = read;
    },
    contentType: registry.contentType,
    render: () => registry.metrics(),
    countError: (kind) => errors.inc({ kind }),
    sessionObserver(meant) {
      let engine = meant;
      active.inc({ engine });
      let counted = false;
      let ended = false;
      return {
        servedBy: (serving) => {
          if (ended || serving === engine) return;
          active.dec({ engine });
          engine = serving;
          active.inc({ engine });
        },
        upstreamOpened: (connectMs) => {
          connectTime.observe({ engine }, connectMs / 1000);
          if (!counted) started.inc({ engine });
          counted = true;
        },
        bytesIn: (bytes) => {
          totals.bytesIn += bytes;
        },
        bytesOut: (bytes) => {
          totals.bytesOut += bytes;
        },
        error: (kind) => errors.inc({ kind }),
        ended: () => {
          if (ended) return;
          ended = true;
          if (!counted) started.inc({ engine });
          counted = true;
          active.dec({ engine });
        },
      };
    },
  };
}
