/**
 * Raw WebDriver BiDi under puppeteer-core, for what its Page API does not offer in Firefox:
 * closed shadow roots (overlay.ts), evaluation without user activation (user-click.ts) and the
 * browser window's own scope (launch.ts).
 */
import type { Browser, Page } from 'puppeteer-core';

/** The BiDi connection under puppeteer's Browser (public on its BiDi implementation). */
export interface BidiConnection {
  send(method: string, params: object, timeout?: number): Promise<{ result: unknown }>;
}

/** What script.evaluate and script.callFunction answer. */
export interface EvaluateResult {
  type: 'success' | 'exception';
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}

export function bidiConnection(browser: Browser): BidiConnection {
  return (browser as unknown as { connection: BidiConnection }).connection;
}

/** The browsing context id of `page`'s main frame (puppeteer's BiDi frame keeps it as `_id`). */
export function bidiContext(page: Page): string {
  return (page.mainFrame() as unknown as { _id: string })._id;
}
