/**
 * "Test connection" with the connection mode the user chose, against the real proxy
 * (proxy/server.ts) in each DIRECT_MODE and the fake Deepgram (testkit/upstream), through a fetch,
 * a POST and a WebSocket that see only what a browser extension page sees.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quickCheck, testConnection, type ConnectionTestDeps, type ConnectionTestResult } from '@/lib/connection-test';
import type { RunningProxy } from '@/proxy/server';
import { DEFAULT_SETTINGS, type ConnectionMode, type Settings } from '@/lib/settings';
import { TOKEN, startDirectProxy, type DirectProxySetup } from '../proxy/proxy-test-kit';
import { browserFetch, browserPost, browserWebSocket } from './connection-test-kit';
import { installEnglishMessages } from './settings-english-messages';

beforeAll(installEnglishMessages);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const deps: ConnectionTestDeps = {
  fetch: browserFetch(),
  createWebSocket: browserWebSocket(),
  post: browserPost(),
  timeouts: { httpMs: 3000, openMs: 3000, answerMs: 6000 },
};

const directProxy = (setup: DirectProxySetup = {}) => startDirectProxy(cleanups, setup);

function settingsFor(proxy: RunningProxy, connectionMode: ConnectionMode): Settings {
  return { ...DEFAULT_SETTINGS, proxyUrl: proxy.url, token: TOKEN, connectionMode };
}

async function directSessionsOpen(proxy: RunningProxy): Promise<string | undefined> {
  const response = await fetch(`http://127.0.0.1:${proxy.port}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } });
  return /captionist_direct_sessions_open (\d+)/.exec(await response.text())?.[1];
}

function expectOk(result: ConnectionTestResult): asserts result is Extract<ConnectionTestResult, { ok: true }> {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true, kind: 'ok' });
}

function expectFailure(result: ConnectionTestResult, kind: string): asserts result is Extract<ConnectionTestResult, { ok: false }> {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: false, kind });
}

describe('Test connection with direct mode chosen', () => {
  it('takes a token as a session would, opens Deepgram with it (bearer), and gives the stream slot back at once', async () => {
    const { fake, proxy } = await directProxy({ maxStreamsPerToken: 1 });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectOk(result);
    expect(result).toMatchObject({ route: 'direct', engine: 'deepgram' });
    expect(result.warning).toBeUndefined();
    expect(result.message).toBe(`Works directly: the proxy at 127.0.0.1:${proxy.port} gave a short-lived token, and Deepgram at 127.0.0.1:${fake.port} accepted the connection with it. Your audio goes straight to Deepgram.`);
    expect(fake.grants.issued).toBe(1);
    expect(fake.connections.map((connection) => connection.auth)).toEqual(['bearer']);
    expect(fake.connections[0]?.controls).toEqual(['CloseStream']);
    expect(fake.connections[0]?.query.get('model')).toBe(DEFAULT_SETTINGS.model);
    // The lease was ended: the token's one stream slot is free, so a second test (a second grant) works too.
    expect(await directSessionsOpen(proxy)).toBe('0');
    expectOk(await testConnection(settingsFor(proxy, 'direct'), deps));
  });

  it('DIRECT_MODE=only: works directly, although /v1/auth-check refuses relaying', async () => {
    const { fake, proxy } = await directProxy({ direct: { mode: 'only' } });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectOk(result);
    expect(result.route).toBe('direct');
    expect(fake.connections.map((connection) => connection.auth)).toEqual(['bearer']);
  });

  it('DIRECT_MODE=forbid: works through the proxy, with a warning that sessions will not be direct', async () => {
    const { fake, proxy } = await directProxy({ direct: { mode: 'forbid' } });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectOk(result);
    expect(result.route).toBe('relay');
    expect(result.message).toMatch(/the token works and the proxy uses Deepgram/);
    expect(result.warning).toMatch(new RegExp(`^The proxy at 127\\.0\\.0\\.1:${proxy.port} does not allow direct mode, so captions will go through the proxy instead\\. It says: .*DIRECT_MODE=forbid`));
    expect(fake.grants.issued + fake.grants.refused).toBe(0);
    // The relayed test went through the proxy, which opened the fake with its key.
    expect(fake.connections.map((connection) => connection.auth)).toEqual(['header']);
  });

  it('Deepgram refuses the grant where relaying is allowed: works through the proxy, warning with the notice a session would show', async () => {
    const { fake, proxy } = await directProxy({ fake: { refuseGrant: { status: 403, body: { err_code: 'FORBIDDEN', err_msg: 'Insufficient permissions.' } } } });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectOk(result);
    expect(result.route).toBe('relay');
    expect(result.warning).toMatch(/^Direct mode is not available \(.*403: Insufficient permissions\..*\), so captions go through the proxy\.$/);
    expect(fake.connections.map((connection) => connection.auth)).toEqual(['header']);
  });

  it('Deepgram refuses the grant and the proxy relays nothing (DIRECT_MODE=only): fails with the reason', async () => {
    const { fake, proxy } = await directProxy({ direct: { mode: 'only' }, fake: { refuseGrant: { status: 403, body: { err_code: 'FORBIDDEN', err_msg: 'Insufficient permissions.' } } } });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectFailure(result, 'grant-refused');
    expect(result.status).toBe(502);
    expect(result.message).toMatch(/gave no token for direct mode and does not relay audio, so captions cannot start: .*Insufficient permissions/);
    expect(fake.connections).toHaveLength(0);
  });

  it('a token Deepgram does not take (its socket refused): fails as a direct connection, naming Deepgram\'s host', async () => {
    // Tokens that expire as they are issued: the fake refuses the bearer handshake (401).
    const { fake, proxy } = await directProxy({ fake: { grantTtlSeconds: 0 } });
    const result = await testConnection(settingsFor(proxy, 'direct'), deps);
    expectFailure(result, 'direct-refused');
    expect(result.message).toContain(`Deepgram at 127.0.0.1:${fake.port}`);
    expect(fake.grants.issued).toBe(1);
    expect(fake.connections).toHaveLength(0);
    expect(await directSessionsOpen(proxy)).toBe('0');
  });

  it('the proxy\'s own refusals come first, as for relaying (a wrong token is a 401, and no grant is asked for)', async () => {
    const { fake, proxy } = await directProxy();
    const result = await testConnection({ ...settingsFor(proxy, 'direct'), token: 'not-the-token-0123456789abcdef' }, deps);
    expectFailure(result, 'unauthorized');
    expect(fake.grants.issued + fake.grants.refused).toBe(0);
  });
});

describe('Test connection with relay chosen', () => {
  it('DIRECT_MODE=only: says the proxy only allows direct, and to choose it', async () => {
    const { fake, proxy } = await directProxy({ direct: { mode: 'only' } });
    const result = await testConnection(settingsFor(proxy, 'relay'), deps);
    expectFailure(result, 'direct-only');
    expect(result.message).toBe(`The proxy at 127.0.0.1:${proxy.port} does not relay audio: it only gives tokens for streaming straight to Deepgram (direct mode).`);
    expect(result.advice).toBe('Under “How your audio reaches the speech service”, choose “Straight to Deepgram (direct)”, then test again.');
    expect(fake.connections).toHaveLength(0);
  });

  it('DIRECT_MODE=allow: relays as before, with no grant asked for', async () => {
    const { fake, proxy } = await directProxy();
    const result = await testConnection(settingsFor(proxy, 'relay'), deps);
    expectOk(result);
    expect(result.route).toBeUndefined();
    expect(fake.grants.issued).toBe(0);
    expect(fake.connections.map((connection) => connection.auth)).toEqual(['header']);
  });
});

describe('quickCheck (the popup, and a failed session\'s explanation) under DIRECT_MODE=only', () => {
  it('is fine with direct chosen, and says to choose direct with relay chosen', async () => {
    const { proxy } = await directProxy({ direct: { mode: 'only' } });
    expect(await quickCheck(settingsFor(proxy, 'direct'), browserFetch())).toMatchObject({ ok: true, engine: 'deepgram' });
    expect(await quickCheck(settingsFor(proxy, 'relay'), browserFetch())).toMatchObject({ ok: false, kind: 'direct-only', advice: expect.stringContaining('Straight to Deepgram (direct)') });
  });
});
