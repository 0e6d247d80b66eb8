/**
 * Direct mode at the proxy (proxy/direct-grants.ts): short-lived Deepgram tokens for authenticated
 * clients, the per-token limits that still hold (grants per minute, stream slots held by leases),
 * DIRECT_MODE, and the fake Deepgram's grant endpoint and bearer auth (testkit/upstream/server.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_DIRECT, loadConfig } from '@/proxy/config';
import { deepgramGrantUrl } from '@/proxy/direct-grants';
import { AUTH_CHECK_PATH, GRANT_PATH, LEASE_PATH, startProxy } from '@/proxy/server';
import { startFakeUpstream } from '@/testkit/upstream';
import { DEEPGRAM_KEY, EXTENSION_ORIGIN, LISTEN_QUERY, OTHER_TOKEN, TOKEN, connectClient, sleep, startDirectProxy, testConfig, upgradeAnswer, type DirectProxySetup } from './proxy-test-kit';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const directProxy = (setup: DirectProxySetup = {}) => startDirectProxy(cleanups, setup);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(url: string, body: unknown, options: { token?: string; origin?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token !== undefined) headers.Authorization = `Token ${options.token}`;
  if (options.origin !== undefined) headers.Origin = options.origin;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: response.headers };
}

const grant = (http: string, session?: string, token = TOKEN) => post(`${http}${GRANT_PATH}`, session === undefined ? {} : { session }, { token, origin: EXTENSION_ORIGIN });
const lease = (http: string, session: string, ended = false) => post(`${http}${LEASE_PATH}`, { session, ended }, { token: TOKEN, origin: EXTENSION_ORIGIN });

/** Opens Deepgram's (the fake's) /v1/listen with a granted token as the browser would: `bearer, <token>`. */
function openWithBearer(url: string, accessToken: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}?model=nova-3&encoding=linear16&sample_rate=16000`, ['bearer', accessToken]);
  cleanups.push(async () => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

async function metricsText(http: string): Promise<string> {
  const response = await fetch(`${http}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } });
  return response.text();
}

describe('the fake Deepgram grants tokens and takes them as bearer credentials', () => {
  it('answers {access_token, expires_in}, accepts the token as the bearer subprotocol (echoed), and refuses a wrong key, an unknown or an expired token', async () => {
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, grantTtlSeconds: 1 });
    cleanups.push(() => fake.close());
    const grantUrl = deepgramGrantUrl(fake.url);
    expect(grantUrl).toBe(`http://127.0.0.1:${fake.port}/v1/auth/grant`);
    const refused = await fetch(grantUrl, { method: 'POST', headers: { Authorization: 'Token wrong-key' } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ err_code: 'INVALID_AUTH' });
    const answer = await fetch(grantUrl, { method: 'POST', headers: { Authorization: `Token ${DEEPGRAM_KEY}` } });
    const body = (await answer.json()) as { access_token: string; expires_in: number };
    expect(answer.status).toBe(200);
    expect(body.expires_in).toBe(1);
    const ws = await openWithBearer(fake.url, body.access_token);
    expect(ws.protocol).toBe('bearer');
    expect(fake.connections[0]?.auth).toBe('bearer');
    expect((await upgradeAnswer(fake.url, { 'Sec-WebSocket-Protocol': 'bearer, not-a-granted-token' })).status).toBe(401);
    // The key itself is not a bearer credential.
    expect((await upgradeAnswer(fake.url, { Authorization: `Bearer ${DEEPGRAM_KEY}` })).status).toBe(401);
    await sleep(1100);
    expect((await upgradeAnswer(fake.url, { Authorization: `Bearer ${body.access_token}` })).status).toBe(401);
    // The socket opened before the expiry stays open.
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(fake.grants).toEqual({ issued: 1, refused: 1 });
  });
});

