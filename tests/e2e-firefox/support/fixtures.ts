/**
 * Fixtures for the Firefox specs: the recorded speech, a microphone that plays it (a private
 * PulseAudio server), the real proxy with its local engine, and Debian's firefox-esr with the
 * built Firefox package, pointed at the proxy through the options page. Everything a test starts
 * is stopped in teardown (browser and profile, proxy, PulseAudio, downloads folder).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { prepareAudio, type PreparedAudio } from '../../../scripts/prepare-audio';
import { FIREFOX_EXTENSION_ORIGIN, launchFirefox, type LaunchedFirefox } from '../../../testkit/firefox/launch';
import { startVirtualMic, type VirtualMic } from '../../../testkit/firefox/virtual-mic';
import { startProxy, type ProxyProcess } from '../../../testkit/servers/proxy-process';

export interface FirefoxFixtures {
  proxyToken: string;
  captionProxy: ProxyProcess;
  mic: VirtualMic;
  /** Where the add-on's exports are saved. */
  downloadDir: string;
  /** Firefox with the add-on, configured for `captionProxy`. */
  firefox: LaunchedFirefox;
}

export const test = base.extend<FirefoxFixtures, { audio: PreparedAudio }>({
  audio: [
    async ({}, use) => {
      const prepared = await prepareAudio();
      if (!prepared.ok) throw new Error(prepared.message);
      await use(prepared.audio);
    },
    { scope: 'worker' },
  ],

  proxyToken: async ({}, use) => {
    await use(`e2e-${randomBytes(16).toString('hex')}`);
  },

  captionProxy: async ({ proxyToken }, use, testInfo) => {
    const lines: string[] = [];
    const started = await startProxy({
      // The add-on's origin is moz-extension://<the UUID pinned for this profile>: a Firefox user
      // adds theirs to ALLOWED_ORIGINS the same way (README.md).
      env: { DEEPGRAM_API_KEY: undefined, DEEPGRAM_URL: undefined, CAPTIONIST_TOKENS: proxyToken, ALLOWED_ORIGINS: FIREFOX_EXTENSION_ORIGIN },
      onLine: (line) => lines.push(line),
    });
    if (!started.ok) throw new Error(started.message);
    try {
      await use(started.proxy);
    } finally {
      await started.proxy.stop();
      await testInfo.attach('proxy-output.txt', { body: lines.join('\n'), contentType: 'text/plain' });
    }
  },

  mic: async ({}, use) => {
    const started = await startVirtualMic();
    if (!started.ok) throw new Error(started.message);
    try {
      await use(started.mic);
    } finally {
      await started.mic.stop();
    }
  },

  downloadDir: async ({}, use) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'captionist-downloads-'));
    try {
      await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },

  firefox: async ({ captionProxy, proxyToken, mic, downloadDir }, use) => {
    const launched = await launchFirefox({ pulseServer: mic.server, downloadDir });
    if (!launched.ok) throw new Error(launched.message);
    const firefox = launched.firefox;
    try {
      // A fresh install opens the welcome (lib/background/first-run.ts): set up there, as a new
      // user does. Opening another Options tab raced it: the welcome, opened a moment later, took
      // the foreground, and a background tab never settles for puppeteer's fill.
      const options = await firefox.waitForExtensionPage('/options.html#welcome');
      await options.bringToFront();
      await options.locator('#proxy-url').fill(captionProxy.url);
      await options.locator('#token').fill(proxyToken);
      await options.locator('#save').click();
      await options.waitForFunction(() => document.querySelector('[data-testid=options-status]')?.textContent.includes('Saved') === true, { timeout: 10_000 });
      await options.close();
      await use(firefox);
    } finally {
      await firefox.close();
    }
  },
});

export { expect };
