/**
 * The fallback chain's memory of each link's health (./upstream-chain.ts), for this process: a
 * circuit breaker per link that has a next one. After a link fails to open in a way that will not
 * fix itself within seconds, new streams skip it for a cool-down and start on the next link; the
 * client still hears the remembered failure as the reason (lib/listen/engine-notice.ts). After the
 * cool-down ONE stream tries the link again (half-open) while the others keep skipping it; only that
 * link opening closes the breaker, and a failure opens it for another cool-down.
 *
 * Which failures open it (OpenFailure.reason, from proxy/upstreams/deepgram.ts):
 * - out_of_credit (402): credit comes back only when a person adds it.
 * - timeout and unreachable: the dearest case, as every stream waits FALLBACK_AFTER_SECONDS (or
 *   a DNS or TCP failure) before its captions start; an outage or a network fault outlasts the
 *   seconds between two streams.
 * - server_error (5xx): only after SERVER_ERRORS_TO_OPEN in a row with no success between. One 503
 *   is often a single overloaded node behind the service's balancer, and the next handshake lands
 *   elsewhere; a run of them is an outage.
 * - concurrency (429) never: the project's stream limit frees the moment any of its streams ends,
 *   and a 429 costs one round trip, so skipping for a cool-down would keep streams on the fallback
 *   while the preferred engine has room again.
 * Refusals that do not fall back at all (400, 401, 403) end the stream as they would without a
 * chain and do not touch the breaker: 400 and 403 (a model the key may not use) are about that
 * stream's parameters, and a 401 says the key itself is wrong, which the operator must see, not a
 * fallback hiding it.
 */
import type { Logger } from 'pino';
import type { OpenFailure, UpstreamKind } from './upstream';

/** A run of 5xx this long opens the breaker (see above). */
export const SERVER_ERRORS_TO_OPEN = 3;

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a new stream should do with a link. */
export type LinkVerdict = { try: true; probe: boolean } | { try: false; remembered: OpenFailure };

/** How an attempt on a link ended, as the breaker counts it. */
export type AttemptOutcome = { opened: true } | { opened: false; failure: OpenFailure | undefined };

export interface LinkHealth {
  link: UpstreamKind;
  state: BreakerState;
  /** While not closed: the failure that opened it (the reason new streams are told). */
  reason?: OpenFailure['reason'];
  status?: number;
  /** While open: seconds until a stream probes the link again. */
  retryInSeconds?: number;
}

export interface LinkBreakers {
  /** Asks before starting a link; a `probe` answer must be settled (it holds the half-open slot). */
  verdict(link: UpstreamKind): LinkVerdict;
  /** Every attempt started after a `try` verdict is settled exactly once. */
  settle(link: UpstreamKind, probe: boolean, outcome: AttemptOutcome): void;
  /** Each breaker, in chain order (for /healthz and /metrics). */
  health(): LinkHealth[];
}

export interface LinkBreakerOptions {
  /** How long a link is skipped after it opens; > 0 (0 means no breakers: do not create them). */
  cooldownMs: number;
  /** Injected so tests decide when a cool-down is over. */
  now?: () => number;
  logger: Logger;
}

type Breaker =
  | { state: 'closed'; serverErrorsInARow: number }
  | { state: 'open'; until: number; failure: OpenFailure; probing: boolean };

function opens(failure: OpenFailure, serverErrorsInARow: number): boolean {
  switch (failure.reason) {
    case 'out_of_credit':
    case 'timeout':
    case 'unreachable':
      return true;
    case 'server_error':
      return serverErrorsInARow >= SERVER_ERRORS_TO_OPEN;
    case 'concurrency':
      return false;
  }
}

/** Breakers for `links` (the chain's links that have a next one). */
export function createLinkBreakers(links: readonly UpstreamKind[], options: LinkBreakerOptions): LinkBreakers {
  const now = options.now ?? Date.now;
  const { cooldownMs, logger } = options;
  const breakers = new Map<UpstreamKind, Breaker>(links.map((link) => [link, { state: 'closed', serverErrorsInARow: 0 }]));

  const open = (link: UpstreamKind, failure: OpenFailure, wasProbe: boolean) => {
    const before = breakers.get(link);
    breakers.set(link, { state: 'open', until: now() + cooldownMs, failure, probing: false });
    const fields = { link, reason: failure.reason, status: failure.status, cooldownSeconds: cooldownMs / 1000 };
    if (before?.state === 'closed') logger.warn(fields, 'upstream link breaker open: new streams skip it');
    else if (wasProbe) logger.warn(fields, 'upstream link still failing on probe: breaker open again');
  };

  return {
    verdict(link) {
      const breaker = breakers.get(link);
      if (breaker === undefined || breaker.state === 'closed') return { try: true, probe: false };
      if (breaker.probing || now() < breaker.until) return { try: false, remembered: breaker.failure };
      breaker.probing = true;
      return { try: true, probe: true };
    },
    settle(link, probe, outcome) {
      const breaker = breakers.get(link);
      if (breaker === undefined) return;
      if (outcome.opened) {
        // Any stream opening proves the link works, a probe or one started before the breaker opened.
        if (breaker.state === 'open') logger.info({ link }, 'upstream link breaker closed: the link opened again');
        breakers.set(link, { state: 'closed', serverErrorsInARow: 0 });
        return;
      }
      const { failure } = outcome;
      if (breaker.state === 'closed') {
        if (failure === undefined) return;
        const serverErrorsInARow = failure.reason === 'server_error' ? breaker.serverErrorsInARow + 1 : breaker.serverErrorsInARow;
        if (opens(failure, serverErrorsInARow)) open(link, failure, false);
        else breaker.serverErrorsInARow = serverErrorsInARow;
        return;
      }
      // Open: a probe that failed the same way opens it for another cool-down. A probe that ended
      // without an answer about the link (the client left, a 429, a refusal of that stream's
      // parameters) gives the half-open slot to the next stream.
      if (failure !== undefined && failure.reason !== 'concurrency') {
        if (probe) open(link, failure, true);
        return;
      }
      if (probe) breaker.probing = false;
    },
    health() {
      return [...breakers].map(([link, breaker]): LinkHealth => {
        if (breaker.state === 'closed') return { link, state: 'closed' };
        const left = breaker.until - now();
        const health: LinkHealth = { link, state: left > 0 ? 'open' : 'half_open', reason: breaker.failure.reason };
        if (breaker.failure.status !== undefined) health.status = breaker.failure.status;
        if (left > 0) health.retryInSeconds = Math.ceil(left / 1000);
        return health;
      });
    },
  };
}
