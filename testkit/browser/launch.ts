/**
 * Launches Debian's Chromium with the built Captionist extension, the way the e2e suite and
 * `npm start` both need it: real binary (not the /usr/bin wrapper that injects its own extension
 * flags), audio not muted (muting zeroes tab capture too), optionally a fake microphone, the toolbar action
 * reachable over CDP, and every host but loopback unresolvable so nothing leaves the machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Worker } from '@playwright/test';
import { CdpClient } from './cdp-client';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `wxt build` output; CAPTIONIST_EXTENSION_DIR points elsewhere (e.g. a build in another outDir). */
export const EXTENSION_DIR = path.resolve(process.env.CAPTIONIST_EXTENSION_DIR ?? path.join(REPO_ROOT, '.output', 'chrome-mv3'));
/** Pinned by the manifest `key` in wxt.config.ts. */
export const EXTENSION_ID = 'dbmknijkimjaniglhfaegghkialpjohk';
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium';

export interface LaunchOptions {
  /** Unpacked extension directory; defaults to the `wxt build` output. */
  extensionDir?: string;
  headless: boolean;
  /**
   * Replace the microphone with a WAV (fake capture device). The permission prompt is not
   * auto-accepted: --use-fake-ui-for-media-stream makes every origin's microphone permission read
   * "granted" from the start (so the extension's permission page is never reached) and, seen on
   * Chromium 156, breaks tab capture ("NotFoundError: Requested device not found"). Grant the
   * microphone like a user's "Allow" with grantToExtension() instead.
   */
  fakeMic?: {
    wav: string;
    /** Play the WAV once per capture (true) or loop it (false, Chromium's default). */
    once: boolean;
  };
  /**
   * Resolve no host name but loopback (default true): the suite and the headless demo never leave
   * the machine. A person's headed run turns it off, to caption any site they open.
   */
  offline?: boolean;
  /** Extra Chromium switches. */
  args?: string[];
  /** The X display a headed browser opens on (DISPLAY), e.g. a test's own Xvfb (x-display.ts). */
  display?: string;
  /** Extra environment for the browser process (LANGUAGE=de with --lang=de for a German UI). */
  env?: Record<string, string>;
  /**
   * The locale Playwright emulates in the pages it drives (navigator.language, Intl, and what
   * chrome.i18n.getUILanguage() answers there); Playwright's own default is en-US.
   */
  locale?: string;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The extension's service worker as first seen (it may be restarted later). */
  serviceWorker: Worker;
  /** Raw browser-level CDP connection (for targets Playwright does not list, like the popup). */
  cdp: CdpClient;
  userDataDir: string;
  close(): Promise<void>;
}

export type LaunchResult = { ok: true; browser: LaunchedBrowser } | { ok: false; message: string };

export function chromiumArgs(options: LaunchOptions): string[] {
  const dir = options.extensionDir ?? EXTENSION_DIR;
  const args = [
    `--disable-extensions-except=${dir}`,
    `--load-extension=${dir}`,
    '--enable-unsafe-extension-debugging', // CDP Extensions.triggerAction
    '--remote-debugging-port=0', // a second, plain endpoint for flat CDP sessions (the popup)
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  // Chromium refuses to start as root with its sandbox (CI and these machines run as root); a
  // normal user keeps the sandbox, and no "unsupported command-line flag" bar.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  if (options.offline ?? true) args.push('--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1');
  if (options.fakeMic) {
    args.push(
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.fakeMic.wav}${options.fakeMic.once ? '%noloop' : ''}`,
    );
  }
  return [...args, ...(options.args ?? [])];
}

export async function launchWithExtension(options: LaunchOptions): Promise<LaunchResult> {
  const extensionDir = options.extensionDir ?? EXTENSION_DIR;
  const manifestPath = path.join(extensionDir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    return { ok: false, message: `No built extension at ${extensionDir}. Build it first: npx wxt build` };
  }
  if (!existsSync(CHROMIUM_BIN)) {
    return {
      ok: false,
      message: `No Chromium at ${CHROMIUM_BIN}. Install it (apt-get install -y chromium) or set CHROMIUM_BIN.`,
    };
  }
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { key?: string };
  if (!manifest.key) {
    return { ok: false, message: `${manifestPath} has no "key", so the extension id would not be ${EXTENSION_ID}.` };
  }

  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'captionist-profile-'));
  let context: BrowserContext | undefined;
  let cdp: CdpClient | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_BIN,
      headless: options.headless,
      // --mute-audio (added for headless) also zeroes what tab capture reads.
      ignoreDefaultArgs: ['--mute-audio', '--disable-extensions'],
      args: chromiumArgs({ ...options, extensionDir }),
      ...(options.display || options.env ? { env: { ...process.env, ...options.env, ...(options.display ? { DISPLAY: options.display } : {}) } } : {}),
      // A fixed size keeps screenshots comparable; a person's window keeps its own size.
      viewport: options.headless ? { width: 1100, height: 720 } : null,
      ...(options.locale ? { locale: options.locale } : {}),
      timeout: 30_000,
      // Callers close the browser themselves (npm start on Ctrl-C, fixtures in teardown); Playwright's
      // own signal handlers would kill it mid-cleanup and exit before the profile is removed.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const serviceWorker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(serviceWorker.url()).host;
    if (extensionId !== EXTENSION_ID) {
      throw new Error(`Extension loaded with id ${extensionId}, expected ${EXTENSION_ID} (is the manifest key right?)`);
    }
    cdp = await CdpClient.connectToProfile(userDataDir);
    const launched = context;
    const connection = cdp;
    let closed = false;
    return {
      ok: true,
      browser: {
        context: launched,
        extensionId,
        serviceWorker,
        cdp: connection,
        userDataDir,
        async close() {
          if (closed) return;
          closed = true;
          await connection.close().catch(() => undefined);
          await launched.close().catch(() => undefined);
          await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
        },
      },
    };
  } catch (error) {
    await cdp?.close().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
    return { ok: false, message: `Chromium with the extension did not start: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Sets browser permissions for the extension's own origin over CDP (Browser.setPermission), one
 * by one. Playwright's grantPermissions cannot be used: it refuses chrome-extension:// origins
 * ("opaque"), and without an origin it denies every permission it was not given, the microphone
 * included. Names are Permissions API descriptor names ('clipboard-read', 'microphone', ...).
 */
export async function grantToExtension(browser: LaunchedBrowser, names: readonly string[], setting: 'granted' | 'denied' = 'granted'): Promise<void> {
  for (const name of names) {
    await browser.cdp.send('Browser.setPermission', {
      permission: { name },
      setting,
      origin: `chrome-extension://${browser.extensionId}`,
    });
  }
}
