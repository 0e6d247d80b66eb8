/**
 * The proxy's fallback chain and the Deepgram-compatible server's quirks, seen in a real Chromium
 * with the built extension (issue 15); tests/proxy/upstream-fallback.test.ts and
 * compatible-server.test.ts hold the same pieces at the proxy level only.
 *
 * - Fallback: UPSTREAMS=deepgram,compatible with a fake Deepgram refusing every stream with 402
 *   (out of credit): captions come from the compatible server, and the popup and the overlay say
 *   why, in the words of public/_locales/en/messages.json (engineFallbackRefused).
 * - Quirks: UPSTREAMS=compatible alone, the WhisperLiveKit-like fake of
 *   testkit/upstream/compatible.ts (interims without words, confidence 0, no Metadata at the close,
 *   close 1000 on CloseStream): captions appear, and Stop ends the session cleanly with the
 *   transcript kept and no error shown.
 */
import type { Page } from '@playwright/test';
import { OverlayWatcher } from '../../testkit/browser/captions';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { startFakeUpstream, type FakeDeepgram } from '../../testkit/upstream';
import { startCompatibleServer, type CompatibleServer } from '../../testkit/upstream/compatible';
import { stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-upstream-chain-e2e';
/** Words only the compatible fake says: seeing them proves which engine served the captions. */
const COMPATIBLE_WORDS = ['served', 'by', 'the', 'self', 'hosted', 'whisper', 'server'];
/** engineFallbackRefused with engineFromDeepgram and engineUsingCompatible, as the user reads it. */
const FALLBACK_NOTICE = 'Deepgram refused (402): using the self-hosted speech server.';

type Chain = 'deepgram,compatible' | 'compatible';

const test = base.extend<{ upstreams: Chain; compatible: CompatibleServer; refusingDeepgram: FakeDeepgram | undefined }>({
  upstreams: ['compatible', { option: true }],
  compatible: async ({}, use) => {
    const server = await startCompatibleServer({ script: [COMPATIBLE_WORDS] });
    try {
      await use(server);
    } finally {
      await server.close();
    }
  },
  refusingDeepgram: async ({ upstreams }, use) => {
    if (!upstreams.startsWith('deepgram')) return use(undefined);
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, rejectUpgrade: { status: 402 } });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
  proxyEnv: async ({ upstreams, compatible, refusingDeepgram }, use) => {
    await use({
      UPSTREAMS: upstreams,
      COMPATIBLE_URL: compatible.url,
      ...(refusingDeepgram ? { DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: refusingDeepgram.url } : {}),
    });
  },
});

/** Waits until the overlay's final lines hold every word of the compatible fake's script. */
async function waitForCompatibleCaptions(watcher: OverlayWatcher): Promise<string[]> {
  await expect
    .poll(
      async () => {
        await watcher.poll();
        return watcher.finalTexts().some((line) => COMPATIBLE_WORDS.every((word) => line.toLowerCase().includes(word)));
      },
      { timeout: 60_000, intervals: [250], message: `overlay final lines: ${JSON.stringify(watcher.finalTexts())}` },
    )
    .toBe(true);
  return watcher.finalTexts();
}

/** The popup's document in a tab (the real popup is not a Playwright page), sized as Chrome shows it. */
async function openPopupPage(app: Pick<LaunchedBrowser, 'context' | 'extensionId'>): Promise<Page> {
  const popup = await app.context.newPage();
  await popup.setViewportSize({ width: 360, height: 420 });
  await popup.goto(`chrome-extension://${app.extensionId}/popup.html`);
  return popup;
}

