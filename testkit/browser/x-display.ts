/**
 * A virtual X display (Xvfb) for the few e2e tests that need a headed Chromium, and real key
 * presses on it (xdotool, through the XTEST extension, as a keyboard would type them).
 *
 * Why: extension keyboard shortcuts (manifest `commands`) are browser accelerators. Seen on
 * Chromium 156: Playwright's page.keyboard.press('Alt+Shift+H') (CDP Input.dispatchKeyEvent) never
 * fires chrome.commands.onCommand, headless or headed, because synthetic keys go straight to the
 * page; a key typed on the X display reaches the browser window first, and the command fires.
 * Debian packages: xvfb, xdotool (scripts/install-deps.sh).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface XDisplay {
  /** The DISPLAY value, e.g. ":99". */
  display: string;
  stop(): Promise<void>;
}

export type XDisplayResult = { ok: true; x: XDisplay } | { ok: false; message: string };

/** Starts Xvfb on a free display number (Xvfb picks it and writes it to fd 3). */
export async function startXvfb(width = 1280, height = 800): Promise<XDisplayResult> {
  let child: ChildProcess;
  try {
    child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return { ok: false, message: `Xvfb did not start: ${String(error)}` };
  }
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const number = await new Promise<string | null>((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve(null), 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(null);
    });
    // stdio[3] is the pipe Xvfb writes its display number to.
    const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
  });
  if (!number) {
    await stop();
    return {
      ok: false,
      message: `Xvfb gave no display (install it: apt-get install -y xvfb, or run scripts/install-deps.sh). ${stderr.join('').trim()}`,
    };
  }
  return { ok: true, x: { display: `:${number}`, stop } };
}

/**
 * Types `keys` (xdotool's names, e.g. "alt+shift+h") into the window whose title contains
 * `windowTitle`, focusing it first. Throws with xdotool's message when it cannot.
 */
export async function typeKeys(display: string, windowTitle: string, keys: string): Promise<void> {
  const env = { ...process.env, DISPLAY: display };
  const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', windowTitle], { env });
  const window = stdout.trim().split('\n').filter(Boolean).at(-1);
  if (!window) throw new Error(`No window titled "${windowTitle}" on ${display}`);
  // No window manager on Xvfb: focus the window ourselves (windowactivate needs a WM).
  await run('xdotool', ['windowfocus', '--sync', window], { env });
  await run('xdotool', ['key', '--clearmodifiers', keys], { env });
}
