/**
 * "Test connection" against real local servers, through a fetch and a WebSocket that see only
 * what a browser extension page sees.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proxyHttpEndpoints, quickCheck, testConnection, type ConnectionTestDeps, type ConnectionTestResult } from '@/lib/connection-test';
import WebSocket from 'ws';
import { DEFAULT_EDGE, DEFAULT_LIMITS, DEFAULT_SHARED } from '@/proxy/config';
import { startProxy } from '@/proxy/server';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { OTHER_TOKEN, silencePcm, testConfig, TOKEN as REAL_PROXY_TOKEN } from '../proxy/proxy-test-kit';
import {
  browserFetch,
  browserPost,
  browserWebSocket,
  closedPort,
  EXTENSION_ORIGIN,
  GOOD_TOKEN,
  resolvingFetch,
  startContractProxy,
  startEchoWebSocketServer,
  startPlainHttpServer,
  startSilentServer,
  startUntrustedTlsServer,
  type RunningServer,
} from './connection-test-kit';
import { installEnglishMessages } from './settings-english-messages';

beforeAll(installEnglishMessages);

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

function keep<T extends { close(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}

const deps: ConnectionTestDeps = {
  fetch: browserFetch(),
  createWebSocket: browserWebSocket(),
  post: browserPost(),
  timeouts: { httpMs: 2000, openMs: 2000, answerMs: 6000 },
};

function settingsFor(proxyUrl: string, token = GOOD_TOKEN, extra: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, proxyUrl, token, ...extra };
}

const local = (server: RunningServer, scheme = 'ws') => `${scheme}://127.0.0.1:${server.port}/v1/listen`;

function expectFailure(result: ConnectionTestResult, kind: string, message: RegExp): void {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: false, kind });
  if (!result.ok) {
    expect(result.message).toMatch(message);
    expect(result.advice.length).toBeGreaterThan(10);
  }
}

describe('proxyHttpEndpoints', () => {
  it('derives http(s) endpoints beside /v1/listen, keeping a path prefix and the port', () => {
    expect(proxyHttpEndpoints(new URL('wss://captions.example.com/v1/listen'))).toEqual({
      authCheck: 'https://captions.example.com/v1/auth-check',
      health: 'https://captions.example.com/healthz',
      plainProbe: 'http://captions.example.com:443/',
    });
    expect(proxyHttpEndpoints(new URL('wss://example.com:8443/captions/v1/listen/?tag=x'))).toMatchObject({
      authCheck: 'https://example.com:8443/captions/v1/auth-check',
      health: 'https://example.com:8443/captions/healthz',
      plainProbe: 'http://example.com:8443/',
    });
    expect(proxyHttpEndpoints(new URL('ws://localhost:8787/v1/listen'))).toEqual({
      authCheck: 'http://localhost:8787/v1/auth-check',
      health: 'http://localhost:8787/healthz',
      plainProbe: null,
    });
  });
});

describe('testConnection with a proxy that offers /v1/auth-check', () => {
  it('succeeds and names the engine when the token works and /v1/listen speaks the protocol', async () => {
    const proxy = keep(await startContractProxy({ engine: 'deepgram' }));
    const result = await testConnection(settingsFor(local(proxy)), deps);
    expect(result).toMatchObject({ ok: true, kind: 'ok', engine: 'deepgram' });
    expect(result.message).toBe(`Connected to 127.0.0.1:${proxy.port}: the token works and the proxy uses Deepgram.`);
    // The preflight, the check, and one real stream opened and closed.
    expect(proxy.requests).toEqual(['OPTIONS /v1/auth-check', 'GET /v1/auth-check', 'UPGRADE /v1/listen']);
  });

  it('says when the proxy runs the local engine', async () => {
    const proxy = keep(await startContractProxy({ engine: 'local' }));
    const result = await testConnection(settingsFor(local(proxy)), deps);
    expect(result).toMatchObject({ ok: true, engine: 'local', message: expect.stringMatching(/local offline engine/) });
  });

  it('reports a refused token as 401, without opening a stream', async () => {
    const proxy = keep(await startContractProxy());
    const result = await testConnection(settingsFor(local(proxy), 'wrong-token-000'), deps);
    expectFailure(result, 'unauthorized', /^127\.0\.0\.1:\d+ refused the token\.$/);
    expect(result).toMatchObject({ status: 401 });
    expect(proxy.requests.some((line) => line.startsWith('UPGRADE'))).toBe(false);
  });

  it('reports an empty token the proxy needs as a missing token, in one plain sentence', async () => {
    const proxy = keep(await startContractProxy());
    const result = await testConnection(settingsFor(local(proxy), ''), deps);
    expectFailure(result, 'no-token', /^127\.0\.0\.1:\d+ needs a token, and none is set\.$/);
    if (!result.ok) expect(`${result.message} ${result.advice}`).not.toMatch(/subprotocol|header/i);
  });

  it('reports a URL without the /v1/listen path as the wrong path, and suggests the listen URL', async () => {
    const proxy = keep(await startContractProxy());
    const result = await testConnection(settingsFor(`ws://127.0.0.1:${proxy.port}?tag=x`), deps);
    expectFailure(result, 'wrong-path', /has no listen WebSocket at the path \/\./);
    if (!result.ok) expect(result.advice).toBe(`Use ws://127.0.0.1:${proxy.port}/v1/listen?tag=x: the proxy's listen URL ends in /v1/listen.`);
    expect(proxy.requests).toContain('UPGRADE /');
  });

  it('reports an origin the proxy does not allow as 403, with the proxy\'s reason', async () => {
    const proxy = keep(await startContractProxy({ allowedOrigins: ['chrome-extension://someoneelse'] }));
    const result = await testConnection(settingsFor(local(proxy)), deps);
    expectFailure(result, 'forbidden', new RegExp(`does not allow this browser extension\\. Pages from ${EXTENSION_ORIGIN}`));
    expect(result).toMatchObject({ status: 403 });
  });

  it('reports a token with all its streams open as 429', async () => {
    const proxy = keep(await startContractProxy({ streamsFull: true }));
    expectFailure(await testConnection(settingsFor(local(proxy)), deps), 'rate-limited', /as many streams open.*8 streams open/);
  });

  it('reports recognition settings the proxy refuses as 400, with its reason', async () => {
    const proxy = keep(await startContractProxy());
    const result = await testConnection(settingsFor(local(proxy), GOOD_TOKEN, { language: 'xx' }), deps);
    expectFailure(result, 'bad-request', /refused the recognition settings\. language "xx" is not supported\./);
  });

  it('reports a proxy that is shutting down as unavailable (503)', async () => {
    const proxy = keep(await startContractProxy({ shuttingDown: true }));
    expectFailure(await testConnection(settingsFor(local(proxy)), deps), 'unavailable', /not able to take streams now \(HTTP 503\)/);
  });

  it('reports a WebSocket that does not get through (reverse proxy without upgrades) as upgrade-failed', async () => {
    const proxy = keep(await startContractProxy({ upgrades: 'refuse' }));
    expectFailure(await testConnection(settingsFor(local(proxy)), deps), 'upgrade-failed', /could not be opened/);
  });

  it('reports a stream the server closes at once with the server\'s close reason', async () => {
    const proxy = keep(await startContractProxy({ closeOnOpen: { code: 1008, reason: 'model "nova-9" does not exist' } }));
    expectFailure(await testConnection(settingsFor(local(proxy)), deps), 'refused', /1008: model "nova-9" does not exist/);
  });

  it('waits past a greeting of an unknown type for the protocol\'s answer', async () => {
    const proxy = keep(await startContractProxy({ greeting: JSON.stringify({ type: 'Welcome', version: 2 }) }));
    expect(await testConnection(settingsFor(local(proxy)), deps)).toMatchObject({ ok: true });
  });

  it('works without a token against a proxy that needs none', async () => {
    const proxy = keep(await startContractProxy({ tokens: [] }));
    expect(await testConnection(settingsFor(local(proxy), ''), deps)).toMatchObject({ ok: true });
  });
});

describe('testConnection with servers that are not a listen proxy', () => {
  it('reports an HTTP server without WebSockets as the wrong kind of server', async () => {
    const server = keep(await startPlainHttpServer());
    expectFailure(await testConnection(settingsFor(local(server)), deps), 'wrong-protocol', /not as a \/v1\/listen WebSocket server/);
  });

  it('does the same when the HTTP server allows any origin (its 404 is readable)', async () => {
    const server = keep(await startPlainHttpServer(true));
    expectFailure(await testConnection(settingsFor(local(server)), deps), 'wrong-protocol', /not as a \/v1\/listen WebSocket server/);
  });

  it('reports a WebSocket server that does not answer in the listen protocol (an echo server)', async () => {
    const server = keep(await startEchoWebSocketServer());
    expectFailure(await testConnection(settingsFor(local(server)), deps), 'wrong-protocol', /did not answer in the \/v1\/listen protocol/);
  });
});

describe('testConnection when the network fails', () => {
  it('reports a refused connection as unreachable', async () => {
    const port = await closedPort();
    expectFailure(await testConnection(settingsFor(`ws://127.0.0.1:${port}/v1/listen`), deps), 'unreachable', /Nothing answers at 127\.0\.0\.1:\d+/);
  });

  it('names the default port it tried when the URL has none, and how to add one', async () => {
    // Nothing listens on port 80 here (tests do not run as root).
    const result = await testConnection(settingsFor('ws://127.0.0.1/v1/listen'), deps);
    expectFailure(result, 'unreachable', /^Nothing answers at 127\.0\.0\.1 on port 80: the URL names no port, so ws:\/\/ URLs use 80\.$/);
    if (!result.ok) expect(result.advice).toMatch(/^Add the port .* like ws:\/\/127\.0\.0\.1:8787\/v1\/listen /);
  });

  it('reports a name that does not resolve as unreachable', async () => {
    const result = await testConnection(settingsFor('wss://captions.invalid/v1/listen'), deps);
    expectFailure(result, 'unreachable', /Could not connect to captions\.invalid/);
  });

  it('reports an untrusted certificate as a TLS failure', async () => {
    const server = keep(await startUntrustedTlsServer());
    const result = await testConnection(settingsFor(local(server, 'wss')), deps);
    expectFailure(result, 'tls', /a secure \(TLS\) connection could not be made/);
  });

  it('reports a wss:// URL on a port that speaks plain HTTP as a TLS failure', async () => {
    const proxy = keep(await startContractProxy());
    expectFailure(await testConnection(settingsFor(local(proxy, 'wss')), deps), 'tls', /does not speak TLS on this port/);
  });

  it('reports a server that accepts the connection and never answers as a timeout', async () => {
    const server = keep(await startSilentServer());
    const started = Date.now();
    const result = await testConnection(settingsFor(local(server)), { ...deps, timeouts: { httpMs: 500, openMs: 500, answerMs: 500 } });
    expectFailure(result, 'timeout', /did not answer within 0\.5 s/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses to test settings that cannot work, before touching the network', async () => {
    expectFailure(await testConnection(settingsFor('http://example.com'), deps), 'invalid-settings', /must start with wss:\/\//);
    expectFailure(await testConnection(settingsFor('ws://localhost:1/v1/listen', 'two words'), deps), 'invalid-settings', /spaces/);
    const spaced = await testConnection(settingsFor('ws://127.0.0.1 :8797/v1/listen'), deps);
    expectFailure(spaced, 'invalid-settings', /"127\.0\.0\.1 :8797" has a space in it/);
    expect(JSON.stringify(spaced)).not.toMatch(/%20/);
  });
});

describe('quickCheck (the popup asks before Start)', () => {
  it('learns the engine over HTTP alone, without opening a stream', async () => {
    const proxy = keep(await startContractProxy({ engine: 'local' }));
    expect(await quickCheck(settingsFor(local(proxy)), browserFetch())).toMatchObject({ ok: true, engine: 'local' });
    expect(proxy.requests.some((line) => line.startsWith('UPGRADE'))).toBe(false);
  });

  it('reports a refused token', async () => {
    const proxy = keep(await startContractProxy());
    expect(await quickCheck(settingsFor(local(proxy), 'wrong-token-000'), browserFetch())).toMatchObject({ ok: false, kind: 'unauthorized' });
  });

  it('says nothing when the answer is not certain (no auth-check, nobody there, bad settings)', async () => {
    const web = keep(await startPlainHttpServer(true));
    expect(await quickCheck(settingsFor(local(web)), browserFetch())).toBeNull();
    expect(await quickCheck(settingsFor(`ws://127.0.0.1:${await closedPort()}/v1/listen`), browserFetch())).toBeNull();
    expect(await quickCheck(settingsFor('http://nope'), browserFetch())).toBeNull();
  });
});

describe('testConnection against the real proxy (proxy/server.ts, local engine)', () => {
  it('succeeds with a good token and names the local engine; a bad token is a 401', async () => {
    const proxy = keep(await startProxy(testConfig()));
    const good = await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), deps);
    expect(good, JSON.stringify(good)).toMatchObject({ ok: true, engine: 'local' });
    const bad = await testConnection(settingsFor(proxy.url, 'not-the-token-123'), deps);
    expect(bad).toMatchObject({ ok: false, kind: 'unauthorized', status: 401 });
  }, 30_000);

  it('reports a name the proxy does not answer to (421) as such, readable by the extension, naming ALLOWED_HOSTS', async () => {
    const proxy = keep(await startProxy(testConfig()));
    const name = 'captions.example.com';
    const result = await testConnection(settingsFor(`wss://${name}:${proxy.port}/v1/listen`, REAL_PROXY_TOKEN), {
      ...deps,
      fetch: browserFetch(EXTENSION_ORIGIN, resolvingFetch(name)),
    });
    expectFailure(result, 'unknown-host', /does not answer to this name\..*captions\.example\.com/);
    expect(result).toMatchObject({ status: 421 });
    if (!result.ok) expect(result.advice).toContain('ALLOWED_HOSTS');
  }, 30_000);

  it('tells wrong tokens tried too often (429 too_many_attempts) apart from a token with all its streams open', async () => {
    const proxy = keep(await startProxy(testConfig({ edge: { ...DEFAULT_EDGE, authMaxFailures: 2 } })));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(await testConnection(settingsFor(proxy.url, 'not-the-token-0123456789abcdef0123'), deps)).toMatchObject({ kind: 'unauthorized' });
    }
    const throttled = await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), deps);
    expectFailure(throttled, 'throttled', /turning away requests from this computer/);
    expect(throttled).toMatchObject({ status: 429 });
    if (!throttled.ok) expect(throttled.advice).toMatch(/token/);
  }, 30_000);

  it('reports an extension origin the proxy does not allow as 403', async () => {
    const proxy = keep(await startProxy(testConfig()));
    const stranger = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const result = await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), {
      ...deps,
      fetch: browserFetch(stranger),
      createWebSocket: browserWebSocket(stranger),
    });
    expectFailure(result, 'forbidden', /ALLOWED_ORIGINS/);
  }, 30_000);

  it('reports a token that has all its streams open as 429', async () => {
    const proxy = keep(await startProxy(testConfig({ limits: { ...DEFAULT_LIMITS, maxStreamsPerToken: 1 } })));
    const busy = new WebSocket(`${proxy.url}?encoding=linear16&sample_rate=16000`, ['token', REAL_PROXY_TOKEN]);
    keep({ close: async () => busy.terminate() });
    await new Promise((resolve, reject) => {
      busy.once('open', resolve);
      busy.once('error', reject);
    });
    expectFailure(await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), deps), 'rate-limited', /already has 1 streams open/);
  }, 30_000);

  it('reports a used-up daily audio quota as its own 429, with when it resets', async () => {
    const proxy = keep(await startProxy(testConfig({ shared: { ...DEFAULT_SHARED, dailyAudioSecondsPerToken: 1 } })));
    const spent = new WebSocket(`${proxy.url}?encoding=linear16&sample_rate=16000`, ['token', REAL_PROXY_TOKEN]);
    keep({ close: async () => spent.terminate() });
    await new Promise((resolve, reject) => {
      spent.once('open', resolve);
      spent.once('error', reject);
    });
    spent.send(silencePcm(1.2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    spent.close(1000);
    await new Promise((resolve) => spent.once('close', resolve));
    const result = await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), deps);
    expectFailure(result, 'daily-quota', /resets in \d+ h \d+ min/);
    if (!result.ok) expect(result.advice).toMatch(/midnight UTC/);
  }, 30_000);

  it("reports the team's full upstream cap as its own 429", async () => {
    const proxy = keep(await startProxy(testConfig({ shared: { ...DEFAULT_SHARED, upstreamMaxStreams: 1 } })));
    const other = new WebSocket(`${proxy.url}?encoding=linear16&sample_rate=16000`, ['token', OTHER_TOKEN]);
    keep({ close: async () => other.terminate() });
    await new Promise((resolve, reject) => {
      other.once('open', resolve);
      other.once('error', reject);
    });
    const result = await testConnection(settingsFor(proxy.url, REAL_PROXY_TOKEN), deps);
    expectFailure(result, 'upstream-full', /UPSTREAM_MAX_STREAMS/);
    if (!result.ok) expect(result.status).toBe(429);
  }, 30_000);
});
