/**
 * `tsx proxy/main.ts` as other tooling runs it: PORT=0, one ready line on stdout, SIGTERM stops it
 * cleanly (clients closed with 1001, exit 0).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDeepgram, type FakeDeepgram } from '@/tests/fixtures/fake-deepgram';
import { DEEPGRAM_KEY, TOKEN, connectClient, engineProcesses, silencePcm, streamPcm, waitFor } from './proxy-test-kit';

const READY = /^Captionist proxy listening on (ws:\/\/\S+) \(engine: ([^)]*)\)(.*)$/;

let child: ChildProcessWithoutNullStreams | undefined;
let fake: FakeDeepgram | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
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
    fake = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY, msPerWord: 100 });
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
    await waitFor(() => engineProcesses(requestId).length >= 2, 3000, 'the engine processes');
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
});
