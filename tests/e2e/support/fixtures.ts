/**
 * Playwright fixtures for Captionist: real recorded speech, the real proxy process, and Debian's
 * Chromium with the built extension, configured through its options page as a user would.
 * Everything a test starts is stopped in teardown (browser, proxy, servers).
 */
import { randomBytes } from 'node:crypto';
import { test as base, expect } from '@playwright/test';
import { grantToExtension, launchWithExtension, type LaunchedBrowser } from '../../../testkit/browser/launch';
import { configureExtension } from '../../../testkit/browser/options-page';
import { startProxy, type ProxyProcess } from '../../../testkit/servers/proxy-process';
import { prepareAudio, type PreparedAudio } from '../../../scripts/prepare-audio';

export interface CaptionistFixtures {
  /** Environment for the proxy on top of PORT=0 and the token; {} runs the local engine. */
  proxyEnv: Record<string, string | undefined>;
  /** Give Chromium the speech WAV as its microphone (played from the start by each capture). */
  fakeMic: boolean;
  /** With fakeMic: this WAV instead of the shared speech (a spec's own microphone audio). */
  fakeMicFile: string | undefined;
  /**
   * An X display to run Chromium headed on (real key presses reach extension shortcuts only
   * there; testkit/browser/x-display.ts). Undefined: headless.
   */
  xDisplay: string | undefined;
  /** The browser's UI language (--lang and LANGUAGE), e.g. 'de'; undefined: the machine's (English here). */
  browserLanguage: string | undefined;
  proxyToken: string;
  captionProxy: ProxyProcess;
  /** Chromium with the extension, pointed at `captionProxy` through the options page. */
  app: LaunchedBrowser;
}

export interface CaptionistWorkerFixtures {
  audio: PreparedAudio;
}

export const test = base.extend<CaptionistFixtures, CaptionistWorkerFixtures>({
  audio: [
    async ({}, use) => {
      const prepared = await prepareAudio();
      if (!prepared.ok) throw new Error(prepared.message);
      await use(prepared.audio);
    },
    { scope: 'worker' },
  ],

  proxyEnv: [{}, { option: true }],
  fakeMic: [false, { option: true }],
  fakeMicFile: [undefined, { option: true }],
  xDisplay: [undefined, { option: true }],
  browserLanguage: [undefined, { option: true }],

  proxyToken: async ({}, use) => {
    await use(`e2e-${randomBytes(16).toString('hex')}`);
  },

  captionProxy: async ({ proxyEnv, proxyToken }, use, testInfo) => {
    const lines: string[] = [];
    const started = await startProxy({
      // Keep a DEEPGRAM_API_KEY from the developer's shell out of tests that want the local engine.
      env: { DEEPGRAM_API_KEY: undefined, DEEPGRAM_URL: undefined, CAPTIONIST_TOKENS: proxyToken, ...proxyEnv },
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

  app: async ({ captionProxy, proxyToken, fakeMic, fakeMicFile, audio, xDisplay, browserLanguage }, use, testInfo) => {
    const launched = await launchWithExtension({
      headless: xDisplay === undefined,
      display: xDisplay,
      ...(browserLanguage ? { args: [`--lang=${browserLanguage}`], env: { LANGUAGE: browserLanguage }, locale: browserLanguage } : {}),
      fakeMic: fakeMic ? { wav: fakeMicFile ?? audio.mic, once: true } : undefined,
    });
    if (!launched.ok) throw new Error(launched.message);
    const app = launched.browser;
    const logs: string[] = [];
    app.context.on('console', (message) => logs.push(`[${message.type()}] ${message.location().url} ${message.text()}`));
    try {
      const configured = await configureExtension(app.context, app.extensionId, { proxyUrl: captionProxy.url, token: proxyToken });
      if (!configured.ok) throw new Error(configured.message);
      // The test reads the clipboard back in the side panel page. Writing is not granted: Copy
      // must work on the user's click alone, as the manifest asks for no clipboard permission.
      await grantToExtension(app, ['clipboard-read']);
      await use(app);
    } finally {
      await testInfo.attach('browser-console.txt', { body: logs.join('\n'), contentType: 'text/plain' });
      await app.close();
    }
  },
});

export { expect };
