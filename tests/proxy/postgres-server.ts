/**
 * A throwaway PostgreSQL server for the archive tests: Debian's postgresql 15 binaries, a fresh
 * cluster in a temporary directory, on a free loopback port with its socket in that directory.
 * Postgres refuses to run as root, so when the tests run as root the cluster belongs to the
 * `postgres` user and both programs run through `runuser`.
 *
 * stop() kills the server (SIGINT: fast shutdown, SIGKILL after 5 s) and removes the directory; an
 * exit hook does the same if a test file dies first, so no server outlives its run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:port/postgres */
  url: string;
  port: number;
  /** Kills the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server, keeping its data: the archive then sees a database that is down. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  /** pause() then resume(). */
  restart(): Promise<void>;
}

const live = new Set<() => void>();
process.once('exit', () => {
  for (const kill of live) kill();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function asOwner(command: string, args: string[]): { command: string; args: string[] } {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'captionist-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const data = join(dir, 'data');
  const init = asOwner(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const initialized = spawnSync(init.command, init.args, { encoding: 'utf8' });
  if (initialized.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${initialized.stderr}`);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const launch = async () => {
    const run = asOwner(`${BIN}/postgres`, [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ]);
    const started = spawn(run.command, run.args, { stdio: 'ignore' });
    child = started;
    const kill = () => {
      const pid = postmasterPid();
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      started.kill('SIGKILL');
    };
    live.add(kill);
    started.once('exit', () => live.delete(kill));
    await waitReady(url, started, 15_000);
  };

  const halt = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // Signal postgres itself (runuser does not pass every signal on): SIGINT is its fast shutdown.
    const pid = postmasterPid();
    const signal = (name: NodeJS.Signals) => {
      try {
        if (pid !== undefined) process.kill(pid, name);
      } catch {
        // Already gone.
      }
      running.kill(name);
    };
    signal('SIGINT');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch().catch(async (error: unknown) => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  let stopped = false;
  return {
    url,
    port,
    pause: halt,
    resume: launch,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
