/**
 * The user's start, shared by the e2e specs and the benchmarks: on a page playing speech, click the
 * toolbar button, choose the source, press Start and wait (bounded) until the session is live.
 * No test-runner assertions here: a failure throws with what the popup said, so a benchmark gets
 * the same reason a spec does.
 */
import type { Page } from '@playwright/test';
import type { CaptureSource } from '../../lib/contract/messages';
import type { LaunchedBrowser } from '../browser/launch';
import { openActionPopup, type ActionPopup } from '../browser/popup';
import { waitForPlayback } from './speech-page';

/** The popup's source radios carry the contract's values. */
export type CaptionSource = CaptureSource;

/** What the helpers need of a launched browser (a spec's `app`, a benchmark's browser). */
export type ExtensionBrowser = Pick<LaunchedBrowser, 'cdp' | 'extensionId' | 'context'>;

export interface StartCaptionsOptions {
  /** Default 'tab'. */
  source?: CaptionSource;
  /**
   * Wait for the page's #speech element to be playing first (default true). A page that starts
   * its own audio once capture is live (or has none) passes false.
   */
  waitForPlayback?: boolean;
  /** How long the popup may take to reach live; default 20 s. */
  liveTimeoutMs?: number;
}

/** Clicks the toolbar button on `page` and returns the popup it opened; throws if none opened. */
export async function clickToolbarButton(app: ExtensionBrowser, page: Page): Promise<ActionPopup> {
  const opened = await openActionPopup(app.cdp, app.extensionId, page);
  if (!opened.ok) throw new Error(opened.message);
  return opened.popup;
}

/** In an open popup: chooses the source and presses Start (does not wait for the outcome). */
export async function pressStart(popup: ActionPopup, source: CaptionSource): Promise<void> {
  const radio = `input[name=source][value=${source}]`;
  await popup.waitForEnabled(radio);
  await popup.click(radio);
  if (!(await popup.evaluate<boolean>(`document.querySelector(${JSON.stringify(radio)}).checked`))) {
    throw new Error(`The popup's ${source} source did not stay chosen`);
  }
  await popup.waitForEnabled('[data-testid=start]');
  await popup.click('[data-testid=start]');
}

/**
 * Starts captions on a page playing speech and resolves once live. `target` is an open page, or
 * a URL to open in a new tab. Returns the page. The popup is closed either way.
 */
export async function startCaptionsOnPlayingPage(app: ExtensionBrowser, target: Page | string, options: StartCaptionsOptions = {}): Promise<Page> {
  let page: Page;
  if (typeof target === 'string') {
    page = await app.context.newPage();
    await page.goto(target);
  } else {
    page = target;
  }
  if (options.waitForPlayback ?? true) await waitForPlayback(page);
  const popup = await clickToolbarButton(app, page);
  try {
    await pressStart(popup, options.source ?? 'tab');
    const live = await popup.waitForPhase(['live'], options.liveTimeoutMs ?? 20_000);
    if (!live.ok) throw new Error(`Captions did not go live (popup phase ${live.status.phase ?? 'none'}): ${live.status.text}`);
  } finally {
    await popup.close();
  }
  return page;
}

/** Presses Stop in the toolbar popup, as a user would, and waits (bounded) until the session is idle. */
export async function stopCaptions(app: ExtensionBrowser, page: Page): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await popup.waitForEnabled('[data-testid=stop]');
    await popup.click('[data-testid=stop]');
    const idle = await popup.waitForPhase(['idle', 'error'], 60_000);
    if (!idle.ok) throw new Error(`The session did not stop: ${idle.status.text}`);
  } finally {
    await popup.close();
  }
}
