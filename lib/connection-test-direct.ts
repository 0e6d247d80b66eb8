/**
 * "Test connection" with direct mode chosen (the `connectionMode` setting): does what a session's
 * DirectDialer (lib/session/direct-dialer.ts) does when it connects, and says what came of it.
 *
 *   1. Ask the proxy for a Deepgram token (POST /v1/auth/grant, lib/listen/direct-grant.ts) for a
 *      session of the test's own, ended right after (POST /v1/auth/lease, ended), so the stream
 *      slot it held is free again at once.
 *   2. With a token: open the socket a session would (grantedSocket) and check it the way the
 *      relayed test checks the proxy's (lib/connection-test.ts openListen: CloseStream, then the
 *      server's answer).
 *   3. Without one: where the proxy allows relaying, a session relays instead, so the relayed
 *      test runs, and a success carries a warning that captions will go through the proxy. Where
 *      it does not, the proxy's reason is the failure.
 *
 * planAfterGrant, directSocketResult and relayedInstead make the decisions and touch no network.
 */
import { failure, openListen, type ConnectionTestDeps, type ConnectionTestResult, type ConnectionTimeouts } from './connection-test';
import { t } from './i18n';
import { cleanReason } from './listen/close-codes';
import { renewLease, requestGrant, type GrantAnswer } from './listen/direct-grant';
import { grantedSocket } from './session/direct-dialer';
import type { Settings } from './settings';

/** What a session would do after the proxy's answer to its grant request, and so what the test does next. */
export type GrantPlan =
  | { next: 'open'; url: string; protocols: string[]; deepgramHost: string }
  | { next: 'relay'; warning: string }
  | { next: 'stop'; result: ConnectionTestResult };

/** Refusals saying this proxy gives no direct-mode tokens at all, not only now (proxy/direct-grants.ts, proxy/server.ts). */
const NEVER_DIRECT = new Set(['direct_forbidden', 'direct_unavailable']);

/** “Under <the setting>, choose relay”: the labels as Options shows them. */
function chooseRelayLabels(): [string, string] {
  return [t('optionsConnectionMode'), t('optionsConnectionModeRelay')];
}

/**
 * `relayAllowed` is false when the proxy already said it relays nothing (relay_forbidden on
 * /v1/auth-check); the grant's own `relay` says the same for the proxy's refusals.
 */
export function planAfterGrant(grant: GrantAnswer, settings: Settings, proxyHost: string, relayAllowed: boolean): GrantPlan {
  if (grant.ok) {
    // A microphone or tab capture sends one channel; a meeting's second changes only the query.
    return { next: 'open', ...grantedSocket(grant, settings, { channels: 1 }), deepgramHost: grant.url.host };
  }
  const reason = cleanReason(grant.reason);
  if (grant.relay && relayAllowed) {
    const warning = NEVER_DIRECT.has(grant.error) ? t('optionsConnectionDirectNotAllowed', proxyHost, reason) : t('directFallbackToRelay', reason);
    return { next: 'relay', warning };
  }
  if (grant.status === null) {
    // The session would ask again and again, and never relay: nothing said it may.
    return { next: 'stop', result: failure('grant-refused', t('directGrantUnreachable', proxyHost, reason), t('optionsConnectionGrantUnreachableAdvice', ...chooseRelayLabels())) };
  }
  const advice = grant.retry ? t('optionsConnectionGrantRetryAdvice') : t('optionsConnectionGrantRefusedAdvice');
  return { next: 'stop', result: failure('grant-refused', t('optionsConnectionGrantRefused', proxyHost, reason), advice, grant.status) };
}

/** The granted socket's test, said for direct mode: its success names both hosts; its failures stand as they are. */
export function directSocketResult(result: ConnectionTestResult, proxyHost: string, deepgramHost: string): ConnectionTestResult {
  if (!result.ok) return result;
  return { ok: true, kind: 'ok', engine: 'deepgram', route: 'direct', message: t('optionsConnectionOkDirect', proxyHost, deepgramHost) };
}

/** The granted socket never opened: the browser hides why, but it was Deepgram's host, not the proxy, that it tried. */
export function directNotOpened(deepgramHost: string): ConnectionTestResult {
  return failure('direct-refused', t('optionsConnectionDirectNoSocket', deepgramHost), t('optionsConnectionDirectNoSocketAdvice', deepgramHost, ...chooseRelayLabels()));
}

/** The relayed test's result, for a user who chose direct: sessions will relay, which a success warns about. */
export function relayedInstead(relayed: ConnectionTestResult, warning: string): ConnectionTestResult {
  if (relayed.ok) return { ...relayed, route: 'relay', warning };
  return { ...relayed, message: `${warning} ${relayed.message}` };
}

export interface DirectTestContext {
  /** The relayed test, run when a session would fall back to relaying; null when the proxy relays nothing. */
  relay: (() => Promise<ConnectionTestResult>) | null;
}

export async function testDirectConnection(
  settings: Settings,
  proxyUrl: URL,
  token: string,
  deps: ConnectionTestDeps,
  timeouts: ConnectionTimeouts,
  context: DirectTestContext,
): Promise<ConnectionTestResult> {
  const proxyHost = proxyUrl.host;
  const session = crypto.randomUUID();
  const grant = await requestGrant(deps.post, settings.proxyUrl, token, session);
  const plan = planAfterGrant(grant, settings, proxyHost, context.relay !== null);
  if (plan.next === 'stop') return plan.result;
  if (plan.next === 'relay') return context.relay === null ? failure('grant-refused', plan.warning, t('optionsConnectionGrantRefusedAdvice')) : relayedInstead(await context.relay(), plan.warning);
  try {
    const result = await openListen(plan.url, token, deps, timeouts, plan.deepgramHost, {
      known: true,
      engine: 'deepgram',
      proxyUrl,
      protocols: plan.protocols,
      notOpened: () => directNotOpened(plan.deepgramHost),
    });
    return directSocketResult(result, proxyHost, plan.deepgramHost);
  } finally {
    // The test's session ends here; otherwise its slot would count against the token's streams for a whole lease.
    await renewLease(deps.post, settings.proxyUrl, token, session, true);
  }
}
