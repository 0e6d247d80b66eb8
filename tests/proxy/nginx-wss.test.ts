/**
 * Debian's nginx, running proxy/deploy/nginx-site.conf with a self-signed certificate, in front of
 * the proxy: a client streams over wss:// end to end. Skipped (and says so) where nginx is absent.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EDGE } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, EXTENSION_ORIGIN, LISTEN_QUERY, TOKEN, silencePcm, testConfig, waitFor } from './proxy-test-kit';

const NGINX = '/usr/sbin/nginx';
const haveNginx = existsSync(NGINX);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let folder = '';
let nginx: ChildProcess | undefined;
let fake: FakeDeepgram;
let proxy: RunningProxy;
let httpsPort = 0;
let certificate: Buffer;

beforeAll(async () => {
  if (!haveNginx) return;
  folder = mkdtempSync(join(tmpdir(), 'captionist-nginx-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
  ], { stdio: 'ignore' });
  certificate = readFileSync(join(folder, 'cert.pem'));

  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100 });
  // As the site file's header says: nginx is a trusted proxy, so its X-Forwarded-For is believed.
  proxy = await startProxy(
    testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, edge: { ...DEFAULT_EDGE, trustedProxies: ['127.0.0.1'] } }),
  );
  httpsPort = await freePort();

  // The shipped site file, with only ports and paths changed.
  const site = readFileSync('proxy/deploy/nginx-site.conf', 'utf8')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
    .replace('listen [::]:443 ssl;', '')
    .replaceAll('127.0.0.1:8787', `127.0.0.1:${proxy.port}`)
    .replace('/etc/ssl/certs/captions.example.com.pem', join(folder, 'cert.pem'))
    .replace('/etc/ssl/private/captions.example.com.key', join(folder, 'key.pem'));
  expect(site).toContain(`proxy_pass http://127.0.0.1:${proxy.port};`);
  writeFileSync(join(folder, 'site.conf'), site);
  writeFileSync(
    join(folder, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${join(folder, 'nginx.pid')};`,
      `error_log ${join(folder, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log ${join(folder, 'access.log')};`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(folder, kind)};`),
      `  include ${join(folder, 'site.conf')};`,
      '}',
    ].join('\n'),
  );
  nginx = spawn(NGINX, ['-p', folder, '-c', join(folder, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await waitFor(() => existsSync(join(folder, 'nginx.pid')), 5000, 'nginx to start');
});

afterAll(async () => {
  if (!haveNginx) return;
  if (nginx?.exitCode === null) {
    const exited = new Promise((resolve) => nginx?.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await proxy.close();
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(!haveNginx)('nginx with TLS in front of the proxy', () => {
  it('streams over wss:// end to end: token subprotocol, Results, CloseStream, Metadata, 1000', { timeout: 15_000 }, async () => {
    const ws = new WebSocket(`wss://localhost:${httpsPort}/v1/listen?${LISTEN_QUERY}`, ['token', TOKEN], {
      ca: certificate,
      headers: { Origin: EXTENSION_ORIGIN },
    });
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('token');
    const audio = silencePcm(0.8);
    for (let offset = 0; offset < audio.length; offset += 3200) ws.send(audio.subarray(offset, offset + 3200));
    await waitFor(() => messages.some((message) => message.is_final === true), 5000, 'a final result through nginx');
    ws.send('{"type":"CloseStream"}');
    expect((await closed).code).toBe(1000);
    expect(messages.at(-1)).toMatchObject({ type: 'Metadata', duration: 0.8 });
    // Every audio byte went through TLS, nginx and the proxy to the upstream.
    expect(fake.connections.at(-1)?.audioBytes).toBe(audio.length);
  });

  it('passes refusals through as JSON (401), serves /v1/auth-check and /healthz, and keeps /metrics inside', { timeout: 10_000 }, async () => {
    const ws = new WebSocket(`wss://localhost:${httpsPort}/v1/listen?${LISTEN_QUERY}`, ['token', 'not-the-right-token'], { ca: certificate });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    ws.on('error', () => {});
    expect(status).toBe(401);

    const fetchTls = async (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        void import('node:https').then(({ get }) => {
          get({ host: 'localhost', port: httpsPort, path, ca: certificate }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          }).on('error', reject);
        });
      });
    const check = await fetchTls(`/v1/auth-check?${LISTEN_QUERY}`);
    expect(check.status).toBe(401); // no token sent: the proxy's own answer, through nginx
    expect(JSON.parse(check.body)).toMatchObject({ error: 'unauthorized' });
    const health = await fetchTls('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const metrics = await fetchTls('/metrics');
    expect(metrics.status).toBe(404);
    expect(metrics.body).not.toContain('captionist_');
  });

  it('answers a burst of token requests from one address past its limit_req with 429 JSON, before the proxy', { timeout: 10_000 }, async () => {
    const { get } = await import('node:https');
    const once = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        get({ host: 'localhost', port: httpsPort, path: `/v1/auth-check?${LISTEN_QUERY}`, ca: certificate, agent: false }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    const answers = await Promise.all(Array.from({ length: 20 }, once));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(JSON.parse(limited[0]?.body ?? '{}')).toMatchObject({ error: 'too_many_requests' });
    // The rest reached the proxy, which answered them itself (no token: 401).
    expect(answers.filter((answer) => answer.status === 401).length).toBeGreaterThan(0);
  });
});
