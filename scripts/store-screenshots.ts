/**
 * `npm run store:screenshots`: the Chrome Web Store screenshots (1280x800, the size the store
 * asks for), taken from the built extension in Chromium (run `npx wxt build` first), into
 * store/screenshots/. Three sample meetings (scripts/store-sample-meetings.ts) are saved into the
 * extension's history; the side panel page is shown at a side panel's width beside a caption of
 * what it does, and the options page at full size.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { launchWithExtension } from '../testkit/browser/launch';
import { seedSession } from '../testkit/history/seed-archive';
import { SAMPLE_MEETINGS, sampleUtterances } from './store-sample-meetings';

const OUT = path.resolve(import.meta.dirname, '../store/screenshots');
const SIZE = { width: 1280, height: 800 };
const PANEL = { width: 440, height: 800 };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** The panel beside a headline and a sentence, on one 1280x800 image. */
async function compose(stage: Page, panelPng: Buffer, headline: string, text: string, file: string): Promise<void> {
  await stage.setViewportSize(SIZE);
  await stage.setContent(`<!doctype html><meta charset="utf-8"><style>
    html,body{margin:0;height:100%;font-family:system-ui,sans-serif;background:linear-gradient(135deg,#0b57d0,#073a8c);color:#fff}
    .wrap{display:flex;height:100%;align-items:center;gap:64px;padding:0 72px;box-sizing:border-box}
    .copy{flex:1} h1{font-size:48px;line-height:1.15;margin:0 0 24px} p{font-size:24px;line-height:1.45;margin:0;opacity:.92}
    img{width:${PANEL.width}px;height:${PANEL.height - 80}px;object-fit:cover;object-position:top;border-radius:14px;box-shadow:0 18px 48px rgb(0 0 0/.35)}
  </style><div class="wrap"><div class="copy"><h1>${escapeHtml(headline)}</h1><p>${escapeHtml(text)}</p></div>
  <img src="data:image/png;base64,${panelPng.toString('base64')}"></div>`);
  await stage.screenshot({ path: path.join(OUT, file) });
}

mkdirSync(OUT, { recursive: true });
const launched = await launchWithExtension({ headless: true });
if (!launched.ok) throw new Error(launched.message);
const browser = launched.browser;
try {
  const base = `chrome-extension://${browser.extensionId}`;
  const panel = await browser.context.newPage();
  await panel.setViewportSize({ width: PANEL.width, height: PANEL.height - 80 });
  await panel.emulateMedia({ colorScheme: 'light' });
  await panel.goto(`${base}/sidepanel.html`);
  await panel.locator('[data-testid=tab-history]').click();
  await panel.locator('[data-testid=history-empty]').waitFor({ timeout: 20_000 });
  for (const [i, meeting] of SAMPLE_MEETINGS.entries()) {
    await seedSession(panel, {
      id: `store-${i}`,
      title: meeting.title,
      origin: meeting.origin,
      startedAt: Date.now() - meeting.hoursAgo * 3_600_000,
      utterances: sampleUtterances(meeting),
    });
  }
  await panel.reload();
  await panel.locator('[data-testid=tab-history]').click();
  await panel.locator('[data-testid=history-item]').first().waitFor({ timeout: 20_000 });
  const stage = await browser.context.newPage();

  await compose(stage, await panel.screenshot(), 'Every meeting, saved on your computer', 'Past sessions keep each transcript with its page, date and length. Rename, export or delete them.', '1-past-sessions.png');

  await panel.locator('[data-testid=history-search]').fill('budget');
  await panel.locator('[data-testid=history-search-group]').first().waitFor({ timeout: 20_000 });
  await compose(stage, await panel.screenshot(), 'Search all your meetings at once', 'Find the moment a decision was made: every match in context, one click opens the meeting at that line.', '2-search.png');

  await panel.locator('[data-testid=history-search-hit]').nth(1).click();
  await panel.locator('mark[data-current=true]').waitFor({ timeout: 10_000 });
  const lineId = await panel.locator('[data-testid=utterance]').filter({ has: panel.locator('mark[data-current=true]') }).getAttribute('data-utterance-id');
  const row = panel.locator(`[data-testid=utterance][data-utterance-id="${lineId ?? ''}"]`);
  await row.locator('[data-testid=utterance-edit]').click();
  await compose(stage, await panel.screenshot(), 'Fix a word, keep the timing', 'Correct any line after the meeting. Text, Markdown, SRT, WebVTT and JSON exports all carry the fix.', '3-correct-a-line.png');
  await row.locator('[data-testid=utterance-edit-input]').press('Escape');

  const options = await browser.context.newPage();
  await options.setViewportSize(SIZE);
  await options.emulateMedia({ colorScheme: 'light' });
  await options.goto(`${base}/options.html`);
  await options.locator('form, main').first().waitFor({ timeout: 20_000 });
  await options.waitForTimeout(500);
  await options.screenshot({ path: path.join(OUT, '4-options.png') });
  console.log(`Saved 4 screenshots (${SIZE.width}x${SIZE.height}) in ${path.relative(process.cwd(), OUT)}`);
} finally {
  await browser.close();
}
