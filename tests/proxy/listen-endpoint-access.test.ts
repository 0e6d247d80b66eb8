/**
 * Who gets a stream: tokens (subprotocol and header), origins, query parameters, paths. Every
 * refusal happens before the upgrade, as an HTTP status with a JSON body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import {
  DEEPGRAM_KEY,
  EXTENSION_ORIGIN,
  LISTEN_QUERY,
  OTHER_TOKEN,
  TOKEN,
  connectClient,
  testConfig,
  upgradeAnswer,
} from './proxy-test-kit';

let fake: FakeDeepgram;
let proxy: RunningProxy;
let listenUrl: string;

beforeAll(async () => {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, allowedOrigins: [EXTENSION_ORIGIN, 'https://meet.example.com'] }));
  listenUrl = `${proxy.url}?${LISTEN_QUERY}`;
});

afterAll(async () => {
  await proxy.close();
  await fake.close();
});

describe('client tokens', () => {
  it('accepts a good token sent as the "token" subprotocol and echoes "token" in the 101', async () => {
    const answer = await upgradeAnswer(listenUrl, { 'Sec-WebSocket-Protocol': `token, ${TOKEN}` });
    expect(answer.status).toBe(101);
    expect(answer.headers['sec-websocket-protocol']).toBe('token');
    expect(answer.headers['dg-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('opens a real WebSocket for a browser-style client with the subprotocol', async () => {
    const client = connectClient(proxy.url, { token: OTHER_TOKEN, origin: EXTENSION_ORIGIN });
    await client.opened;
    expect(client.ws.protocol).toBe('token');
    client.ws.close(1000);
    await client.closed;
  });

  it('accepts a good token in an "Authorization: Token" header', async () => {
    const client = connectClient(proxy.url, { token: TOKEN, via: 'header' });
    await client.opened;
    expect(client.ws.protocol).toBe('');
    client.ws.close(1000);
    await client.closed;
  });

  it('refuses a wrong token with 401 and a JSON body, before any upgrade', async () => {
    const attempts: Record<string, string>[] = [
      { 'Sec-WebSocket-Protocol': 'token, wrong-token-123456' },
      { Authorization: 'Token wrong-token-123456' },
    ];
    for (const headers of attempts) {
      const answer = await upgradeAnswer(listenUrl, headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('not valid') });
    }
  });

  it('refuses a missing token with 401 saying how to send one', async () => {
    const answer = await upgradeAnswer(listenUrl);
    expect(answer.status).toBe(401);
    expect(answer.body?.message).toContain('subprotocol');
  });

  it('does not take the Deepgram key as a client token', async () => {
    const answer = await upgradeAnswer(listenUrl, { Authorization: `Token ${DEEPGRAM_KEY}` });
    expect(answer.status).toBe(401);
  });

  it('refuses a token that only shares a prefix with a real one', async () => {
    const answer = await upgradeAnswer(listenUrl, { Authorization: `Token ${TOKEN}x` });
    expect(answer.status).toBe(401);
  });
});

describe('origins', () => {
  it('refuses a page from a foreign origin with 403', async () => {
    const answer = await upgradeAnswer(listenUrl, { Authorization: `Token ${TOKEN}`, Origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'forbidden_origin' });
    expect(answer.body?.message).toContain('ALLOWED_ORIGINS');
  });

  it('allows the extension origin, a configured origin, and clients with no Origin header', async () => {
    for (const origin of [EXTENSION_ORIGIN, 'https://meet.example.com', undefined]) {
      const headers: Record<string, string> = { Authorization: `Token ${TOKEN}` };
      if (origin !== undefined) headers.Origin = origin;
      expect((await upgradeAnswer(listenUrl, headers)).status).toBe(101);
    }
  });
});

describe('query parameters and paths', () => {
  it('refuses callback with 400 and a body that names the parameter', async () => {
    const answer = await upgradeAnswer(`${listenUrl}&callback=https://attacker.example/hook`, { Authorization: `Token ${TOKEN}` });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'bad_request' });
    expect(answer.body?.message).toContain('"callback" is not allowed');
  });

  it('refuses a malformed boolean with 400', async () => {
    const answer = await upgradeAnswer(`${proxy.url}?encoding=linear16&sample_rate=16000&interim_results=yes`, {
      Authorization: `Token ${TOKEN}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body?.message).toContain('interim_results');
  });

  it('passes allowlisted parameters upstream, repeated keyterms included, and authenticates with the server key', async () => {
    const before = fake.connections.length;
    const client = connectClient(proxy.url, { token: TOKEN, query: `${LISTEN_QUERY}&keyterm=Dashwood&keyterm=Norland&diarize=true` });
    await client.opened;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const upstream = fake.connections[before];
    expect(upstream?.query.getAll('keyterm')).toEqual(['Dashwood', 'Norland']);
    expect(upstream?.query.get('diarize')).toBe('true');
    expect(upstream?.query.get('sample_rate')).toBe('16000');
    expect(upstream?.auth).toBe('header');
    client.ws.close(1000);
    await client.closed;
  });

  it('answers other paths with 404 JSON, and /healthz with 200 JSON', async () => {
    expect((await upgradeAnswer(proxy.url.replace('/v1/listen', '/v2/listen'), { Authorization: `Token ${TOKEN}` })).status).toBe(404);
    const health = await fetch(proxy.url.replace('ws://', 'http://').replace('/v1/listen', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: 'deepgram' });
    const missing = await fetch(proxy.url.replace('ws://', 'http://').replace('/v1/listen', '/nope'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('explaining a refusal to a browser (which cannot read a refused handshake)', () => {
  const httpListen = () => listenUrl.replace('ws://', 'http://');

  it('answers a GET with the refusal the upgrade would get, readable by the extension through CORS', async () => {
    const refused = await fetch(httpListen(), { headers: { Authorization: 'Token wrong-token-123456', Origin: EXTENSION_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized' });

    const badParam = await fetch(`${httpListen()}&callback=x`, { headers: { Authorization: `Token ${TOKEN}`, Origin: EXTENSION_ORIGIN } });
    expect(badParam.status).toBe(400);

    const fine = await fetch(httpListen(), { headers: { Authorization: `Token ${TOKEN}`, Origin: EXTENSION_ORIGIN } });
    expect(fine.status).toBe(426);
    expect(await fine.json()).toMatchObject({ error: 'upgrade_required' });
  });

  it('answers /v1/auth-check with 200 {ok, engine} when a stream would be accepted, and the refusal otherwise', async () => {
    const checkUrl = httpListen().replace('/v1/listen', '/v1/auth-check');
    const ok = await fetch(checkUrl, { headers: { Authorization: `Token ${TOKEN}`, Origin: EXTENSION_ORIGIN } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, engine: 'deepgram', modes: ['relay', 'direct'] });
    expect(ok.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    const bad = await fetch(checkUrl, { headers: { Authorization: 'Token wrong-token-123456', Origin: EXTENSION_ORIGIN } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized' });
    const badLanguage = await fetch(checkUrl.replace('model=nova-3', 'model=nova-3&callback=x'), { headers: { Authorization: `Token ${TOKEN}` } });
    expect(badLanguage.status).toBe(400);
  });

  it('allows the Authorization header in a preflight, and lets a foreign page read only its refusal', async () => {
    const preflight = await fetch(httpListen(), {
      method: 'OPTIONS',
      headers: { Origin: EXTENSION_ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization');
    expect(preflight.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);

    const foreign = await fetch(httpListen(), { headers: { Authorization: `Token ${TOKEN}`, Origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: 'forbidden_origin' });
  });
});

describe('open mode on loopback', () => {
  it('accepts no token and any token when no tokens are configured on 127.0.0.1', async () => {
    const open = await startProxy(testConfig({ tokens: [], deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }));
    try {
      const url = `${open.url}?${LISTEN_QUERY}`;
      expect((await upgradeAnswer(url)).status).toBe(101);
      const withToken = await upgradeAnswer(url, { 'Sec-WebSocket-Protocol': 'token, anything-at-all' });
      expect(withToken.status).toBe(101);
      expect(withToken.headers['sec-websocket-protocol']).toBe('token');
    } finally {
      await open.close();
    }
  });
});
