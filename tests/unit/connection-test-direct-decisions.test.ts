/**
 * What "Test connection" decides in direct mode (lib/connection-test-direct.ts), from the proxy's
 * answer to a grant request alone: open Deepgram's socket, relay with a warning, or stop with the
 * proxy's reason. No network: the answers are the shapes lib/listen/direct-grant.ts returns.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { directNotOpened, directSocketResult, planAfterGrant, relayedInstead } from '@/lib/connection-test-direct';
import type { ConnectionTestResult } from '@/lib/connection-test';
import type { GrantAnswer } from '@/lib/listen/direct-grant';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { installEnglishMessages } from './settings-english-messages';

beforeAll(installEnglishMessages);

const PROXY_HOST = 'captions.example.com';
const settings: Settings = { ...DEFAULT_SETTINGS, proxyUrl: `wss://${PROXY_HOST}/v1/listen`, token: 'client-token-0123456789', connectionMode: 'direct' };

function refused(error: string, reason: string, extra: Partial<Extract<GrantAnswer, { ok: false }>> = {}): GrantAnswer {
  return { ok: false, status: 403, error, reason, relay: true, retry: false, ...extra };
}

describe('planAfterGrant', () => {
  it('with a token, opens the socket a session would: the granted URL with the listen query, the token as the bearer subprotocol', () => {
    const plan = planAfterGrant({ ok: true, accessToken: 'granted-abc', url: new URL('wss://api.deepgram.com/v1/listen'), leaseSeconds: 60 }, settings, PROXY_HOST, true);
    expect(plan).toMatchObject({ next: 'open', protocols: ['bearer', 'granted-abc'], deepgramHost: 'api.deepgram.com' });
    if (plan.next !== 'open') return;
    const url = new URL(plan.url);
    expect(url.origin + url.pathname).toBe('wss://api.deepgram.com/v1/listen');
    expect(url.searchParams.get('model')).toBe(settings.model);
    expect(url.searchParams.get('encoding')).toBe('linear16');
    // The client token never goes to Deepgram.
    expect(plan.url).not.toContain(settings.token);
  });

  it('a proxy that never gives tokens (DIRECT_MODE=forbid, or the local engine) and relays: relay, warning that sessions will go through the proxy', () => {
    for (const error of ['direct_forbidden', 'direct_unavailable']) {
      const plan = planAfterGrant(refused(error, 'This proxy does not allow direct mode.'), settings, PROXY_HOST, true);
      expect(plan).toEqual({
        next: 'relay',
        warning: `The proxy at ${PROXY_HOST} does not allow direct mode, so captions will go through the proxy instead. It says: This proxy does not allow direct mode.`,
      });
    }
  });

  it('a grant that failed this time (Deepgram refused, too many grants) where relaying is allowed: relay, with the notice a session shows', () => {
    const plan = planAfterGrant(refused('grant_failed', 'Deepgram refused a token (403: Insufficient permissions.).', { status: 502, retry: true }), settings, PROXY_HOST, true);
    expect(plan).toEqual({ next: 'relay', warning: 'Direct mode is not available (Deepgram refused a token (403: Insufficient permissions.).), so captions go through the proxy.' });
  });

  it('no token and no relaying (DIRECT_MODE=only): stops with the proxy\'s reason, and says whether trying again may help', () => {
    const lasting = planAfterGrant(refused('grant_failed', 'Deepgram refused a token.', { status: 502, relay: false }), settings, PROXY_HOST, true);
    expect(lasting).toMatchObject({ next: 'stop', result: { ok: false, kind: 'grant-refused', status: 502 } });
    if (lasting.next !== 'stop' || lasting.result.ok) return;
    expect(lasting.result.message).toBe(`The proxy at ${PROXY_HOST} gave no token for direct mode and does not relay audio, so captions cannot start: Deepgram refused a token.`);
    expect(lasting.result.advice).toBe('Tell whoever runs the proxy what it said.');

    const passing = planAfterGrant(refused('too_many_grants', 'Too many tokens in a minute.', { status: 429, relay: false, retry: true }), settings, PROXY_HOST, true);
    expect(passing).toMatchObject({ next: 'stop', result: { kind: 'grant-refused', status: 429, advice: expect.stringMatching(/try again in a minute/) } });
  });

  it('stops rather than relays when auth-check already said the proxy relays nothing, whatever the grant answer claims', () => {
    const plan = planAfterGrant(refused('http_404', 'HTTP 404', { status: 404 }), settings, PROXY_HOST, false);
    expect(plan).toMatchObject({ next: 'stop', result: { kind: 'grant-refused', status: 404 } });
  });

  it('a proxy that did not answer the grant request: stops (a session would ask again, never relay), naming an older proxy and the relay choice', () => {
    const plan = planAfterGrant({ ok: false, status: null, error: 'unreachable', reason: 'Failed to fetch', relay: false, retry: true }, settings, PROXY_HOST, true);
    expect(plan).toMatchObject({ next: 'stop', result: { kind: 'grant-refused', status: null } });
    if (plan.next !== 'stop' || plan.result.ok) return;
    expect(plan.result.message).toContain('Failed to fetch');
    expect(plan.result.advice).toBe('A proxy older than direct mode does not answer this request: update it, or under “How your audio reaches the speech service” choose “Through the proxy (relay)”.');
  });

  it('keeps control characters and length of the proxy\'s reason in check', () => {
    const plan = planAfterGrant(refused('grant_failed', `bad\u0000\nnews ${'x'.repeat(500)}`, { relay: false }), settings, PROXY_HOST, true);
    if (plan.next !== 'stop' || plan.result.ok) throw new Error(JSON.stringify(plan));
    expect(plan.result.message).toContain('bad news');
    expect(plan.result.message.length).toBeLessThan(400);
  });
});

describe('directSocketResult, directNotOpened and relayedInstead', () => {
  const relayOk: ConnectionTestResult = { ok: true, kind: 'ok', engine: 'deepgram', message: 'Connected to proxy.' };
  const relayFailed: ConnectionTestResult = { ok: false, kind: 'refused', status: null, message: 'Closed (1008).', advice: 'Check.' };

  it('a granted socket that worked: works directly, naming the proxy and Deepgram', () => {
    expect(directSocketResult(relayOk, PROXY_HOST, 'api.deepgram.com')).toEqual({
      ok: true,
      kind: 'ok',
      engine: 'deepgram',
      route: 'direct',
      message: `Works directly: the proxy at ${PROXY_HOST} gave a short-lived token, and Deepgram at api.deepgram.com accepted the connection with it. Your audio goes straight to Deepgram.`,
    });
    expect(directSocketResult(relayFailed, PROXY_HOST, 'api.deepgram.com')).toBe(relayFailed);
  });

  it('a granted socket that never opened is Deepgram\'s host not taking it, with the way back to relaying', () => {
    expect(directNotOpened('api.deepgram.com')).toMatchObject({
      ok: false,
      kind: 'direct-refused',
      message: 'The proxy gave a token, but the connection to Deepgram at api.deepgram.com did not open with it.',
      advice: expect.stringContaining('choose “Through the proxy (relay)”'),
    });
  });

  it('relaying instead: a success stays a success, with the warning and the route; a failure says the warning first', () => {
    expect(relayedInstead(relayOk, 'Sessions will relay.')).toEqual({ ...relayOk, route: 'relay', warning: 'Sessions will relay.' });
    expect(relayedInstead(relayFailed, 'Sessions will relay.')).toEqual({ ...relayFailed, message: 'Sessions will relay. Closed (1008).' });
  });
});
