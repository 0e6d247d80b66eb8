/**
 * Failed token attempts are throttled per client address (429 with Retry-After, the token not even
 * checked), counted in /metrics and logged without the token; weak tokens are refused at start.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthThrottle } from '@/proxy/auth-throttle';
import { DEFAULT_EDGE, loadConfig, type EdgeConfig } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, TOKEN, httpGet, testConfig, upgradeAnswer } from './proxy-test-kit';

const GUESS = 'guessed-token-5f1c9e3a7b2d8f4e6a0c';

let proxy: RunningProxy | undefined;
let fake: FakeDeepgram | undefined;
let logText = '';

async function start(edge: Partial<EdgeConfig>, authThrottle?: AuthThrottle): Promise<RunningProxy> {
  logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, edge: { ...DEFAULT_EDGE, ...edge } }), {
    logger: pino({ level: 'info' }, sink),
    authThrottle,
  });
  return proxy;
}

afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

const authCheck = (running: RunningProxy, token: string, options: { localAddress?: string; forwardedFor?: string } = {}) =>
  httpGet(`http://127.0.0.1:${running.port}/v1/auth-check?${LISTEN_QUERY}`, {
    localAddress: options.localAddress,
    headers: { Authorization: `Token ${token}`, ...(options.forwardedFor === undefined ? {} : { 'X-Forwarded-For': options.forwardedFor }) },
  });

describe('failed token attempts', () => {
  it('are throttled per address after AUTH_MAX_FAILURES: 429 with Retry-After, even for the right token, on every path', { timeout: 10_000 }, async () => {
    const running = await start({ authMaxFailures: 3, authFailureWindowMs: 60_000 });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await authCheck(running, GUESS)).status).toBe(401);

    const throttled = await authCheck(running, GUESS);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(throttled.text)).toMatchObject({ error: 'too_many_attempts', message: expect.stringMatching(/^Too many wrong client tokens .* try again in \d+ s\.$/) });
    // The right token is not checked either, so a throttled guess cannot tell right from wrong.
    expect((await authCheck(running, TOKEN)).status).toBe(429);
    const upgrade = await upgradeAnswer(`${running.url}?${LISTEN_QUERY}`, { Authorization: `Token ${TOKEN}` });
    expect(upgrade.status).toBe(429);
    expect(upgrade.headers['retry-after']).toBeDefined();
    expect((await httpGet(`http://127.0.0.1:${running.port}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } })).status).toBe(429);

    // Another address is not affected.
    expect((await authCheck(running, TOKEN, { localAddress: '127.0.0.2' })).status).toBe(200);
    const metrics = await httpGet(`http://127.0.0.1:${running.port}/metrics`, { localAddress: '127.0.0.2', headers: { Authorization: `Token ${TOKEN}` } });
    expect(metrics.text).toContain('captionist_auth_failures_total 3');
    expect(metrics.text).toContain('captionist_auth_throttled_total 4');
  });

  it('are logged with the address and never the token', { timeout: 10_000 }, async () => {
    const running = await start({ authMaxFailures: 2 });
    await authCheck(running, GUESS);
    await upgradeAnswer(`${running.url}?${LISTEN_QUERY}`, { 'Sec-WebSocket-Protocol': `token, ${GUESS}` });
    await authCheck(running, GUESS);
    const lines = logText.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const refused = lines.filter((line) => line.msg === 'client token refused');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ address: '127.0.0.1', path: '/v1/auth-check', via: 'header' });
    expect(refused[1]).toMatchObject({ address: '127.0.0.1', path: '/v1/listen', via: 'subprotocol' });
    expect(lines.some((line) => line.msg === 'token attempts from this address throttled')).toBe(true);
    expect(logText).not.toContain(GUESS);
  });

  it('trust X-Forwarded-For only from TRUSTED_PROXIES', { timeout: 10_000 }, async () => {
    const running = await start({ authMaxFailures: 2, trustedProxies: ['127.0.0.1'] });
    // Through the trusted proxy, two clients are two addresses.
    await authCheck(running, GUESS, { forwardedFor: '198.51.100.7' });
    await authCheck(running, GUESS, { forwardedFor: '198.51.100.7' });
    expect((await authCheck(running, TOKEN, { forwardedFor: '198.51.100.7' })).status).toBe(429);
    expect((await authCheck(running, TOKEN, { forwardedFor: '198.51.100.8' })).status).toBe(200);
    // A client left of the trusted hop cannot pick its own address by writing the header itself.
    expect((await authCheck(running, TOKEN, { forwardedFor: '203.0.113.1, 198.51.100.7' })).status).toBe(429);

    // An untrusted peer's header is ignored: a new X-Forwarded-For each time does not escape the throttle.
    await authCheck(running, GUESS, { localAddress: '127.0.0.2', forwardedFor: '192.0.2.1' });
    await authCheck(running, GUESS, { localAddress: '127.0.0.2', forwardedFor: '192.0.2.2' });
    expect((await authCheck(running, TOKEN, { localAddress: '127.0.0.2', forwardedFor: '192.0.2.3' })).status).toBe(429);
  });
});

describe('a throttle whose store fails (as a shared one can)', () => {
  it('answers 503 with a sentence on every token path instead of hanging or crashing', { timeout: 10_000 }, async () => {
    const storeDown = async (): Promise<never> => {
      throw new Error('store unreachable');
    };
    const running = await start({}, { check: storeDown, recordFailure: storeDown });
    const check = await authCheck(running, TOKEN);
    expect(check.status).toBe(503);
    expect(JSON.parse(check.text)).toEqual({ error: 'unavailable', message: 'The proxy could not check this request just now; try again shortly.' });
    expect((await upgradeAnswer(`${running.url}?${LISTEN_QUERY}`, { Authorization: `Token ${TOKEN}` })).status).toBe(503);
    expect((await httpGet(`http://127.0.0.1:${running.port}/metrics`, { headers: { Authorization: `Token ${TOKEN}` } })).status).toBe(503);
    expect(logText).toContain('store unreachable');
  });
});

describe('weak client tokens', () => {
  it('are refused at start, saying the minimum and how to make a strong one', () => {
    for (const weak of ['test-token-0123456789', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      const result = loadConfig({ CAPTIONIST_TOKENS: weak });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toEqual([
        'Client token #1 is too easy to guess: use at least 32 random characters, e.g. the output of `openssl rand -hex 32`.',
      ]);
      expect(result.errors.join()).not.toContain(weak);
    }
    expect(loadConfig({ CAPTIONIST_TOKENS: '3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c2e' }).ok).toBe(true);
    expect(loadConfig({ CAPTIONIST_TOKENS: TOKEN }).ok).toBe(true);
  });
});
