/**
 * The main job (`npm start`): build the extension if its sources changed, start the proxy
 * (Deepgram when DEEPGRAM_API_KEY is set, otherwise the local pocketsphinx engine), serve a demo
 * page that plays recorded speech, and open Chromium with Captionist pointed at the proxy.
 *
 *   With a display ($DISPLAY): the browser stays open for you until Ctrl-C (or you close it).
 *   Without one (or with --headless): runs headless, starts captions on the demo page the way a
 *   toolbar click would, prints each caption line as it arrives, saves artifacts/demo.png, and
 *   exits 0 once the clip has played (1 with a reason if no captions came).
 *
 * Ctrl-C or any exit stops everything it started: browser, proxy, demo server.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { OverlayWatcher, type OverlayLine } from '../testkit/browser/captions';
import { EXTENSION_DIR, REPO_ROOT, launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { configureExtension } from '../testkit/browser/options-page';
import { openActionPopup, type ActionPopup } from '../testkit/browser/popup';
import { startProxy, type ProxyProcess } from '../testkit/servers/proxy-process';
import { startStaticServer, type StaticServer } from '../testkit/browser/static-server';
import { startCaptionsOnPlayingPage } from '../testkit/captions/start-captions';
import { prepareAudio } from './prepare-audio';

const DEMO_HTML = path.join(REPO_ROOT, 'scripts', 'demo', 'index.html');
const SCREENSHOT = path.join(REPO_ROOT, 'artifacts', 'demo.png');
/** Sources whose change means the built extension is stale. */
const EXTENSION_SOURCES = ['entrypoints', 'components', 'lib', 'public', 'wxt.config.ts', 'package-lock.json'];

class RunFailure extends Error {}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  })();
  return cleaning;
}

function log(message: string): void {
  console.log(`[captionist] ${message}`);
}

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function buildIfNeeded(): void {
  if (process.env.CAPTIONIST_EXTENSION_DIR) {
    log(`Using the extension build in ${EXTENSION_DIR} (CAPTIONIST_EXTENSION_DIR); not building.`);
    return;
  }
  const manifest = path.join(EXTENSION_DIR, 'manifest.json');
  const built = existsSync(manifest) ? statSync(manifest).mtimeMs : 0;
  const sources = Math.max(...EXTENSION_SOURCES.map((entry) => newestMtime(path.join(REPO_ROOT, entry))));
  if (built > 0 && built >= sources) {
    log(`Extension build is up to date (${path.relative(REPO_ROOT, EXTENSION_DIR)})`);
    return;
  }
  log('Building the extension (wxt build)…');
  try {
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  } catch {
    throw new RunFailure('The extension did not build (see the wxt output above).');
  }
}

async function main(): Promise<number> {
  const forceHeadless = process.argv.includes('--headless');
  const headless = forceHeadless || !process.env.DISPLAY;

  const audio = await prepareAudio();
  if (!audio.ok) throw new RunFailure(audio.message);
  buildIfNeeded();

  const token = `demo-${randomBytes(16).toString('hex')}`;
  const usingDeepgram = !!process.env.DEEPGRAM_API_KEY;
  log(usingDeepgram ? 'DEEPGRAM_API_KEY is set: the proxy will use Deepgram.' : 'No DEEPGRAM_API_KEY: the proxy will use the local offline engine (pocketsphinx).');
  const started = await startProxy({
    env: { CAPTIONIST_TOKENS: token },
    onLine: (line) => console.log(`[proxy] ${line}`),
  });
  if (!started.ok) throw new RunFailure(started.message);
  const proxy: ProxyProcess = started.proxy;
  cleanups.push(() => proxy.stop());
  log(`Proxy listening on ${proxy.url} (engine: ${proxy.engine})`);

  const server: StaticServer = await startStaticServer({
    '/': { file: DEMO_HTML, contentType: 'text/html; charset=utf-8' },
    '/speech.wav': { file: audio.audio.demo, contentType: 'audio/wav' },
  });
  cleanups.push(() => server.close());

  // Headed, the browser is the user's for as long as they like: any site they open can be captioned.
  const launched = await launchWithExtension({ headless, offline: headless });
  if (!launched.ok) throw new RunFailure(launched.message);
  const app = launched.browser;
  cleanups.push(() => app.close());

  const configured = await configureExtension(app.context, app.extensionId, { proxyUrl: proxy.url, token });
  if (!configured.ok) throw new RunFailure(configured.message);
  log(`Captionist (${app.extensionId}) is pointed at ${proxy.url}`);

  if (!headless) return runForPerson(app, server);
  return runHeadlessDemo(app, server, audio.audio.demoSeconds);
}

