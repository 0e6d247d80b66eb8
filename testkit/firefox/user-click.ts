/**
 * A click in Firefox as a user makes it: pointer input (WebDriver BiDi input.performActions) on a
 * page that holds no user activation beforehand, so whatever the click needs a gesture for (a
 * clipboard write without clipboardWrite, say) gets it from the click alone.
 *
 * Why the page is checked first: puppeteer sends every evaluate (page.evaluate, $eval, and the
 * scroll and box lookups of ElementHandle.click) with BiDi's userActivation: true, which Firefox
 * turns into a gesture on the document. A script click through $eval therefore copies even without
 * the permission, and proves nothing. A script.evaluate sent with userActivation: false withdraws
 * that grant; a real gesture (an earlier pointer click) stays active for its few seconds, so this
 * waits for it to lapse.
 */
import type { Browser, Page } from 'puppeteer-core';
import { bidiConnection, bidiContext, type EvaluateResult } from './bidi';

/** How long an earlier real gesture may take to lapse (Firefox keeps one active for 5 s by default). */
const INACTIVE_WITHIN_MS = 10_000;

/** Whether the page holds transient user activation, asked without giving it any. */
async function isUserActive(browser: Browser, page: Page): Promise<boolean> {
  const evaluated = (
    await bidiConnection(browser).send('script.evaluate', {
      expression: 'navigator.userActivation.isActive',
      target: { context: bidiContext(page) },
      awaitPromise: false,
      userActivation: false,
    })
  ).result as EvaluateResult;
  if (evaluated.type !== 'success') throw new Error(`Reading the page's user activation failed: ${evaluated.exceptionDetails?.text ?? 'exception'}`);
  return evaluated.result?.value === true;
}

/** Brings `page` to the front and presses the middle of the enabled element `selector` with the mouse. */
export async function clickAsUser(browser: Browser, page: Page, selector: string): Promise<void> {
  const element = await page.waitForSelector(`${selector}:not([disabled])`, { timeout: 10_000 });
  if (!element) throw new Error(`No ${selector} on the page`);
  await page.bringToFront();
  await element.scrollIntoView();
  const box = await element.boundingBox();
  await element.dispose();
  if (!box) throw new Error(`${selector} is not displayed`);
  // Nothing between this check and the click evaluates in the page (page.mouse sends input only).
  const deadline = Date.now() + INACTIVE_WITHIN_MS;
  while (await isUserActive(browser, page)) {
    if (Date.now() > deadline) throw new Error(`The page still held user activation after ${INACTIVE_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}
