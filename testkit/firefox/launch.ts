/**
 * Debian's firefox-esr with the built Firefox package installed as a temporary add-on, driven
 * through WebDriver BiDi by puppeteer-core (no downloaded browser, no geckodriver).
 *
 * What a stock Firefox 153 allows, and how this works with it:
 *   - webExtension.install installs .output/firefox-mv3 (puppeteer's installExtension).
 *   - The add-on's moz-extension UUID is random per profile; the pref
 *     extensions.webextensions.uuids pins it, so the proxy's ALLOWED_ORIGINS can name it.
 *   - BiDi refuses to navigate to moz-extension:// pages unless Firefox runs with
 *     --remote-allow-system-access, and then never reports such a navigation as finished:
 *     openExtensionPage starts it and waits for the page itself.
 *   - With that flag, scripts may also run in the browser's own window ("chrome" scope). Three
 *     things a user does outside any page go through it: clicking the toolbar button (Firefox's
 *     own triggerAction, which grants activeTab as a click does), answering the microphone prompt
 *     with "Remember this decision" (the site permission it stores), and reading the clipboard.
 * close() closes Firefox and removes its profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { REPO_ROOT } from '../browser/launch';
import { bidiConnection, type EvaluateResult } from './bidi';

export const FIREFOX_BIN = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = path.join(REPO_ROOT, '.output', 'firefox-mv3');
/** The gecko id in wxt.config.ts. */
export const FIREFOX_ADDON_ID = 'captionist@captionist.invalid';
/** Pinned through extensions.webextensions.uuids (any fixed UUID would do). */
export const FIREFOX_EXTENSION_UUID = '6f1c2a9e-3b7d-4e25-9c41-8a0d5e7b2f63';
export const FIREFOX_EXTENSION_ORIGIN = `moz-extension://${FIREFOX_EXTENSION_UUID}`;

export interface LaunchFirefoxOptions {
  /** PULSE_SERVER of the microphone to use (testkit/firefox/virtual-mic.ts). */
  pulseServer: string;
  /** Where <a download> saves files, without asking. */
  downloadDir: string;
  extensionDir?: string;
}

export interface LaunchedFirefox {
  browser: Browser;
  /** Opens one of the add-on's pages (e.g. '/popup.html') in a new tab and waits until it has loaded. */
  openExtensionPage(pagePath: string, timeoutMs?: number): Promise<Page>;
  /** The open tab whose address starts with one of the add-on's paths (e.g. '/options.html#welcome'), or null. */
  findExtensionPage(pagePath: string): Promise<Page | null>;
  /** Waits for such a tab to open (the welcome a fresh install opens, say) and returns it. */
  waitForExtensionPage(pagePath: string, timeoutMs?: number): Promise<Page>;
  /** Clicks the add-on's toolbar button on the selected tab, as a user does (opens the popup, grants activeTab). */
  clickToolbarButton(): Promise<void>;
  /** What "Allow" or "Block" with "Remember this decision" in the microphone prompt stores for the add-on. */
  rememberMicrophoneDecision(allow: boolean): Promise<void>;
  readClipboard(): Promise<string>;
  close(): Promise<void>;
}

export type LaunchFirefoxResult = { ok: true; firefox: LaunchedFirefox } | { ok: false; message: string };

export async function launchFirefox(options: LaunchFirefoxOptions): Promise<LaunchFirefoxResult> {
  const profile = mkdtempSync(path.join(tmpdir(), 'captionist-firefox-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_BIN,
      headless: true,
      userDataDir: profile,
      args: ['--remote-allow-system-access'],
      env: { ...process.env, PULSE_SERVER: options.pulseServer },
      timeout: 60_000,
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: FIREFOX_EXTENSION_UUID }),
        // The real microphone device (PulseAudio), not Firefox's tone.
        'media.navigator.streams.fake': false,
        'browser.download.folderList': 2,
        'browser.download.dir': options.downloadDir,
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.alwaysOpenPanel': false,
      },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    return { ok: false, message: `Firefox did not start (${FIREFOX_BIN}): ${error instanceof Error ? error.message : String(error)}` };
  }

  const close = async () => {
    await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    rmSync(profile, { recursive: true, force: true });
  };

  try {
    await browser.installExtension(options.extensionDir ?? FIREFOX_EXTENSION_DIR);
  } catch (error) {
    await close();
    return { ok: false, message: `The add-on did not install: ${error instanceof Error ? error.message : String(error)}` };
  }

  const connection = bidiConnection(browser);

  /** Runs `expression` in the browser window's privileged scope and returns its value. */
  const inBrowserWindow = async (expression: string): Promise<unknown> => {
    const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome', maxDepth: 0 })).result as { contexts: { context: string }[] };
    const window = tree.contexts[0]?.context;
    if (!window) throw new Error('Firefox reported no browser window');
    const evaluated = (await connection.send('script.evaluate', { expression, target: { context: window }, awaitPromise: true })).result as EvaluateResult;
    if (evaluated.type !== 'success') throw new Error(`In the browser window: ${evaluated.exceptionDetails?.text ?? 'exception'}`);
    return evaluated.result?.value;
  };

  const extension = `(ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs').ExtensionParent)`;

  // page.url() stays about:blank for moz-extension pages (see above): ask each page where it is.
  const findExtensionPage = async (pagePath: string): Promise<Page | null> => {
    for (const page of await browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`${FIREFOX_EXTENSION_ORIGIN}${pagePath}`)) return page;
    }
    return null;
  };

  const firefox: LaunchedFirefox = {
    browser,
    openExtensionPage: async (pagePath, timeoutMs = 15_000) => {
      const url = `${FIREFOX_EXTENSION_ORIGIN}${pagePath}`;
      const page = await browser.newPage();
      // Firefox loads the page but never answers the navigation (see above): wait for the page,
      // polling (while the tab is still between about:blank and the page, an evaluation may fail).
      void page.goto(url, { timeout: timeoutMs }).catch(() => undefined);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const loaded = await page.evaluate((wanted: string) => location.href === wanted && document.readyState === 'complete', url).catch(() => false);
        if (loaded) return page;
        if (Date.now() > deadline) throw new Error(`${url} did not load in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    findExtensionPage,
    waitForExtensionPage: async (pagePath, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const page = await findExtensionPage(pagePath);
        if (page) return page;
        if (Date.now() > deadline) throw new Error(`No tab at ${FIREFOX_EXTENSION_ORIGIN}${pagePath} opened in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    clickToolbarButton: async () => {
      await inBrowserWindow(`(() => {
        const parent = ${extension};
        const addon = parent.GlobalManager.getExtension(${JSON.stringify(FIREFOX_ADDON_ID)});
        parent.apiManager.global.browserActionFor(addon).triggerAction(window);
      })()`);
    },
    rememberMicrophoneDecision: async (allow) => {
      await inBrowserWindow(`(() => {
        const principal = Services.scriptSecurityManager.createContentPrincipalFromOrigin(${JSON.stringify(FIREFOX_EXTENSION_ORIGIN)});
        Services.perms.addFromPrincipal(principal, 'microphone', ${allow ? 'Services.perms.ALLOW_ACTION' : 'Services.perms.DENY_ACTION'});
      })()`);
    },
    readClipboard: async () => String(await inBrowserWindow('window.navigator.clipboard.readText()')),
    close,
  };
  return { ok: true, firefox };
}
