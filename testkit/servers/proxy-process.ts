/**
 * Runs the real proxy (proxy/main.ts) as a child process on an ephemeral port and reads the URL it
 * announces: `Captionist proxy listening on ws://HOST:PORT/v1/listen (engine: NAME)`.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../browser/launch';

export interface ProxyProcess {
  /** The listen URL to put in the extension's settings. */
  url: string;
  /** What the proxy said it uses upstream (e.g. "deepgram" or "local pocketsphinx"). */
  engine: string;
  pid: number;
  /** Everything the proxy wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export type StartProxyResult = { ok: true; proxy: ProxyProcess } | { ok: false; message: string };

const LISTENING = /Captionist proxy listening on (wss?:\/\/\S+) \(engine: ([^)]*)\)/;

export interface StartProxyOptions {
  /** Added to this process's environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Called with each line the proxy prints (both streams). */
  onLine?: (line: string) => void;
}

export async function startProxy(options: StartProxyOptions = {}): Promise<StartProxyResult> {
  // An option set to undefined removes that variable from the proxy's environment.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries<string | undefined>({ ...process.env, PORT: '0', ...options.env }).filter(([, value]) => value !== undefined),
  );
  // One node process (tsx as a loader, not the tsx CLI that forks a second one), in our process
  // group: a terminal's Ctrl-C reaches it too, and stop() signals exactly the proxy.
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const announced = new Promise<{ url: string; engine: string } | null>((resolve) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) {
        if (line.trim()) options.onLine?.(line);
        const match = LISTENING.exec(line);
        if (match?.[1] && match[2] !== undefined) resolve({ url: match[1], engine: match[2] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => resolve(null));
    setTimeout(() => resolve(null), options.timeoutMs ?? 20_000);
  });

  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const started = await announced;
  if (!started || child.pid === undefined) {
    await stop(1_000);
    return { ok: false, message: `The proxy did not announce its URL. Its output:\n${output.trim() || '(nothing)'}` };
  }
  return {
    ok: true,
    proxy: { url: started.url, engine: started.engine, pid: child.pid, output: () => output, stop },
  };
}
