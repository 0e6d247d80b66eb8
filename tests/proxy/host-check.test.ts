/**
 * DNS rebinding: a page whose name now points at this computer sends `Host: evil.example`. Every
 * path and the upgrade refuse it with 421; metrics are served only as proxy/README.md says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EDGE, loadConfig } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, TOKEN, httpGet, testConfig, upgradeAnswer } from './proxy-test-kit';

let fake: FakeDeepgram;
let proxy: RunningProxy;
const base = () => `http://127.0.0.1:${proxy.port}`;
const auth = { Authorization: `Token ${TOKEN}` };

beforeAll(async () => {
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
  proxy = await startProxy(
    testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, edge: { ...DEFAULT_EDGE, allowedHosts: ['captions.example.com'], metricsPort: 0 } }),
  );
});

afterAll(async () => {
  await proxy.close();
  await fake.close();
});

describe('the Host allowlist', () => {
  it.each(['/healthz', '/metrics', `/v1/auth-check?${LISTEN_QUERY}`, `/v1/listen?${LISTEN_QUERY}`, '/nothing-here'])(
    'refuses Host: evil.example on %s with 421 JSON',
    async (path) => {
      const answer = await httpGet(`${base()}${path}`, { headers: { ...auth, Host: 'evil.example:8787' } });
      expect(answer.status).toBe(421);
      expect(JSON.parse(answer.text)).toEqual({
        error: 'unknown_host',
        message: `This proxy does not answer requests for the host name "evil.example"; if it is the proxy's public name, add it to ALLOWED_HOSTS.`,
      });
    },
  );

  it('refuses the WebSocket upgrade for Host: evil.example', async () => {
    const answer = await upgradeAnswer(`${proxy.url}?${LISTEN_QUERY}`, { ...auth, Host: 'evil.example' });
    expect(answer.status).toBe(421);
    expect(answer.body).toMatchObject({ error: 'unknown_host' });
  });

  it('answers localhost, IP literals and the names in ALLOWED_HOSTS', async () => {
    for (const host of ['localhost:8787', '127.0.0.1', '[::1]:8787', 'CAPTIONS.example.com', 'captions.example.com.']) {
      expect((await httpGet(`${base()}/healthz`, { headers: { Host: host } })).status, host).toBe(200);
    }
    expect((await upgradeAnswer(`${proxy.url}?${LISTEN_QUERY}`, { ...auth, Host: 'captions.example.com' })).status).toBe(101);
  });

  it('reads ALLOWED_HOSTS and TRUSTED_PROXIES from the environment, one sentence per bad entry', () => {
    const good = loadConfig({ ALLOWED_HOSTS: 'Captions.Example.com, relay.example.org', TRUSTED_PROXIES: '127.0.0.1, ::1' });
    expect(good.ok && good.config.edge).toMatchObject({ allowedHosts: ['captions.example.com', 'relay.example.org'], trustedProxies: ['127.0.0.1', '::1'] });
    const bad = loadConfig({ ALLOWED_HOSTS: 'https://captions.example.com', TRUSTED_PROXIES: 'nginx' });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'ALLOWED_HOSTS: "https://captions.example.com" is not a host name; write it like captions.example.com (no scheme, no port).',
      'TRUSTED_PROXIES: "nginx" is not an IP address; list the addresses of your reverse proxies, e.g. 127.0.0.1.',
    ]);
  });
});

describe('metrics', () => {
  it('need a token on the listen port, and none on METRICS_PORT, which listens on 127.0.0.1 only', async () => {
    expect((await httpGet(`${base()}/metrics`)).status).toBe(401);
    expect((await httpGet(`${base()}/metrics`, { headers: auth })).status).toBe(200);
    expect(proxy.metricsPort).toBeGreaterThan(0);
    const scraped = await httpGet(`http://127.0.0.1:${proxy.metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('captionist_streams_active');
    expect((await httpGet(`http://127.0.0.1:${proxy.metricsPort}/metrics`, { headers: { Host: 'evil.example' } })).status).toBe(421);
    expect((await httpGet(`http://127.0.0.1:${proxy.metricsPort}/healthz`)).status).toBe(404);
  });

  it('METRICS_PORT is off by default and read as a port', () => {
    const byDefault = loadConfig({});
    expect(byDefault.ok && byDefault.config.edge.metricsPort).toBeUndefined();
    const set = loadConfig({ METRICS_PORT: '9464' });
    expect(set.ok && set.config.edge.metricsPort).toBe(9464);
    const bad = loadConfig({ METRICS_PORT: 'metrics' });
    expect(bad.ok ? [] : bad.errors).toEqual(['METRICS_PORT must be a port number from 1 to 65535 (got "metrics").']);
  });
});
