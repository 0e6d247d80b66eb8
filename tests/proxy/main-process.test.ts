/**
 * `tsx proxy/main.ts` as other tooling runs it: PORT=0, one ready line on stdout, SIGTERM stops it
 * cleanly (clients closed with 1001, exit 0).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, engineProcesses, silencePcm, streamPcm, waitFor } from './proxy-test-kit';

const READY = /^Captionist proxy listening on (ws:\/\/\S+) \(engine: ([^)]*)\)(.*)$/;

let child: ChildProcessWithoutNullStreams | undefined;
let fake: FakeDeepgram | undefined;
afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  child = undefined;
  fake = undefined;
});

function runMain(env: Record<string, string>): { process: ChildProcessWithoutNullStreams; ready: Promise<string>; stdout: () => string; exit: Promise<number | null> } {
  // `node --import tsx` (not the tsx CLI, which forks) so a signal reaches the proxy itself.
  const started = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
  });
  child = started;
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    started.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    started.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
  ready.catch(() => {});
  const exit = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
  return { process: started, ready, stdout: () => out, exit };
}

describe('proxy main process', () => {
  it('prints one ready line naming the engine, and stops on SIGTERM closing streams with 1001', { timeout: 20_000 }, async () => {
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100 });
    const run = runMain({ PORT: '0', DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: fake.url, CAPTIONIST_TOKENS: TOKEN });
    const line = await run.ready;
    const match = READY.exec(line);
    expect(match?.[2]).toBe(`Deepgram at ${fake.url}`);
    expect(match?.[3]).toBe('');
    const url = match?.[1] ?? '';
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/listen$/);

    const client = connectClient(url, { token: TOKEN });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.3), { speed: 4 });
    run.process.kill('SIGTERM');
    expect((await client.closed).code).toBe(1001);
    expect(await run.exit).toBe(0);
    expect(fake.connections[0]?.controls).toEqual(['CloseStream']);
    expect(run.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('says when it runs the local engine and accepts any token on loopback', { timeout: 20_000 }, async () => {
    const run = runMain({ PORT: '0' });
    const match = READY.exec(await run.ready);
    expect(match?.[2]).toBe('local pocketsphinx — offline, less accurate');
    expect(match?.[3]).toContain('any or no token is accepted');
    run.process.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('leaves no pocketsphinx process behind even when the proxy itself is killed', { timeout: 20_000 }, async () => {
    const run = runMain({ PORT: '0' });
    const url = READY.exec(await run.ready)?.[1] ?? '';
    const client = connectClient(url, { token: TOKEN });
    await client.opened;
    const requestId = String(client.upgradeHeaders['dg-request-id']);
    await streamPcm(client.ws, silencePcm(0.5), { speed: 4 });
    await waitFor(() => engineProcesses(requestId).length >= 1, 3000, 'the engine process');
    run.process.kill('SIGKILL');
    await run.exit;
    await waitFor(() => engineProcesses(requestId).length === 0, 3000, 'the engine processes to end with the proxy');
  });

  it('refuses to start on 0.0.0.0 without tokens, saying why, with exit code 1', { timeout: 20_000 }, async () => {
    const run = runMain({ PORT: '0', HOST: '0.0.0.0' });
    let stderr = '';
    run.process.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await run.exit).toBe(1);
    expect(stderr).toContain('Refusing to listen on 0.0.0.0 without client tokens');
    expect(run.stdout()).toBe('');
  });

  it('refuses to start with a Deepgram key an HTTP header cannot carry, naming the character, never the key', { timeout: 20_000 }, async () => {
    // A typographic apostrophe pasted from a document: before, the first stream crashed the process.
    const run = runMain({ PORT: '0', DEEPGRAM_API_KEY: 'secret0123\u2019456789', CAPTIONIST_TOKENS: TOKEN });
    let stderr = '';
    run.process.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await run.exit).toBe(1);
    expect(stderr).toContain('DEEPGRAM_API_KEY has a character that cannot be sent in an HTTP header at position 11 of 17: "\u2019" (U+2019)');
    expect(stderr).not.toContain('secret0123');
    expect(run.stdout()).toBe('');
  });

  it('refuses a weak client token at start, saying the minimum and how to make one, with exit code 1', { timeout: 20_000 }, async () => {
    const run = runMain({ PORT: '0', CAPTIONIST_TOKENS: 'team-token-1' });
    let stderr = '';
    run.process.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await run.exit).toBe(1);
    expect(stderr).toContain('Client token #1 is too easy to guess: use at least 32 random characters, e.g. the output of `openssl rand -hex 32`.');
    expect(stderr).not.toContain('team-token-1');
  });

  it('reads the edge settings from the environment: request timeout, per-address cap, METRICS_PORT', { timeout: 20_000 }, async () => {
    const metricsPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    const run = runMain({
      PORT: '0',
      DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      DEEPGRAM_URL: fake.url,
      CAPTIONIST_TOKENS: TOKEN,
      REQUEST_TIMEOUT_SECONDS: '1',
      MAX_CONNECTIONS_PER_ADDRESS: '2',
      METRICS_PORT: String(metricsPort),
    });
    const port = Number(/:(\d+)\/v1\/listen/.exec(await run.ready)?.[1]);
    const sockets = [0, 1, 2].map(() => connect({ host: '127.0.0.1', port }));
    const answers = sockets.map(
      (socket) =>
        new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
          const opened = Date.now();
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          socket.on('error', () => {});
          socket.once('close', () => resolve({ text, closedAfterMs: Date.now() - opened }));
        }),
    );
    const settled = await Promise.all(answers);
    // Two held until the 1 s request timeout (408), the third refused at once (429).
    expect(settled.map(({ text }) => text.slice(0, 12)).sort()).toEqual(['HTTP/1.1 408', 'HTTP/1.1 408', 'HTTP/1.1 429']);
    expect(Math.max(...settled.map(({ closedAfterMs }) => closedAfterMs))).toBeLessThan(3000);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('captionist_connections_refused_total{reason="too_many_connections"} 1');
  });
});