/** A person drives the browser; wait until they close it or press Ctrl-C. */
async function runForPerson(app: LaunchedBrowser, server: StaticServer): Promise<number> {
  const page = app.context.pages()[0] ?? (await app.context.newPage());
  await page.goto(`${server.origin}/?loop=1`);
  log(`Demo page: ${server.origin}/ (Chromium is open).`);
  log('Click the Captionist toolbar button, keep "This tab", press "Start captions". Ctrl-C here stops everything.');
  await new Promise<void>((resolve) => app.context.once('close', () => resolve()));
  log('Chromium was closed.');
  return 0;
}

async function runHeadlessDemo(app: LaunchedBrowser, server: StaticServer, clipSeconds: number): Promise<number> {
  log('No display: running headless and starting captions on the demo page.');
  const page = await app.context.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('#speech')?.currentTime ?? 0) > 0, undefined, {
    timeout: 15_000,
  });

  // The toolbar click, then Start in the popup, as a person would.
  await startCaptionsOnPlayingPage(app, page, { waitForPlayback: false }).catch((error: unknown) => {
    throw new RunFailure(error instanceof Error ? error.message : String(error));
  });
  log('Captions are live; playing the clip from the start.');
  await page.evaluate(() => {
    const audio = document.querySelector<HTMLAudioElement>('#speech');
    if (!audio) return;
    audio.currentTime = 0;
    void audio.play();
  });

  let previous = '';
  let lastStatus: string;
  let lastArrival = Date.now();
  const watcher = new OverlayWatcher(page, (line: OverlayLine) => {
    lastArrival = Date.now();
    // An utterance still being finalized can grow; print only what is new.
    const shown = line.text.startsWith(previous) && previous !== '' ? `… ${line.text.slice(previous.length).trim()}` : line.text;
    previous = line.text;
    console.log(`caption: ${shown}`);
  });
  watcher.start(200);
  try {
    await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('#speech')?.ended === true, undefined, {
      timeout: (clipSeconds + 30) * 1000,
    });
    log('The clip has ended; waiting for the last captions.');
    // The engine finalizes after trailing silence: wait until 4 s pass with nothing new (max 15 s).
    const deadline = Date.now() + 15_000;
    lastArrival = Math.max(lastArrival, Date.now());
    while (Date.now() < deadline && Date.now() - lastArrival < 4_000) await page.waitForTimeout(250);
    await watcher.poll();

    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    log(`Screenshot: ${path.relative(REPO_ROOT, SCREENSHOT)}`);

    const stopPopup = await openPopup(app, page);
    try {
      lastStatus = (await stopPopup.status()).text;
      await stopPopup.waitForEnabled('[data-testid=stop]', 5_000).catch(() => undefined);
      await stopPopup.click('[data-testid=stop]').catch(() => undefined);
      await stopPopup.waitForPhase(['idle', 'error'], 15_000);
    } finally {
      await stopPopup.close();
    }
    await watcher.poll();
  } finally {
    watcher.stop();
  }

  const lines = watcher.finalTexts();
  if (lines.length === 0) {
    console.error(
      `[captionist] No captions arrived for the demo clip (Captionist's status was "${lastStatus}"). ` +
        'Check the [proxy] lines above for errors.',
    );
    return 1;
  }
  log(`Done: ${lines.length} caption line(s).`);
  return 0;
}

async function openPopup(app: LaunchedBrowser, page: Page): Promise<ActionPopup> {
  const opened = await openActionPopup(app.cdp, app.extensionId, page);
  if (!opened.ok) throw new RunFailure(opened.message);
  return opened.popup;
}

// `as boolean`: the signal handler below sets it, which TypeScript's narrowing of a `let` does not see.
let interrupted = false as boolean;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: a terminal's Ctrl-C reaches us twice (directly and relayed by the npm
  // parents), and a second signal without a handler would kill us before the cleanup finishes.
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the browser, the proxy and the demo server…`);
    void cleanUp().then(() => process.exit(130));
  });
}

let code: number;
try {
  code = await main();
} catch (error) {
  // After Ctrl-C the browser closing under a waiting step is expected, not worth a stack trace.
  if (!interrupted)
    console.error(`[captionist] ${error instanceof RunFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  code = 1;
} finally {
  await cleanUp();
}
process.exit(code);