describe('POST /v1/auth/grant', () => {
  it('gives an authenticated client a token and the URL to use it on; the key never reaches the client', async () => {
    const { fake, http } = await directProxy();
    const answer = await grant(http, 'capture-0001');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ url: fake.url, session: 'capture-0001', expires_in: 30, lease_seconds: 60 });
    expect(JSON.stringify(answer.body)).not.toContain(DEEPGRAM_KEY);
    expect(answer.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    await openWithBearer(fake.url, String(answer.body.access_token));
    expect(fake.connections[0]?.auth).toBe('bearer');
    expect(await metricsText(http)).toMatch(/captionist_direct_grants_total\{result="granted"\} 1/);
    expect(await metricsText(http)).toMatch(/captionist_direct_sessions_open 1/);
  });

  it('refuses a missing or wrong token (401) and a foreign origin (403) before asking Deepgram', async () => {
    const { fake, http } = await directProxy();
    expect((await post(`${http}${GRANT_PATH}`, {}, { origin: EXTENSION_ORIGIN })).status).toBe(401);
    expect((await post(`${http}${GRANT_PATH}`, {}, { token: 'x'.repeat(40), origin: EXTENSION_ORIGIN })).body).toMatchObject({ error: 'unauthorized' });
    expect((await post(`${http}${GRANT_PATH}`, {}, { token: TOKEN, origin: 'https://evil.example' })).body).toMatchObject({ error: 'forbidden_origin' });
    expect((await fetch(`${http}${GRANT_PATH}`, { headers: { Authorization: `Token ${TOKEN}` } })).status).toBe(405);
    const preflight = await fetch(`${http}${GRANT_PATH}`, { method: 'OPTIONS', headers: { Origin: EXTENSION_ORIGIN } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(fake.grants.issued + fake.grants.refused).toBe(0);
  });

  it('DIRECT_MODE=forbid grants nothing and says relaying is allowed; relayed streams still open', async () => {
    const { fake, proxy, http } = await directProxy({ direct: { mode: 'forbid' } });
    const answer = await grant(http);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'direct_forbidden', relay: true });
    expect(fake.grants.issued).toBe(0);
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.close();
  });

  it('DIRECT_MODE=only refuses relayed streams (403 relay_forbidden) and says so in grant refusals (relay: false)', async () => {
    const { proxy, http } = await directProxy({ direct: { mode: 'only', grantsPerMinutePerToken: 1 } });
    const relayed = await upgradeAnswer(`${proxy.url}?model=nova-3&encoding=linear16&sample_rate=16000`, { 'Sec-WebSocket-Protocol': `token, ${TOKEN}` });
    expect(relayed.status).toBe(403);
    expect(relayed.body).toMatchObject({ error: 'relay_forbidden' });
    expect((await grant(http)).status).toBe(200);
    expect((await grant(http)).body).toMatchObject({ error: 'too_many_grants', relay: false });
  });

  it('counts grants per token per minute: past GRANTS_PER_MINUTE_PER_TOKEN, 429 with Retry-After; another token is not affected', async () => {
    const { http } = await directProxy({ direct: { grantsPerMinutePerToken: 2 } });
    expect((await grant(http, 'session-aaaa')).status).toBe(200);
    expect((await grant(http, 'session-aaaa')).status).toBe(200);
    const third = await grant(http, 'session-aaaa');
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: 'too_many_grants', relay: true });
    expect(third.headers.get('retry-after')).toBe('60');
    expect((await grant(http, 'session-bbbb', OTHER_TOKEN)).status).toBe(200);
  });

  it('holds MAX_STREAMS_PER_TOKEN across direct sessions and relayed streams; a session regrants on its own slot; ending the lease frees it', async () => {
    const { proxy, http } = await directProxy({ maxStreamsPerToken: 1 });
    expect((await grant(http, 'session-aaaa')).status).toBe(200);
    // A reconnect of the same session takes a new token, not a second slot.
    expect((await grant(http, 'session-aaaa')).status).toBe(200);
    const second = await grant(http, 'session-bbbb');
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ error: 'too_many_streams' });
    const relayed = await upgradeAnswer(`${proxy.url}?model=nova-3&encoding=linear16&sample_rate=16000`, { 'Sec-WebSocket-Protocol': `token, ${TOKEN}` });
    expect(relayed.status).toBe(429);
    expect((await lease(http, 'session-aaaa', true)).status).toBe(204);
    expect((await lease(http, 'session-aaaa')).status).toBe(404);
    expect((await grant(http, 'session-bbbb')).status).toBe(200);
  });

  it('gives a lease up when it is not renewed, and keeps it while it is', async () => {
    const { http } = await directProxy({ maxStreamsPerToken: 1, direct: { leaseMs: 600 } });
    expect((await grant(http, 'session-aaaa')).status).toBe(200);
    for (let i = 0; i < 4; i += 1) {
      await sleep(300);
      expect((await lease(http, 'session-aaaa')).status).toBe(204);
    }
    expect((await grant(http, 'session-bbbb')).status).toBe(429);
    await sleep(1000);
    expect((await grant(http, 'session-bbbb')).status).toBe(200);
    expect((await lease(http, 'session-aaaa')).status).toBe(404);
  });

  it("says why Deepgram refused (502 grant_failed with Deepgram's reason) and gives the slot back", async () => {
    const { http } = await directProxy({ maxStreamsPerToken: 1, fake: { refuseGrant: { status: 403, body: { err_code: 'FORBIDDEN', err_msg: 'Insufficient permissions.' } } } });
    const answer = await grant(http, 'session-aaaa');
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: 'grant_failed', relay: true });
    expect(String(answer.body.message)).toContain('403: Insufficient permissions.');
    // Not too_many_streams: the failed grant's slot was given back.
    expect((await grant(http, 'session-bbbb')).body).toMatchObject({ error: 'grant_failed' });
    expect(await metricsText(http)).toMatch(/captionist_direct_grants_total\{result="grant_failed"\} 2/);
  });

  it('with the local engine there is no Deepgram to grant for: 409 direct_unavailable, relay allowed', async () => {
    const proxy = await startProxy(testConfig(), { shutdownGraceMs: 500 });
    cleanups.push(() => proxy.close());
    const answer = await grant(`http://127.0.0.1:${proxy.port}`);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'direct_unavailable', relay: true });
  });
});

