/**
 * The toolbar click, as a user makes it: CDP `Extensions.triggerAction` on the tab's target opens
 * the action popup on that tab (and grants tabCapture for it, like a real click). The popup is a
 * CDP `page` target that Playwright does not list, so it is driven over a flat CDP session.
 */
import type { Page } from '@playwright/test';
import { evaluateIn, getTargets, type CdpClient, type TargetInfo } from './cdp-client';

export type PopupPhase = 'idle' | 'starting' | 'connecting' | 'live' | 'stopping' | 'error';

export interface PopupStatus {
  phase: PopupPhase | null;
  text: string;
}

export interface ActionPopup {
  targetId: string;
  sessionId: string;
  evaluate<T>(expression: string): Promise<T>;
  /** Clicks the first element matching `selector` (as a user gesture). */
  click(selector: string): Promise<void>;
  /** Waits until `selector` matches an element that is not disabled. */
  waitForEnabled(selector: string, timeoutMs?: number): Promise<void>;
  status(): Promise<PopupStatus>;
  /** Waits for the status phase to be one of `phases`; returns the last status seen either way. */
  waitForPhase(phases: PopupPhase[], timeoutMs: number): Promise<{ ok: boolean; status: PopupStatus }>;
  close(): Promise<void>;
}

export type OpenPopupResult = { ok: true; popup: ActionPopup } | { ok: false; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `tab` target (not the `page` target) is what triggerAction accepts; matched by URL. */
export async function findTabTarget(cdp: CdpClient, url: string): Promise<TargetInfo | undefined> {
  const tabs = await getTargets(cdp, [{ type: 'tab' }]);
  const matches = tabs.filter((t) => t.url === url);
  if (matches.length > 1) throw new Error(`${matches.length} tabs show ${url}; give each test page a unique URL`);
  return matches[0];
}

/**
 * Clicks the extension's toolbar button on `page`'s tab and attaches to the popup it opens.
 * The page is brought to the front first: the popup acts on the active tab of its window.
 */
export async function openActionPopup(
  cdp: CdpClient,
  extensionId: string,
  page: Page,
  timeoutMs = 10_000,
): Promise<OpenPopupResult> {
  const popupUrl = `chrome-extension://${extensionId}/popup.html`;
  await page.bringToFront();
  const tab = await findTabTarget(cdp, page.url());
  if (!tab) return { ok: false, message: `No tab target for ${page.url()}` };

  const before = new Set((await getTargets(cdp)).filter((t) => t.url.startsWith(popupUrl)).map((t) => t.targetId));
  try {
    await cdp.send('Extensions.triggerAction', { id: extensionId, targetId: tab.targetId });
  } catch (error) {
    return { ok: false, message: `Extensions.triggerAction failed: ${error instanceof Error ? error.message : String(error)}` };
  }

  const deadline = Date.now() + timeoutMs;
  let popupTarget: TargetInfo | undefined;
  while (!popupTarget && Date.now() < deadline) {
    popupTarget = (await getTargets(cdp)).find((t) => t.type === 'page' && t.url.startsWith(popupUrl) && !before.has(t.targetId));
    if (!popupTarget) await sleep(100);
  }
  if (!popupTarget) return { ok: false, message: `The toolbar action opened no ${popupUrl} within ${timeoutMs} ms` };

  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: popupTarget.targetId, flatten: true })) as {
    sessionId: string;
  };
  const popup = makePopup(cdp, popupTarget.targetId, sessionId);
  // Wait for Preact to render the page before anyone clicks in it.
  const ready = await pollUntil(
    () => popup.evaluate<boolean>(`document.readyState === 'complete' && !!document.querySelector('[data-testid=status]')`),
    deadline - Date.now(),
  );
  if (!ready) {
    await popup.close();
    return { ok: false, message: 'The popup opened but never rendered its status line' };
  }
  return { ok: true, popup };
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + Math.max(timeoutMs, 0);
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // The page may still be loading (no execution context yet); try again.
    }
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function makePopup(cdp: CdpClient, targetId: string, sessionId: string): ActionPopup {
  const evaluate = <T>(expression: string) => evaluateIn<T>(cdp, sessionId, expression);
  const status = () =>
    evaluate<PopupStatus>(`(() => {
      const el = document.querySelector('[data-testid=status]');
      return { phase: el?.getAttribute('data-phase') ?? null, text: (el?.textContent ?? '').trim() };
    })()`);
  return {
    targetId,
    sessionId,
    evaluate,
    async click(selector) {
      const found = await evaluate<boolean>(`(() => {
        const el = document.querySelector(${JSON.stringify(selector)});
        if (!el) return false;
        el.click();
        return true;
      })()`);
      if (!found) throw new Error(`Nothing matches ${selector} in the popup`);
    },
    async waitForEnabled(selector, timeoutMs = 5_000) {
      const ok = await pollUntil(
        () => evaluate<boolean>(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); return !!el && !el.matches(':disabled'); })()`),
        timeoutMs,
      );
      if (!ok) throw new Error(`${selector} was not enabled in the popup within ${timeoutMs} ms`);
    },
    status,
    async waitForPhase(phases, timeoutMs) {
      let last: PopupStatus = { phase: null, text: '' };
      const ok = await pollUntil(async () => {
        last = await status();
        return last.phase !== null && phases.includes(last.phase);
      }, timeoutMs, 150);
      return { ok, status: last };
    },
    async close() {
      await cdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
    },
  };
}
