/**
 * proxy/Dockerfile, followed step by step without Docker (these machines have no Docker daemon
 * and no registry for base images): an app directory holding only what the Dockerfile COPYs,
 * dependencies from the same lock, its ENV, its CMD and its HEALTHCHECK. This catches a proxy
 * that imports something the image does not contain, an ENV that makes it refuse to start, and a
 * health check that cannot pass. The base image and apt layer are not exercised here.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN, connectClient, librivoxPcm, resultsOf, silencePcm, streamPcm, transcriptOf, upgradeAnswer } from './proxy-test-kit';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Recipe {
  copies: { sources: string[]; dest: string }[];
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string;
}

/** The instructions this test follows, read from the Dockerfile (continuation lines joined). */
function readRecipe(dockerfile: string): Recipe {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const recipe: Recipe = { copies: [], env: {}, cmd: [], healthcheck: '' };
  for (const line of instructions) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = line.slice(keyword.length).trim();
    if (keyword === 'COPY') recipe.copies.push({ sources: rest.slice(0, -1), dest: rest.at(-1) ?? '' });
    else if (keyword === 'ENV') for (const pair of rest) recipe.env[pair.split('=')[0] ?? ''] = pair.slice(pair.indexOf('=') + 1);
    else if (keyword === 'CMD') recipe.cmd = JSON.parse(args) as string[];
    else if (keyword === 'HEALTHCHECK') recipe.healthcheck = args.slice(args.indexOf('CMD ') + 4);
  }
  return recipe;
}

const recipe = readRecipe(readFileSync(path.join(ROOT, 'proxy/Dockerfile'), 'utf8'));

let appDir: string | undefined;
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  if (appDir) rmSync(appDir, { recursive: true, force: true });
  appDir = undefined;
});

/** WORKDIR /app as the image has it: the COPYed files, and node_modules from the same lock. */
function buildAppDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-image-'));
  for (const { sources, dest } of recipe.copies) {
    for (const source of sources) {
      const target = dest.endsWith('/') ? path.join(dir, dest, path.basename(source)) : path.join(dir, dest);
      cpSync(path.join(ROOT, source), target, { recursive: true });
    }
  }
  // Stands in for `npm ci` from the copied lock (CI's own `npm ci` proves the lock installs).
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function runCmd(dir: string, env: Record<string, string>) {
  const [command = '', ...args] = recipe.cmd;
  const started = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LOG_LEVEL: 'warn', ...recipe.env, ...env } });
  child = started;
  let stdout = '';
  let stderr = '';
  started.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    started.stdout.on('data', () => {
      const match = /listening on ws:\/\/[^:]+:(\d+)\//.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void exit.then((code) => reject(new Error(`exited with ${code} before it was ready: ${stderr}`)));
  });
  port.catch(() => {});
  return { port, exit, stderr: () => stderr };
}

describe('proxy/Dockerfile, followed without Docker', () => {
  it('reads the recipe: copies the lock and proxy/, listens on 0.0.0.0, runs main.ts', () => {
    expect(recipe.copies.flatMap((copy) => copy.sources)).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'proxy']));
    expect(recipe.env.HOST).toBe('0.0.0.0');
    expect(recipe.cmd).toContain('proxy/main.ts');
    expect(recipe.healthcheck).toContain('/healthz');
  });

  it('refuses to start without client tokens, as its comment says', { timeout: 20_000 }, async () => {
    appDir = buildAppDir();
    const run = runCmd(appDir, { PORT: '0' });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('Refusing to listen on 0.0.0.0 without client tokens');
  });

  it('with tokens: the health check passes, a wrong token is refused, and speech is captioned by the local engine', { timeout: 40_000 }, async () => {
    appDir = buildAppDir();
    const run = runCmd(appDir, { PORT: '0', CAPTIONIST_TOKENS: TOKEN });
    const port = await run.port;

    const health = await promisify(execFile)('sh', ['-c', recipe.healthcheck], { env: { ...process.env, PORT: String(port) }, timeout: 5_000 });
    expect(health.stderr).toBe('');

    const url = `ws://127.0.0.1:${port}/v1/listen`;
    expect((await upgradeAnswer(url, { 'Sec-WebSocket-Protocol': 'token, not-the-token' })).status).toBe(401);

    const client = connectClient(url, { token: TOKEN });
    await client.opened;
    await streamPcm(client.ws, Buffer.concat([librivoxPcm('0880'), silencePcm(0.8)]), { speed: 4 });
    client.ws.send(JSON.stringify({ type: 'CloseStream' }));
    expect((await client.closed).code).toBe(1000);
    const words = resultsOf(client.messages)
      .filter((message) => message.is_final === true)
      .map(transcriptOf)
      .join(' ')
      .trim();
    expect(words.split(/\s+/).length).toBeGreaterThan(3);
  });
});
