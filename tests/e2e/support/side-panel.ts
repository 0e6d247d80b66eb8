/**
 * The side panel page opened in a normal tab (Playwright cannot drive Chrome's real side panel;
 * the page is the same document and reads the transcript from the offscreen document).
 */
import type { BrowserContext, Page } from '@playwright/test';

export interface PanelUtterance {
  speaker: string;
  /** The speaker's name as shown ("Speaker 1", "You", a given name); '' without diarization. */
  label: string;
  time: string;
  text: string;
}

export async function openSidePanel(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/sidepanel.html`);
  return page;
}

export async function readUtterances(panel: Page): Promise<PanelUtterance[]> {
  return panel.locator('[data-testid=utterance]').evaluateAll((items) =>
    items.map((item) => ({
      speaker: item.getAttribute('data-speaker') ?? '',
      label: (item.querySelector('[data-testid=utterance-speaker]')?.textContent ?? '').trim(),
      time: (item.querySelector('[data-testid=utterance-time]')?.textContent ?? '').trim(),
      text: (item.querySelector('[data-testid=utterance-text]')?.textContent ?? '').trim(),
    })),
  );
}

/**
 * Presses Copy and returns what the clipboard then holds. The context must have been granted
 * clipboard-read/clipboard-write for the extension origin, and the page must have focus.
 */
export async function copyTranscript(panel: Page): Promise<{ status: string; clipboard: string }> {
  await panel.bringToFront();
  await panel.locator('[data-testid=copy]').click();
  const status = panel.locator('[data-testid=copy-status]');
  await status.filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
  const statusText = ((await status.textContent()) ?? '').trim();
  const clipboard = await panel.evaluate(() => navigator.clipboard.readText());
  return { status: statusText, clipboard };
}
