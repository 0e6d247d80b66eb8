/**
 * Captionist in a real Firefox (Debian's firefox-esr, the built .output/firefox-mv3): the
 * microphone plays recorded LibriVox speech (a PulseAudio source, testkit/firefox/virtual-mic.ts)
 * through the real proxy and its local engine. The popup offers the microphone only and says why;
 * the first start asks for the microphone on the permission page; the capture runs in the pinned
 * capture tab; the words appear over the page and in the sidebar's page, which copies them on a
 * real click (the add-on has no clipboardWrite: wxt.config.ts) and exports them. A blocked
 * microphone says so, in Firefox's words.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestInfo } from '@playwright/test';
import type { Page } from 'puppeteer-core';
import { normalizeWords, wordErrorRate, formatWer } from '../../lib/wer';
import { startStaticServer } from '../../testkit/browser/static-server';
import { readFirefoxOverlay } from '../../testkit/firefox/overlay';
import { clickAsUser } from '../../testkit/firefox/user-click';
import type { LaunchedFirefox } from '../../testkit/firefox/launch';
import { matchedContentWords } from '../e2e/support/transcript-words';
import { saveText } from '../e2e/support/screenshots';
import { expect, test } from './support/fixtures';

/** As tests/e2e/microphone.spec.ts asks of Chromium's fake microphone: 6 of the reference's content words. */
const MIN_CONTENT_WORDS = 6;

