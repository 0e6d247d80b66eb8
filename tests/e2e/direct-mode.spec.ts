/**
 * Direct mode, end to end (proxy/README.md, "Direct mode"): the real extension, set to direct in
 * Options, asks the real proxy for a Deepgram token and streams to the fake Deepgram itself
 * (testkit/upstream/server.ts: grant endpoint and bearer auth).
 *
 * - Captions arrive over a connection the fake saw opened with a granted token (bearer), and the
 *   proxy relays nothing.
 * - The proxy killed mid-session: captions go on (only the next reconnect would need it).
 * - A refused grant: the extension says why and relays through the proxy instead.
 * - Options' Test connection tests the mode chosen: direct works directly; a proxy that forbids
 *   direct (DIRECT_MODE=forbid) works with a warning; one that only allows it (DIRECT_MODE=only)
 *   tells a relay user to choose direct.
 */
import type { Page } from '@playwright/test';
import { readOverlay } from '../../testkit/browser/captions';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { startFakeUpstream, type FakeDeepgram, type FakeUtterance } from '../../testkit/upstream';
import { stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import type { LaunchedBrowser } from '../../testkit/browser/launch';

const DEEPGRAM_KEY = 'direct-mode-fake-deepgram-key';
const SCRIPT: FakeUtterance[] = [
  { speaker: 0, words: ['alpha', 'bravo', 'charlie'] },
  { speaker: 0, words: ['delta', 'echo', 'foxtrot'] },
];
const SCRIPT_WORDS = SCRIPT.flatMap((utterance) => utterance.words);

const test = base.extend<{ refuseGrant: boolean; directMode: 'allow' | 'forbid' | 'only'; fakeDeepgram: FakeDeepgram }>({
  refuseGrant: [false, { option: true }],
  directMode: ['allow', { option: true }],
  fakeDeepgram: async ({ refuseGrant }, use) => {
    const fake = await startFakeUpstream({
      mode: 'normal',
      apiKey: DEEPGRAM_KEY,
      script: SCRIPT,
      ...(refuseGrant ? { refuseGrant: { status: 403, body: { err_code: 'FORBIDDEN', err_msg: 'Insufficient permissions.' } } } : {}),
    });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
  proxyEnv: async ({ fakeDeepgram, directMode }, use) => {
    await use({ DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: fakeDeepgram.url, DIRECT_MODE: directMode });
  },
});

/** Chooses direct mode in Options, as a user would. */
async function chooseDirectMode(app: LaunchedBrowser): Promise<void> {
  const options = await app.context.newPage();
  await options.goto(`chrome-extension://${app.extensionId}/options.html`);
  await options.locator('#connection-mode input[value=direct]').check();
  await options.locator('#save').click();
  await expect(options.locator('[data-testid=options-status]')).toContainText('Saved');
  await options.close();
}

/** Options with a connection mode chosen (not saved: Test connection tests what the form says). */
async function optionsWithMode(app: LaunchedBrowser, mode: 'relay' | 'direct'): Promise<Page> {
  const options = await app.context.newPage();
  await options.goto(`chrome-extension://${app.extensionId}/options.html`);
  await options.locator(`#connection-mode input[value=${mode}]`).check();
  return options;
}

/** Presses Test connection and returns the result's kind and text once a new one is there. */
async function pressTestConnection(options: Page): Promise<{ kind: string; text: string }> {
  const result = options.locator('[data-testid=connection-result]');
  const read = async () => ({ kind: (await result.getAttribute('data-kind')) ?? '', text: (await result.textContent()) ?? '' });
  const before = await read();
  await options.locator('#test-connection').click();
  // A second press may show the first result until the page renders "running".
  await expect
    .poll(async () => {
      const now = await read();
      return /^(running|idle)$/.test(now.kind) || now.text === before.text ? 'waiting' : 'done';
    }, { timeout: 30_000, message: 'a new Test connection result' })
    .toBe('done');
  return read();
}

/** Script words among the overlay's final lines now. */
async function finalScriptWords(page: Page): Promise<string[]> {
  const { lines } = await readOverlay(page);
  return lines.filter((line) => line.final).flatMap((line) => line.text.toLowerCase().split(/[^a-z]+/).filter((word) => SCRIPT_WORDS.includes(word)));
}

const resultsSent = (fake: FakeDeepgram, auth: string) =>
  fake.connections.filter((connection) => connection.auth === auth).reduce((n, connection) => n + connection.sent.filter((message) => message.type === 'Results').length, 0);

test.describe('direct mode', () => {
  test.setTimeout(120_000);

  test('captions come straight from Deepgram with a granted token, and go on when the proxy is killed', async ({ app, audio, captionProxy, fakeDeepgram }, testInfo) => {
    await chooseDirectMode(app);
    const speech = await startSpeechPage(audio.page, 'Captionist direct mode test');
    try {
      const page = await startCaptionsOnPlayingPage(app, speech.url);
      await expect.poll(async () => (await finalScriptWords(page)).length, { timeout: 30_000, message: 'script words in final captions' }).toBeGreaterThanOrEqual(3);
      // The fake saw a granted token, never the proxy's key: the audio did not pass through the proxy.
      expect(fakeDeepgram.grants.issued).toBeGreaterThanOrEqual(1);
      expect(fakeDeepgram.connections.map((connection) => connection.auth)).toEqual(['bearer']);

      // Killed, not stopped: no goodbye to anyone.
      process.kill(captionProxy.pid, 'SIGKILL');
      const before = resultsSent(fakeDeepgram, 'bearer');
      const audioBefore = fakeDeepgram.connections[0]?.audioBytes ?? 0;
      const overlayBefore = JSON.stringify((await readOverlay(page)).lines);
      await expect
        .poll(() => resultsSent(fakeDeepgram, 'bearer') - before, { timeout: 20_000, message: 'results after the proxy died' })
        .toBeGreaterThanOrEqual(6);
      expect(fakeDeepgram.connections[0]?.audioBytes ?? 0).toBeGreaterThan(audioBefore + 32_000);
      await expect.poll(async () => JSON.stringify((await readOverlay(page)).lines) !== overlayBefore, { timeout: 10_000, message: 'the overlay moving on' }).toBe(true);
      expect(await finalScriptWords(page)).not.toHaveLength(0);
      // Still the one connection: nothing needed the dead proxy.
      expect(fakeDeepgram.connections).toHaveLength(1);
      expect(fakeDeepgram.connections[0]?.closeCode).toBeUndefined();
      expect((await readOverlay(page)).notice).toBe('');
      await saveScreenshot(page, testInfo, 'direct-after-proxy-killed');
      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });

  test.describe('when Deepgram refuses the grant', () => {
    test.use({ refuseGrant: true });

    test('the extension says why and relays through the proxy instead', async ({ app, audio, fakeDeepgram }, testInfo) => {
      await chooseDirectMode(app);
      const speech = await startSpeechPage(audio.page, 'Captionist direct mode refused test');
      try {
        const page = await startCaptionsOnPlayingPage(app, speech.url);
        await expect.poll(async () => (await finalScriptWords(page)).length, { timeout: 30_000, message: 'script words in final captions' }).toBeGreaterThanOrEqual(3);
        expect(fakeDeepgram.grants).toMatchObject({ issued: 0 });
        expect(fakeDeepgram.grants.refused).toBeGreaterThanOrEqual(1);
        // Relayed: the proxy opened the fake with its key (the Authorization header).
        expect(fakeDeepgram.connections.map((connection) => connection.auth)).toEqual(['header']);
        const { notice } = await readOverlay(page);
        expect(notice).toContain('Direct mode is not available');
        expect(notice).toContain('Insufficient permissions');
        await saveScreenshot(page, testInfo, 'direct-refused-relayed');
        await stopFromPopup(app, page);
      } finally {
        await speech.server.close();
      }
    });
  });

  test.describe('Test connection in Options', () => {
    test('with direct chosen, the test takes a token and opens Deepgram with it: it works directly', async ({ app, captionProxy, fakeDeepgram }, testInfo) => {
      const options = await optionsWithMode(app, 'direct');
      const { kind, text } = await pressTestConnection(options);
      expect(kind).toBe('ok');
      expect(text).toContain(`Works directly: the proxy at ${new URL(captionProxy.url).host} gave a short-lived token, and Deepgram at 127.0.0.1:${fakeDeepgram.port} accepted the connection with it.`);
      await expect(options.locator('[data-testid=connection-warning]')).toHaveCount(0);
      expect(fakeDeepgram.grants.issued).toBe(1);
      expect(fakeDeepgram.connections.map((connection) => connection.auth)).toEqual(['bearer']);
      await saveScreenshot(options, testInfo, 'test-connection-direct-works');
    });

    test.describe('when the proxy forbids direct mode', () => {
      test.use({ directMode: 'forbid' });

      test('with direct chosen, it works through the proxy and warns that sessions will not be direct', async ({ app, fakeDeepgram }, testInfo) => {
        const options = await optionsWithMode(app, 'direct');
        const { kind, text } = await pressTestConnection(options);
        expect(kind).toBe('ok');
        expect(text).toContain('the token works and the proxy uses Deepgram');
        await expect(options.locator('[data-testid=connection-warning]')).toContainText('does not allow direct mode, so captions will go through the proxy instead.');
        await expect(options.locator('[data-testid=connection-warning]')).toContainText('DIRECT_MODE=forbid');
        expect(fakeDeepgram.grants.issued).toBe(0);
        expect(fakeDeepgram.connections.map((connection) => connection.auth)).toEqual(['header']);
        await saveScreenshot(options, testInfo, 'test-connection-direct-forbidden');
      });
    });

    test.describe('when the proxy allows only direct mode', () => {
      test.use({ directMode: 'only' });

      test('with relay chosen, it says to choose direct; with direct chosen, it works directly', async ({ app, fakeDeepgram }, testInfo) => {
        const options = await optionsWithMode(app, 'relay');
        const relayed = await pressTestConnection(options);
        expect(relayed.kind).toBe('direct-only');
        expect(relayed.text).toContain('does not relay audio: it only gives tokens for streaming straight to Deepgram');
        expect(relayed.text).toContain('choose “Straight to Deepgram (direct)”');
        await saveScreenshot(options, testInfo, 'test-connection-relay-direct-only');
        await options.locator('#connection-mode input[value=direct]').check();
        const direct = await pressTestConnection(options);
        expect(direct.kind).toBe('ok');
        expect(direct.text).toContain('Works directly');
        expect(fakeDeepgram.connections.map((connection) => connection.auth)).toEqual(['bearer']);
      });
    });
  });
});