test.describe('upstream chain in the browser', () => {
  test.setTimeout(150_000);

  test.describe('Deepgram out of credit, the compatible server behind it', () => {
    test.use({ upstreams: 'deepgram,compatible' });

    test('captions come from the compatible server and the popup says Deepgram refused (402)', async ({ app, audio, compatible, refusingDeepgram }, testInfo) => {
      const speech = await startSpeechPage(audio.page, 'Upstream fallback');
      try {
        const page = await startCaptionsOnPlayingPage(app, speech.url);
        const watcher = new OverlayWatcher(page);
        const lines = await waitForCompatibleCaptions(watcher);
        await saveText(testInfo, 'overlay-lines.txt', lines.join('\n'));

        // The stream reached the compatible server, with no key (none is configured for it).
        expect(compatible.connections.length).toBeGreaterThan(0);
        expect(compatible.connections[0]?.authorization).toBeUndefined();
        // The fake Deepgram refused at the handshake: no stream ever opened on it.
        expect(refusingDeepgram?.connections).toEqual([]);

        // The overlay and the popup both say why the captions come from elsewhere.
        await expect.poll(async () => (await watcher.poll())?.notice ?? '', { timeout: 10_000, message: 'the notice over the page' }).toContain(FALLBACK_NOTICE);
        await saveScreenshot(page, testInfo, 'page-with-fallback-notice');
        const popup = await openPopupPage(app);
        await expect(popup.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'live');
        await expect(popup.locator('[data-testid=warning]')).toHaveText(FALLBACK_NOTICE);
        await saveScreenshot(popup, testInfo, 'popup-fallback-notice');
        await popup.close();

        await stopFromPopup(app, page);
      } finally {
        await speech.server.close();
      }
    });
  });

  test.describe('a WhisperLiveKit-like server alone', () => {
    test.use({ upstreams: 'compatible' });

    test('captions appear from interims without words and confidence 0; Stop ends cleanly and keeps the transcript', async ({ app, audio, compatible }, testInfo) => {
      const speech = await startSpeechPage(audio.page, 'Compatible server quirks');
      try {
        const page = await startCaptionsOnPlayingPage(app, speech.url);
        const watcher = new OverlayWatcher(page);
        watcher.start(100);
        try {
          await waitForCompatibleCaptions(watcher);
        } finally {
          watcher.stop();
        }
        // Its interims carry text and no words (and confidence 0): shown as the live tail all the same.
        expect(compatible.connections[0]?.sent.some((m) => m.is_final === false), 'the fake sent interims').toBe(true);
        const interims = watcher.interimTexts();
        await saveText(testInfo, 'overlay-interims.txt', interims.join('\n'));
        expect(interims.some((text) => COMPATIBLE_WORDS.join(' ').startsWith(text.toLowerCase())), `interims on the overlay: ${JSON.stringify(interims)}`).toBe(true);

        const panel = await openSidePanel(app.context, app.extensionId);
        await panel.setViewportSize({ width: 420, height: 640 });
        await expect
          .poll(async () => (await readUtterances(panel)).map((u) => u.text.toLowerCase()).join(' '), { timeout: 30_000, message: 'the panel transcript' })
          .toContain(COMPATIBLE_WORDS.join(' '));

        await stopFromPopup(app, page);

        // The server got CloseStream and closed at once (1000, no Metadata, no last results).
        const connection = compatible.connections.at(-1);
        expect(connection?.controls).toContain('CloseStream');
        expect(connection?.sent.filter((m) => m.type === 'Metadata')).toHaveLength(1);

        // Nothing is reported as an error, and the transcript stays in the side panel.
        const status = panel.locator('[data-testid=status]');
        await expect(status).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
        await expect(status).toHaveAttribute('data-status', 'idle');
        await expect(panel.locator('.status-reason')).toHaveCount(0);
        await expect(panel.locator('[data-testid=warning]')).toHaveCount(0);
        const kept = await readUtterances(panel);
        expect(kept.map((u) => u.text.toLowerCase()).join(' ')).toContain(COMPATIBLE_WORDS.join(' '));
        await saveScreenshot(panel, testInfo, 'side-panel-after-stop');

        const popup = await openPopupPage(app);
        await expect(popup.locator('[data-testid=status]')).toHaveAttribute('data-status', 'idle');
        await expect(popup.locator('.status-reason')).toHaveCount(0);
        await saveScreenshot(popup, testInfo, 'popup-after-stop');
        await popup.close();
        await panel.close();
      } finally {
        await speech.server.close();
      }
    });
  });
});
