/**
 * Key terms changed during a live session (Deepgram's Configure), from the side panel, against the
 * real proxy and the fake Deepgram: a change the server takes shows the terms it now uses; a list
 * over the limits is refused before anything is sent; a change the server refuses shows its
 * reason; captions go on throughout. The fake refuses one term on purpose, standing for the reasons
 * only a server can judge. Screenshots of both answers are kept.
 */
import type { Page } from '@playwright/test';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { startFakeUpstream, type FakeDeepgram } from '../../testkit/upstream';
import { stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-deepgram-options-e2e';
const REFUSED_TERM = 'Forbidden Term';
const REFUSAL = 'this server does not take that term';

const test = base.extend<{ fakeDeepgram: FakeDeepgram }>({
  fakeDeepgram: async ({}, use) => {
    const fake = await startFakeUpstream({
      mode: 'normal',
      apiKey: DEEPGRAM_KEY,
      script: [{ speaker: 0, words: ['the', 'captions', 'keep', 'coming'] }],
      refuseConfigure: (keyterms) => (keyterms.includes(REFUSED_TERM) ? REFUSAL : undefined),
    });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
  proxyEnv: async ({ fakeDeepgram }, use) => {
    await use({ DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: fakeDeepgram.url });
  },
});

async function sendKeyterms(panel: Page, text: string): Promise<void> {
  const menu = panel.locator('[data-testid=keyterms-menu]');
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) await menu.locator('summary').click();
  await panel.locator('[data-testid=keyterms-input]').fill(text);
  await panel.locator('[data-testid=keyterms-apply]').click();
}

const configuresSent = (fake: FakeDeepgram) => fake.connections.flatMap((c) => c.controls).filter((type) => type === 'Configure').length;

test.describe('Deepgram options', () => {
  test.setTimeout(150_000);

  test('changes key terms during a live session and shows what the server took and what it refused', async ({ app, audio, fakeDeepgram }, testInfo) => {
    // Options: the model-improvement opt-out is on unless turned off, redaction off; each says what it does.
    const options = await app.context.newPage();
    await options.goto(`chrome-extension://${app.extensionId}/options.html`);
    await options.setViewportSize({ width: 760, height: 900 });
    await expect(options.locator('#mip-opt-out')).toBeChecked();
    for (const kind of ['pci', 'pii', 'phi', 'numbers']) await expect(options.locator(`[data-testid=redact-${kind}]`)).not.toBeChecked();
    await options.locator('#redact').scrollIntoViewIfNeeded();
    await saveScreenshot(options, testInfo, 'options-deepgram');
    await options.close();

    const speech = await startSpeechPage(audio.page, 'Key terms live');
    try {
      const page = await startCaptionsOnPlayingPage(app, speech.url);
      const panel = await openSidePanel(app.context, app.extensionId);
      await panel.setViewportSize({ width: 420, height: 640 });
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 60_000, message: 'captions in the panel' }).toBeGreaterThan(0);
      // The extension asked Deepgram not to keep the audio.
      expect(fakeDeepgram.connections[0]?.query.get('mip_opt_out')).toBe('true');

      // Taken: the server's ConfigureSuccess names the terms now in effect.
      await sendKeyterms(panel, 'Captionist\nDana Scully');
      const status = panel.locator('[data-testid=keyterms-status]');
      await expect(status).toHaveAttribute('data-outcome', 'applied', { timeout: 15_000 });
      await expect(status).toContainText('Captionist, Dana Scully');
      expect(fakeDeepgram.connections.at(-1)?.keyterms).toEqual(['Captionist', 'Dana Scully']);
      await saveScreenshot(panel, testInfo, 'keyterms-applied');

      // Over the limits: refused by the extension, nothing sent (the proxy would end the stream).
      const sentBefore = configuresSent(fakeDeepgram);
      await sendKeyterms(panel, Array.from({ length: 101 }, (_, i) => `term ${i}`).join('\n'));
      await expect(status).toHaveAttribute('data-outcome', 'refused-extension', { timeout: 5_000 });
      await expect(status).toContainText('101');
      expect(configuresSent(fakeDeepgram)).toBe(sentBefore);

      // Refused by the server: its ConfigureFailure's reason is shown, and the terms stay as they were.
      await sendKeyterms(panel, `Captionist\n${REFUSED_TERM}`);
      await expect(status).toHaveAttribute('data-outcome', 'refused-server', { timeout: 15_000 });
      await expect(status).toContainText(REFUSAL);
      expect(fakeDeepgram.connections.at(-1)?.keyterms).toEqual(['Captionist', 'Dana Scully']);
      await saveScreenshot(panel, testInfo, 'keyterms-refused');

      // Captions went on through all of it.
      const rows = (await readUtterances(panel)).length;
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 30_000, message: 'more captions after the changes' }).toBeGreaterThan(rows);
      await stopFromPopup(app, page);
    } finally {
      await speech.server.close();
    }
  });
});