/** GET /v1/auth-check as the extension asks it: the listen query, the token, the extension's origin. */
async function authCheck(http: string, token = TOKEN): Promise<Answer> {
  const response = await fetch(`${http}${AUTH_CHECK_PATH}?${LISTEN_QUERY}`, {
    headers: { Authorization: `Token ${token}`, Origin: EXTENSION_ORIGIN },
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('GET /v1/auth-check names the connection modes this proxy allows', () => {
  it('DIRECT_MODE=allow: relay and direct', async () => {
    const { http } = await directProxy();
    const answer = await authCheck(http);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, engine: 'deepgram', modes: ['relay', 'direct'] });
  });

  it('DIRECT_MODE=forbid: relay only', async () => {
    const { http } = await directProxy({ direct: { mode: 'forbid' } });
    expect((await authCheck(http)).body).toEqual({ ok: true, engine: 'deepgram', modes: ['relay'] });
  });

  it('DIRECT_MODE=only: the relay_forbidden refusal says direct is the way, and asks Deepgram for nothing', async () => {
    const { fake, http } = await directProxy({ direct: { mode: 'only' } });
    const answer = await authCheck(http);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'relay_forbidden', modes: ['direct'] });
    expect(answer.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(fake.grants.issued + fake.grants.refused).toBe(0);
  });

  it('the local engine has no Deepgram to grant for: relay only, whatever DIRECT_MODE says', async () => {
    for (const mode of ['allow', 'only'] as const) {
      const proxy = await startProxy(testConfig({ direct: { ...DEFAULT_DIRECT, mode } }), { shutdownGraceMs: 500 });
      cleanups.push(() => proxy.close());
      expect((await authCheck(`http://127.0.0.1:${proxy.port}`)).body).toEqual({ ok: true, engine: 'local', modes: ['relay'] });
    }
  });

  it('says nothing about modes to a client whose token it refused', async () => {
    const { http } = await directProxy({ direct: { mode: 'only' } });
    const answer = await authCheck(http, 'wrong-token-0123456789abcdef');
    expect(answer.status).toBe(401);
    expect(answer.body).not.toHaveProperty('modes');
  });
});

describe('direct mode configuration', () => {
  it('reads DIRECT_MODE, GRANTS_PER_MINUTE_PER_TOKEN and DIRECT_LEASE_SECONDS, with allow/30/60 by default, and reports bad values', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.direct).toEqual(DEFAULT_DIRECT);
    const set = loadConfig({ DIRECT_MODE: 'forbid', GRANTS_PER_MINUTE_PER_TOKEN: '5', DIRECT_LEASE_SECONDS: '30' });
    expect(set.ok && set.config.direct).toEqual({ mode: 'forbid', grantsPerMinutePerToken: 5, leaseMs: 30_000 });
    const bad = loadConfig({ DIRECT_MODE: 'sometimes', DIRECT_LEASE_SECONDS: '2' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.join(' ')).toContain('DIRECT_MODE must be allow, forbid or only');
      expect(bad.errors.join(' ')).toContain('DIRECT_LEASE_SECONDS must be at least 15');
    }
  });
});
