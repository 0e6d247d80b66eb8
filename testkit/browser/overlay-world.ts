/**
 * Reads and drives the caption overlay from where the content script runs: the extension's
 * isolated world in the page, reached over the DevTools protocol.
 *
 * Why not page.evaluate or Playwright locators: the overlay is in a closed shadow root
 * (entrypoints/captions.content/mount.tsx) so that the page cannot read the captions, and both of
 * those act from the page's main world, exactly where nothing must be readable. In the isolated
 * world the content script keeps its overlay on the window (lib/overlay/mounted-overlay.ts), and
 * content scripts may open a closed root with chrome.dom.openOrClosedShadowRoot.
 *
 * This is the one way the e2e specs, `npm start --headless` (scripts/run.ts) and the benches read
 * the overlay.
 */
import type { CDPSession, Page } from '@playwright/test';
import { MOUNTED_OVERLAY_KEY } from '../../lib/overlay/mounted-overlay';
import { EXTENSION_ID } from './launch';

/** What a function run in the isolated world gets: the mounted overlay, or null if none is. */
export interface OverlayInWorld {
  host: HTMLElement;
  root: ShadowRoot;
}

/** Lookups defined in the isolated world for the function run there. */
export interface WorldTools {
  /** The overlay as mounted right now (it may be mounted after the function started). */
  findOverlay(): OverlayInWorld | null;
  /** chrome.dom.openOrClosedShadowRoot: an element's shadow root, open or closed. */
  openOrClosedShadowRoot(element: Element): ShadowRoot | null;
}

/**
 * A function serialized into the isolated world: no closures, only its argument (JSON), the
 * overlay as mounted when it starts (null: none), and the tools.
 */
export type WorldFunction<Arg, Result> = (overlay: OverlayInWorld | null, arg: Arg, tools: WorldTools) => Result | Promise<Result>;

/** Runtime.ExecutionContextDescription, the fields read here. */
interface ExecutionContext {
  id: number;
  origin: string;
  auxData?: { type?: string; frameId?: string };
}

const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;

/** One CDP session per page, following its execution contexts (created, destroyed, cleared). */
class PageWorlds {
  private readonly contexts = new Map<number, ExecutionContext>();
  private readonly createdListeners = new Set<(context: ExecutionContext) => void>();

  private constructor(readonly session: CDPSession) {
    session.on('Runtime.executionContextCreated', ({ context }) => {
      const described = context as ExecutionContext;
      this.contexts.set(described.id, described);
      if (this.isExtensionWorld(described)) for (const listener of this.createdListeners) listener(described);
    });
    session.on('Runtime.executionContextDestroyed', ({ executionContextId }) => this.contexts.delete(executionContextId));
    session.on('Runtime.executionContextsCleared', () => this.contexts.clear());
  }

  static async open(page: Page): Promise<PageWorlds> {
    const worlds = new PageWorlds(await page.context().newCDPSession(page));
    // Chromium reports every existing context as an event before it answers Runtime.enable.
    await worlds.session.send('Runtime.enable');
    return worlds;
  }

  /** The content script's world in the top frame (the only frame the background injects into). */
  async current(): Promise<ExecutionContext | undefined> {
    const { frameTree } = await this.session.send('Page.getFrameTree');
    const topFrame = frameTree.frame.id;
    const matching = [...this.contexts.values()].filter((c) => this.isExtensionWorld(c) && c.auxData?.frameId === topFrame);
    return matching.at(-1);
  }

  onCreated(listener: (context: ExecutionContext) => void): void {
    this.createdListeners.add(listener);
  }

  async evaluate<Arg, Result>(context: ExecutionContext, fn: WorldFunction<Arg, Result>, arg: Arg): Promise<Result> {
    const response = await this.session.send('Runtime.evaluate', {
      contextId: context.id,
      expression: worldExpression(fn, arg),
      awaitPromise: true,
      returnByValue: true,
    });
    if (response.exceptionDetails) {
      const details = response.exceptionDetails;
      throw new Error(`In the overlay's world: ${details.exception?.description ?? details.text}`);
    }
    return response.result.value as Result;
  }

  private isExtensionWorld(context: ExecutionContext): boolean {
    return context.auxData?.type === 'isolated' && context.origin === EXTENSION_ORIGIN;
  }
}

