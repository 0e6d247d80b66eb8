/**
 * Reads the caption overlay in Firefox. Its shadow root is closed (entrypoints/captions.content/mount.tsx),
 * so the page cannot read it; WebDriver BiDi can hand one to the test: a node serialized with
 * includeShadowTree "all" carries its closed root, which is then passed by reference to a function
 * that reads the lines. (In Chromium the same read goes through the content script's world:
 * testkit/browser/overlay-world.ts.)
 */
import type { Browser, Page } from 'puppeteer-core';
import { bidiConnection, bidiContext, type EvaluateResult } from './bidi';

export interface FirefoxOverlayLine {
  final: boolean;
  text: string;
}

interface RemoteNode {
  type: string;
  sharedId?: string;
  value?: { shadowRoot?: { sharedId?: string; value?: { mode?: string } } | null };
}

/** The overlay's lines (final and interim), or null when no overlay is mounted in the page. */
export async function readFirefoxOverlay(browser: Browser, page: Page): Promise<FirefoxOverlayLine[] | null> {
  const connection = bidiConnection(browser);
  const context = bidiContext(page);
  const hosts = (
    await connection.send('script.evaluate', {
      // The overlay's host is a <div> appended to <html>, outside <body>.
      expression: "[...document.documentElement.children].filter((element) => element.localName === 'div')",
      target: { context },
      awaitPromise: false,
      serializationOptions: { maxDomDepth: 0, includeShadowTree: 'all' },
    })
  ).result as EvaluateResult;
  if (hosts.type !== 'success') return null;
  const roots = ((hosts.result?.value ?? []) as RemoteNode[]).map((node) => node.value?.shadowRoot).filter((root) => root?.value?.mode === 'closed');
  for (const root of roots) {
    if (!root?.sharedId) continue;
    const read = (
      await connection.send('script.callFunction', {
        functionDeclaration: `(root) => JSON.stringify([...root.querySelectorAll('[data-testid=caption-line], [data-testid=caption-interim]')]
          .map((line) => ({ final: line.getAttribute('data-final') === 'true', text: line.textContent.trim() })))`,
        arguments: [{ sharedId: root.sharedId }],
        target: { context },
        awaitPromise: false,
      })
    ).result as EvaluateResult;
    if (read.type === 'success' && typeof read.result?.value === 'string') return JSON.parse(read.result.value) as FirefoxOverlayLine[];
  }
  return null;
}
