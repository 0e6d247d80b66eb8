/**
 * Issue 15, "The proxies people already run": a user who runs a /ws/transcribe relay (as most
 * Deepgram integration guides build one; tests/fixtures/transcribe-relay.ts, with the fake
 * Deepgram behind it) points Captionist at it. In Options they choose "A transcription relay",
 * see the warning about the token in the URL, and Test connection names the relay and says it
 * works only after captions came back. Then captions from both speakers appear on the page over
 * one connection that never carried a text frame (a relay drops the connection at one).
 */
import type { Page } from '@playwright/test';
import { readOverlay } from '../../testkit/browser/captions';
import { launchWithExtension, type LaunchedBrowser } from '../../testkit/browser/launch';
import { configureExtension } from '../../testkit/browser/options-page';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage, waitForPlayback } from '../../testkit/captions/speech-page';
import { startFakeUpstream, type FakeDeepgram } from '../../testkit/upstream';
import { RELAY_MULTI_SPEAKER_PATH, startTranscribeRelay, type TranscribeRelay } from '../fixtures/transcribe-relay';
import { stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';

const UPSTREAM_KEY = 'fake-deepgram-key-behind-the-relay';
const RELAY_TOKEN = 'relay-user-token-e2e';
const SPEAKER_0 = ['thanks', 'for', 'joining', 'the', 'call'];
const SPEAKER_1 = ['happy', 'to', 'be', 'here', 'today'];

const sentence = (words: string[]) => new RegExp(words.join('\\W+'), 'i');

const test = base.extend<{ fakeDeepgram: FakeDeepgram; relay: TranscribeRelay }>({
  fakeDeepgram: async ({}, use) => {
    const fake = await startFakeUpstream({
      mode: 'normal',
      apiKey: UPSTREAM_KEY,
      script: [
        { speaker: 0, words: SPEAKER_0 },
        { speaker: 1, words: SPEAKER_1 },
      ],
    });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
  relay: async ({ fakeDeepgram }, use) => {
    const relay = await startTranscribeRelay({ upstreamUrl: fakeDeepgram.url, upstreamKey: UPSTREAM_KEY, tokens: [RELAY_TOKEN] });
    try {
      await use(relay);
    } finally {
      await relay.close();
    }
  },
  // The browser alone, without the Captionist proxy the shared fixture starts: the relay is the server.
  app: async ({}, use, testInfo) => {
    const launched = await launchWithExtension({ headless: true });
    if (!launched.ok) throw new Error(launched.message);
    const logs: string[] = [];
    launched.browser.context.on('console', (message) => logs.push(`[${message.type()}] ${message.location().url} ${message.text()}`));
    try {
      await use(launched.browser);
    } finally {
      await testInfo.attach('browser-console.txt', { body: logs.join('\n'), contentType: 'text/plain' });
      await launched.browser.close();
    }
  },
});

async function openOptions(app: LaunchedBrowser): Promise<Page> {
  const page = await app.context.newPage();
  await page.goto(`chrome-extension://${app.extensionId}/options.html`);
  return page;
}

test.describe('a /ws/transcribe relay the user already runs', () => {
  test.setTimeout(150_000);

  test('Options names the relay and warns about the token in the URL; captions from both speakers reach the page', async ({ app, audio, relay }, testInfo) => {
    const relayUrl = `${relay.origin}${RELAY_MULTI_SPEAKER_PATH}`;

    // Options: choosing the relay shows the warning; saving keeps the choice.
    const configured = await configureExtension(app.context, app.extensionId, { proxyUrl: relayUrl, token: RELAY_TOKEN, serverKind: 'relay' });
    expect(configured, JSON.stringify(configured)).toEqual({ ok: true });
    const options = await openOptions(app);
    await expect(options.locator('input[name=server-kind][value=relay]')).toBeChecked();
    await expect(options.locator('[data-testid=relay-token-warning]')).toContainText('api_key');
    await options.locator('[data-testid=test-connection]').click();
    const result = options.locator('[data-testid=connection-result]');
    await expect(result).toHaveAttribute('data-kind', 'ok', { timeout: 30_000 });
    await expect(result).toContainText('transcription relay');
    await expect(result).toContainText('sent captions back');
    // The whole Connection section: the choice, the warning and the result together.
    const section = testInfo.outputPath('options-relay-connection.png');
    await options.locator('section[aria-labelledby=connection-title]').screenshot({ path: section, timeout: 10_000 });
    await testInfo.attach('options-relay-connection', { path: section, contentType: 'image/png' });
    await options.close();
    const probes = relay.connections.length;
    expect(relay.connections.every((c) => c.textFrames.length === 0), 'Test connection sent no text frame').toBe(true);

    // Captions: the relay's messages become lines, with each speaker's colour.
    const speech = await startSpeechPage(audio.page, 'Captionist relay test');
    try {
      const page = await app.context.newPage();
      await page.goto(speech.url);
      await waitForPlayback(page);
      await startCaptionsOnPlayingPage(app, page);
      await expect
        .poll(
          async () => {
            const finals = (await readOverlay(page)).lines.filter((l) => l.final);
            return [finals.some((l) => sentence(SPEAKER_0).test(l.text)), finals.some((l) => sentence(SPEAKER_1).test(l.text))];
          },
          { timeout: 60_000, message: 'final lines of both speakers in the overlay' },
        )
        .toEqual([true, true]);
      const { lines } = await readOverlay(page);
      await saveText(testInfo, 'overlay-lines.txt', lines.map((l) => `${l.speaker} ${l.final ? 'final' : 'interim'}: ${l.text}`).join('\n'));
      const first = lines.find((l) => l.final && sentence(SPEAKER_0).test(l.text));
      const second = lines.find((l) => l.final && sentence(SPEAKER_1).test(l.text));
      expect(first?.speaker).toBe('0');
      expect(second?.speaker).toBe('1');
      await saveScreenshot(page, testInfo, 'page-with-relay-captions');

      // The side panel has the transcript, and no "Key terms" menu: the relay chooses its own,
      // and the Configure it would send is a text frame.
      const panel = await openSidePanel(app.context, app.extensionId);
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 30_000, message: 'the relay\'s lines in the side panel' }).toBeGreaterThan(1);
      await expect(panel.locator('[data-testid=copy]')).toBeVisible();
      await expect(panel.locator('[data-testid=keyterms-menu]')).toHaveCount(0);
      await panel.close();

      // A few seconds more: KeepAlive or Finalize as text would have dropped and reconnected it.
      await page.waitForTimeout(6_000);
      await stopFromPopup(app, page);
      const session = relay.connections.slice(probes);
      await saveText(testInfo, 'relay-connections.json', JSON.stringify(session.map(({ sent, closed: _closed, ...rest }) => ({ ...rest, messages: sent.length })), null, 2));
      expect(session, 'one relay connection for the whole session').toHaveLength(1);
      expect(session[0]?.apiKey).toBe(RELAY_TOKEN);
      expect(session[0]?.offeredProtocols).toBe('');
      expect(session[0]?.textFrames).toEqual([]);
      expect(session[0]?.audioBytes).toBeGreaterThan(32_000 * 3);
    } finally {
      await speech.server.close();
    }
  });
});
