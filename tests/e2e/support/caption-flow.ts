/**
 * Assertions the caption specs share: the popup's phase, what the overlay shows, the side panel
 * and Copy, stopping from the popup. Starting captions is testkit/captions/start-captions.ts
 * (shared with the benchmarks).
 */
import type { Page, TestInfo } from '@playwright/test';
import { OverlayWatcher } from '../../../testkit/browser/captions';
import type { LaunchedBrowser } from '../../../testkit/browser/launch';
import type { ActionPopup, PopupStatus } from '../../../testkit/browser/popup';
import { clickToolbarButton } from '../../../testkit/captions/start-captions';
import { expect } from './fixtures';
import { saveScreenshot, saveText } from './screenshots';
import { copyTranscript, openSidePanel, readUtterances } from './side-panel';
import { matchedContentWords } from './transcript-words';

export async function expectPhase(popup: ActionPopup, phases: PopupStatus['phase'][], timeoutMs: number): Promise<PopupStatus> {
  const wanted = phases.filter((p): p is NonNullable<typeof p> => p !== null);
  const result = await popup.waitForPhase(wanted, timeoutMs);
  expect(result.status.phase, `popup status: ${result.status.text}`).toMatch(new RegExp(`^(${wanted.join('|')})$`));
  return result.status;
}

/** Turns the voice gate off in Options, as a user can: every 100 ms batch then reaches the socket, silence too. */
export async function turnOffVoiceGate(app: LaunchedBrowser): Promise<void> {
  const options = await app.context.newPage();
  await options.goto(`chrome-extension://${app.extensionId}/options.html`);
  await options.locator('#vad-enabled').uncheck();
  await options.locator('#save').click();
  await expect(options.locator('[data-testid=options-status]')).toContainText('Saved');
  await options.close();
}

/** Opens the popup on `page`, presses Stop and waits for idle. */
export async function stopFromPopup(app: LaunchedBrowser, page: Page): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await popup.waitForEnabled('[data-testid=stop]');
    await popup.click('[data-testid=stop]');
    await expectPhase(popup, ['idle'], 15_000);
  } finally {
    await popup.close();
  }
}

/**
 * Polls the overlay until its final lines hold at least `minWords` content words of the
 * reference; returns the words matched and every final line seen.
 */
export async function waitForReferenceWords(
  watcher: OverlayWatcher,
  referenceWords: readonly string[],
  minWords: number,
  timeoutMs: number,
): Promise<{ matched: string[]; lines: string[] }> {
  let matched: string[] = [];
  await expect
    .poll(
      async () => {
        await watcher.poll();
        matched = matchedContentWords(referenceWords, watcher.finalTexts().join(' '));
        return matched.length;
      },
      { timeout: timeoutMs, intervals: [250], message: `overlay final lines: ${JSON.stringify(watcher.finalTexts())}` },
    )
    .toBeGreaterThanOrEqual(minWords);
  return { matched, lines: watcher.finalTexts() };
}

/**
 * The side panel shows the transcript with a time on each utterance, and Copy puts the same words
 * on the clipboard. Saves a screenshot of the panel.
 */
export async function checkSidePanelAndCopy(
  app: LaunchedBrowser,
  testInfo: TestInfo,
  referenceWords: readonly string[],
  minWords: number,
): Promise<{ panelText: string; clipboard: string }> {
  const panel = await openSidePanel(app.context, app.extensionId);
  try {
    await expect
      .poll(async () => matchedContentWords(referenceWords, (await readUtterances(panel)).map((u) => u.text).join(' ')).length, {
        timeout: 15_000,
        message: 'side panel utterances with reference words',
      })
      .toBeGreaterThanOrEqual(minWords);
    const utterances = await readUtterances(panel);
    for (const utterance of utterances) expect(utterance.time, `time of "${utterance.text}"`).toMatch(/^\d{2,}:\d{2}:\d{2}$/);
    const copied = await copyTranscript(panel);
    expect(copied.status).toBe('Copied');
    await saveScreenshot(panel, testInfo, 'side-panel');
    // What was shown is what was copied: every utterance, with its time.
    for (const utterance of utterances) {
      expect(copied.clipboard).toContain(utterance.text.replace(/\s+/g, ' '));
      expect(copied.clipboard).toContain(`[${utterance.time}]`);
    }
    expect(matchedContentWords(referenceWords, copied.clipboard).length).toBeGreaterThanOrEqual(minWords);
    await saveText(testInfo, 'clipboard.txt', copied.clipboard);
    return { panelText: utterances.map((u) => u.text).join('\n'), clipboard: copied.clipboard };
  } finally {
    await panel.close();
  }
}