const NOTES_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meeting notes</title>
<style>body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; background: #eef2f6; color: #222; }</style></head>
<body><h1>Meeting notes</h1><p>Captions of the microphone should appear over this page.</p></body></html>`;

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

interface PopupStatus {
  phase: string | null;
  text: string;
  advice: string;
}

function popupStatus(popup: Page): Promise<PopupStatus> {
  return popup.evaluate(() => ({
    phase: document.querySelector('[data-testid=status]')?.getAttribute('data-phase') ?? null,
    text: document.querySelector('[data-testid=status]')?.textContent.trim() ?? '',
    advice: document.querySelector('[data-testid=status-advice]')?.textContent.trim() ?? '',
  }));
}

/** A click on an element of a tab that is not in front (the popup's page beside the captioned tab). */
async function clickIn(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(`${selector}:not([disabled])`, { timeout: 10_000 });
  await page.$eval(selector, (element) => (element as HTMLElement).click());
}

/**
 * The user's start: the popup's page is open in a tab beside `notes` (a BiDi client cannot drive
 * the popup's panel), `notes` is in front, the toolbar button is clicked on it (which grants
 * activeTab, as a click does), and Start is pressed in the popup's page, which starts on the
 * selected tab exactly as the panel would.
 */
async function startFromPopup(firefox: LaunchedFirefox, notes: Page): Promise<Page> {
  const popup = await firefox.openExtensionPage('/popup.html');
  await popup.setViewport({ width: 380, height: 460 });
  await notes.bringToFront();
  await firefox.clickToolbarButton();
  await clickIn(popup, '[data-testid=start]');
  return popup;
}

async function waitForPopupPhase(popup: Page, phases: string[], timeoutMs: number): Promise<PopupStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await popupStatus(popup);
    if (last.phase !== null && phases.includes(last.phase)) return last;
    if (Date.now() > deadline) {
      // The background's own account of the session, for the failure message.
      // (`chrome` is Firefox's alias of the page's extension API; this file is typed for Node.)
      const session = await popup
        .evaluate(() => (globalThis as unknown as { chrome: { runtime: { sendMessage(message: object): Promise<unknown> } } }).chrome.runtime.sendMessage({ type: 'session/get' }).then((answer) => JSON.stringify(answer)))
        .catch(String);
      throw new Error(`The popup stayed "${last.phase ?? 'none'}" (not ${phases.join('|')}): ${last.text} ${last.advice}; session/get: ${session}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test.describe('Firefox: microphone captions with the local engine', () => {
  test.setTimeout(180_000);

  test('offers the microphone only, asks for it once, and captions recorded speech over the page and in the sidebar', async ({
    firefox,
    mic,
    audio,
    downloadDir,
  }, testInfo) => {
    const server = await startStaticServer({ '/notes.html': { html: NOTES_PAGE } });
    try {
      const { browser } = firefox;
      const [notes] = await browser.pages();
      if (!notes) throw new Error('Firefox opened no tab');
      await notes.goto(`${server.origin}/notes.html`);

      const popup = await startFromPopup(firefox, notes);
      // "This tab" is not offered, and the popup says why in one line.
      expect(await popup.$$eval('input[name=source]', (inputs) => inputs.map((input) => input.value))).toEqual(['mic']);
      expect(await popup.$eval('[data-testid=source-note]', (note) => note.textContent)).toContain("Firefox does not let add-ons record a tab's sound");

      // First start: no permission yet, so the permission page asks (the capture tab is in the background).
      const permission = await firefox.waitForExtensionPage('/permission.html', 20_000);
      await permission.waitForSelector('[data-testid=grant-mic]');
      expect(await permission.evaluate(() => document.body.textContent)).toContain('Remember this decision');
      await screenshot(permission, testInfo, 'permission-page');
      // The user allows with "Remember this decision" ticked, then presses Allow on the page.
      await firefox.rememberMicrophoneDecision(true);
      await clickIn(permission, '[data-testid=grant-mic]');
      // The page says it worked (or why not) before it closes itself.
      const granted = await permission
        .waitForFunction(() => document.querySelector('.saved, [data-testid=mic-error]')?.textContent ?? '', { timeout: 10_000 })
        .then((handle) => handle.jsonValue());
      expect(granted).toContain('Microphone allowed');

      // Granting starts captions on the tab the user started from, captured in the pinned tab.
      await waitForPopupPhase(popup, ['live'], 30_000);
      await screenshot(popup, testInfo, 'popup-live');
      const captureTab = await firefox.waitForExtensionPage('/capture.html', 5_000);
      expect(await captureTab.evaluate(() => document.body.textContent)).toContain('holds the microphone');
      await screenshot(captureTab, testInfo, 'capture-tab');

      const playing = mic.play(audio.mic);
      const finals = new Set<string>();
      let matched: string[] = [];
      await expect
        .poll(
          async () => {
            for (const line of (await readFirefoxOverlay(browser, notes)) ?? []) if (line.final && line.text) finals.add(line.text);
            matched = matchedContentWords(audio.referenceWords, [...finals].join(' '));
            return matched.length;
          },
          { timeout: 60_000, intervals: [250], message: `overlay final lines: ${JSON.stringify([...finals])}` },
        )
        .toBeGreaterThanOrEqual(MIN_CONTENT_WORDS);
      testInfo.annotations.push({ type: 'overlay words matched', description: matched.join(' ') });
      await notes.bringToFront();
      await screenshot(notes, testInfo, 'page-with-overlay');
      await playing;

      // The sidebar's page (the same document Firefox shows in its sidebar): transcript, copy, export.
      const panel = await firefox.openExtensionPage('/sidepanel.html');
      const utteranceText = () => panel.$$eval('[data-testid=utterance-text]', (items) => items.map((item) => item.textContent.trim()).join('\n'));
      // Wait for the clip's last words too (the engine finishes an utterance after its silence).
      await expect
        .poll(async () => matchedContentWords(audio.referenceWords, await utteranceText()).length, { timeout: 30_000, message: 'sidebar utterances' })
        .toBeGreaterThanOrEqual(MIN_CONTENT_WORDS);
      // The clip has ended: wait until the last utterance is in (the text stays the same for 3 s).
      let settled = '';
      for (let unchanged = 0; unchanged < 12; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const now = await utteranceText();
        unchanged = now === settled ? unchanged + 1 : 0;
        settled = now;
      }
      // Pressed with the mouse on a page holding no user activation: without clipboardWrite, Firefox
      // writes only within a gesture, and puppeteer's script click would bring one of its own.
      await clickAsUser(browser, panel, '[data-testid=copy]');
      await panel.waitForFunction(() => /\S/.test(document.querySelector('[data-testid=copy-status]')?.textContent ?? ''), { timeout: 5_000 });
      expect(await panel.$eval('[data-testid=copy-status]', (status) => status.textContent.trim())).toBe('Copied');
      const clipboard = await firefox.readClipboard();
      for (const line of settled.split('\n')) expect(clipboard).toContain(line.replace(/\s+/g, ' '));
      await saveText(testInfo, 'clipboard.txt', clipboard);
      await screenshot(panel, testInfo, 'sidebar-page');

      await panel.$eval('[data-testid=export-menu]', (menu) => ((menu as HTMLDetailsElement).open = true));
      await clickIn(panel, '[data-testid=export-txt]');
      let exported = '';
      await expect
        .poll(
          () => {
            const done = readdirSync(downloadDir).filter((name) => name.endsWith('.txt'));
            exported = done[0] ? readFileSync(path.join(downloadDir, done[0]), 'utf8') : '';
            return matchedContentWords(audio.referenceWords, exported).length;
          },
          { timeout: 15_000, message: `a .txt export in ${downloadDir}` },
        )
        .toBeGreaterThanOrEqual(MIN_CONTENT_WORDS);
      await saveText(testInfo, 'export.txt', exported);

      // Word error rate of the saved transcript against the clip's reference (the note compares it with Chromium's).
      const hypothesis = normalizeWords(settled.replace(/\n/g, ' '));
      const wer = wordErrorRate(audio.referenceWords, hypothesis);
      testInfo.annotations.push({ type: 'firefox WER', description: formatWer(wer) });
      await saveText(testInfo, 'wer.txt', `${formatWer(wer)}\nhypothesis: ${hypothesis.join(' ')}\nreference: ${audio.referenceWords.join(' ')}\n`);

      // Stop: the session ends and the capture tab goes with it.
      // (A fresh popup, as a new click opens: the real one closed when the permission tab opened.)
      await popup.close();
      const again = await firefox.openExtensionPage('/popup.html');
      await clickIn(again, '[data-testid=stop]');
      await waitForPopupPhase(again, ['idle'], 20_000);
      await expect.poll(async () => (await firefox.findExtensionPage('/capture.html')) !== null, { timeout: 10_000, message: 'capture tab closed' }).toBe(false);
    } finally {
      await server.close();
    }
  });

  test('a blocked microphone says so in the popup, in Firefox’s words', async ({ firefox }, testInfo) => {
    const server = await startStaticServer({ '/notes.html': { html: NOTES_PAGE } });
    try {
      const [notes] = await firefox.browser.pages();
      if (!notes) throw new Error('Firefox opened no tab');
      await notes.goto(`${server.origin}/notes.html`);
      // The user chose "Block" with "Remember this decision" earlier.
      await firefox.rememberMicrophoneDecision(false);
      const popup = await startFromPopup(firefox, notes);
      const status = await waitForPopupPhase(popup, ['error'], 30_000);
      expect(status.text).toContain('Firefox blocks the microphone for Captionist.');
      expect(status.advice).toContain('Allow the microphone for Captionist in Firefox');
      await popup.bringToFront();
      await screenshot(popup, testInfo, 'popup-mic-blocked');
      // Nothing is left capturing.
      await expect.poll(async () => (await firefox.findExtensionPage('/capture.html')) !== null, { timeout: 10_000, message: 'capture tab closed' }).toBe(false);
    } finally {
      await server.close();
    }
  });
});