function worldExpression<Arg, Result>(fn: WorldFunction<Arg, Result>, arg: Arg): string {
  // `__name`: tsx (esbuild keepNames) wraps named inner functions in it, and the isolated world has
  // no such helper. The key and chrome.dom are looked up here so every caller gets the same overlay.
  // JSON.stringify(undefined) is undefined at run time, although its type says string.
  const argSource = (JSON.stringify(arg) as string | undefined) ?? 'undefined';
  return `(() => {
    const __name = (f) => f;
    const openOrClosedShadowRoot = (element) => chrome.dom.openOrClosedShadowRoot(element);
    const findOverlay = () => {
      const host = window[${JSON.stringify(MOUNTED_OVERLAY_KEY)}]?.host;
      const root = host ? openOrClosedShadowRoot(host) : null;
      return root ? { host, root } : null;
    };
    return (${fn.toString()})(findOverlay(), ${argSource}, { findOverlay, openOrClosedShadowRoot });
  })()`;
}

const worldsByPage = new WeakMap<Page, Promise<PageWorlds>>();

function worldsOf(page: Page): Promise<PageWorlds> {
  let worlds = worldsByPage.get(page);
  if (!worlds) {
    worlds = PageWorlds.open(page);
    worldsByPage.set(page, worlds);
    // A failed attach (page closing) must not stick: the next call tries again.
    worlds.catch(() => worldsByPage.delete(page));
  }
  return worlds;
}

/**
 * Runs `fn` in the content script's isolated world of `page`'s top frame and returns its result
 * (JSON-serializable). `absent` is returned when the content script was never injected into this
 * document (no such world).
 */
export async function evaluateInOverlayWorld<Arg, Result>(page: Page, fn: WorldFunction<Arg, Result>, arg: Arg, absent: Result): Promise<Result> {
  const worlds = await worldsOf(page);
  const context = await worlds.current();
  if (!context) return absent;
  return worlds.evaluate(context, fn, arg);
}

/**
 * Runs `fn` in the content script's world now if there is one, and in every one created later in
 * this page (each injection into a new document), e.g. to install an observer before the overlay
 * exists. Errors in a later world (its document already gone) are ignored.
 */
export async function runInEveryOverlayWorld<Arg>(page: Page, fn: WorldFunction<Arg, unknown>, arg: Arg): Promise<void> {
  const worlds = await worldsOf(page);
  worlds.onCreated((context) => void worlds.evaluate(context, fn, arg).catch(() => undefined));
  const context = await worlds.current();
  if (context) await worlds.evaluate(context, fn, arg);
}

/**
 * Elements of the document whose shadow root is closed, counted from the isolated world (which
 * sees closed roots). On a test page that makes none of its own, each is one overlay.
 */
export async function closedShadowHostCount(page: Page): Promise<number> {
  const count = (_overlay: OverlayInWorld | null, _arg: undefined, tools: WorldTools): number => {
    let hosts = 0;
    for (const element of document.querySelectorAll('*')) {
      if (element.shadowRoot === null && tools.openOrClosedShadowRoot(element)) hosts++;
    }
    return hosts;
  };
  return evaluateInOverlayWorld(page, count, undefined, 0);
}

/** How many elements with this data-testid the overlay has now (0 when there is no overlay). */
export async function overlayTestIdCount(page: Page, testId: string): Promise<number> {
  return evaluateInOverlayWorld(page, (overlay, id) => overlay?.root.querySelectorAll(`[data-testid="${id}"]`).length ?? 0, testId, 0);
}

/** The element is in the overlay, has a size, and is not hidden by visibility. */
export async function overlayTestIdVisible(page: Page, testId: string): Promise<boolean> {
  return evaluateInOverlayWorld(
    page,
    (overlay, id) => {
      const element = overlay?.root.querySelector(`[data-testid="${id}"]`);
      if (!element) return false;
      const rect = element.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    },
    testId,
    false,
  );
}

/**
 * Clicks the middle of an overlay element with the mouse, as a person would (the pointer moves
 * there first, so hover-revealed tools show). Fails if the element is not there or has no size.
 */
export async function clickInOverlay(page: Page, testId: string): Promise<void> {
  const centre = await evaluateInOverlayWorld(
    page,
    (overlay, id) => {
      const rect = overlay?.root.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
      return rect && rect.width > 0 && rect.height > 0 ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 } : null;
    },
    testId,
    null,
  );
  if (!centre) throw new Error(`No overlay element [data-testid=${testId}] to click`);
  await page.mouse.click(centre.x, centre.y);
}

/** Sets an overlay input's value and fires input and change, as Playwright's fill() does. */
export async function fillInOverlay(page: Page, testId: string, value: string): Promise<void> {
  const filled = await evaluateInOverlayWorld(
    page,
    (overlay, { id, text }) => {
      const input = overlay?.root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`);
      if (!input) return false;
      input.focus();
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    { id: testId, text: value },
    false,
  );
  if (!filled) throw new Error(`No overlay input [data-testid=${testId}] to fill`);
}
