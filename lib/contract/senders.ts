/**
 * Who sent a runtime message, decided from what Chrome reports about the sender (never from the
 * message), and which senders each direction accepts. Pure: tests hand it fake senders.
 *
 * What Chrome reports (seen in Chromium 156; tests/e2e/content-script-forgery.spec.ts runs on it):
 *   service worker   { id, url: <extension>/background.js }                       no tab, no frameId
 *   offscreen doc    { id, url: <extension>/offscreen.html, origin }              no tab, no frameId
 *   extension page   { id, url: <extension>/popup.html…, origin, frameId, tab? }  tab set when the
 *                    page is in a tab (options, permission), not for the popup or side panel
 *   content script   { id, url: <the web page>, origin: <the page's>, frameId, tab }
 * `url` and `tab` are filled in by the browser process from the frame that sent the message: a
 * web page, or a content script running in it, cannot choose them.
 *
 * What Firefox reports (seen in Firefox 153 ESR; tests/e2e-firefox runs on it): the same, except
 *   background page  { id, url: <extension>/_generated_background_page.html, origin }  no tab, no frameId
 *   capture tab      { id, url: <extension>/capture.html, origin, frameId: 0, tab }   (no offscreen documents)
 */

/** The service worker's script and the offscreen document, as wxt.config.ts builds them. */
export const SERVICE_WORKER_PATH = '/background.js';
export const OFFSCREEN_PATH = '/offscreen.html';
/** Firefox runs the background script in a page it generates under this name (an MV3 event page). */
export const FIREFOX_BACKGROUND_PAGE_PATH = '/_generated_background_page.html';
/** Firefox's capture host, the offscreen document's stand-in: an extension tab (lib/background/capture-tab.ts). */
export const CAPTURE_TAB_PATH = '/capture.html';

/** The extension's own pages that talk to the background, by path. */
export const EXTENSION_PAGES = {
  popup: '/popup.html',
  sidepanel: '/sidepanel.html',
  options: '/options.html',
  permission: '/permission.html',
  /** The sample a new user captions (entrypoints/sample/): it follows the session to show its captions. */
  sample: '/sample.html',
} as const;

export type ExtensionPage = keyof typeof EXTENSION_PAGES;

/** The parts of runtime.MessageSender read here. */
export interface SenderLike {
  id?: string;
  url?: string;
  frameId?: number;
  tab?: { id?: number };
}

export type Sender =
  | { kind: 'service-worker' }
  | { kind: 'offscreen' }
  | { kind: 'page'; page: ExtensionPage; url: URL }
  /** `url`: the page the content script runs in, as the browser reports it (its site keys the overlay's position). */
  | { kind: 'content-script'; tabId: number; frameId: number; url: URL }
  /** Another extension, an unknown extension page, or something Chrome describes in a way we do not expect. */
  | { kind: 'unknown' };

/** This extension, as messaging sees it: its id and `runtime.getURL('/')` (with the trailing slash). */
export interface Self {
  id: string;
  baseUrl: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The worker and the offscreen document are never in a tab, and their URLs carry nothing else: an
 * exact match stops any other extension page (in a tab or not, with a query or a fragment), and
 * any web page whose path ends the same way, from passing for them. (The content script checks
 * this one alone, without classifySender: its bundle is kept small.)
 */
export function isServiceWorker(sender: SenderLike, self: Self): boolean {
  return (
    sender.id === self.id &&
    sender.tab === undefined &&
    sender.frameId === undefined &&
    (sender.url === self.baseUrl + SERVICE_WORKER_PATH.slice(1) || sender.url === self.baseUrl + FIREFOX_BACKGROUND_PAGE_PATH.slice(1))
  );
}

/**
 * Chrome's offscreen document, or Firefox's capture tab: the top frame of a tab showing exactly
 * CAPTURE_TAB_PATH. Only the extension can open that page (it is not web-accessible), so a tab with
 * its URL is the extension's own.
 */
function isCaptureHost(sender: SenderLike, self: Self): boolean {
  if (sender.tab === undefined) return sender.url === self.baseUrl + OFFSCREEN_PATH.slice(1);
  return sender.frameId === 0 && sender.url === self.baseUrl + CAPTURE_TAB_PATH.slice(1);
}

/** Classifies a sender exactly; anything that fits no kind is 'unknown' and gets nothing. */
export function classifySender(sender: SenderLike, self: Self): Sender {
  // Stops other extensions (externally_connectable is not declared, but be explicit).
  if (sender.id !== self.id) return { kind: 'unknown' };
  if (sender.url === undefined) return { kind: 'unknown' };
  const url = parse(sender.url);
  if (!url) return { kind: 'unknown' };
  // A prefix, not URL.origin: non-web schemes have an opaque origin ("null") in some engines,
  // which would make every chrome-extension:// URL look like ours.
  const ours = sender.url.startsWith(self.baseUrl);
  if (ours) {
    const path = url.pathname;
    if (isServiceWorker(sender, self)) return { kind: 'service-worker' };
    if (isCaptureHost(sender, self)) return { kind: 'offscreen' };
    // Each page by its exact URL; only the permission page carries a query (?source=&tabId=, read by
    // the background), so only its path is compared.
    for (const [page, pagePath] of Object.entries(EXTENSION_PAGES) as [ExtensionPage, string][]) {
      const exact = page === 'permission' ? path === pagePath && url.hash === '' : sender.url === self.baseUrl + pagePath.slice(1);
      if (exact) return { kind: 'page', page, url };
    }
    return { kind: 'unknown' };
  }
  // Not our origin: a content script in a web page. Chrome always sets its tab and frame.
  const tabId = sender.tab?.id;
  if (typeof tabId === 'number' && typeof sender.frameId === 'number') return { kind: 'content-script', tabId, frameId: sender.frameId, url };
  return { kind: 'unknown' };
}

// ---- the rules, one per direction ----------------------------------------------------------

/**
 * Page requests: only our own pages. Stops content scripts (any site the overlay is on) from
 * starting or stopping capture, and from reading the transcript. `permission/mic-granted` starts
 * the microphone, so only the permission page (the one place the user grants it) may send it.
 */
export function mayAskAsPage(sender: Sender, type: string): sender is Extract<Sender, { kind: 'page' }> {
  if (sender.kind !== 'page') return false;
  if (type === 'permission/mic-granted') return sender.page === 'permission';
  return true;
}

/**
 * The overlay's one request: from a content script in a tab's top frame (the background injects
 * the overlay there only). Whether that tab is the captured one is decided with the session's
 * state, by the answer (lib/background/session-control.ts liveSessionFor). Stops an iframe of
 * another site inside the captured tab from reading the captions.
 */
export function mayAskAsOverlay(sender: Sender): sender is Extract<Sender, { kind: 'content-script' }> {
  return sender.kind === 'content-script' && sender.frameId === 0;
}

/**
 * Commands to the offscreen document (start capture, stop, read the live state): only the
 * service worker. Stops any page, and anything pretending to be one, from starting capture.
 */
export function mayCommandOffscreen(sender: Sender): boolean {
  return sender.kind === 'service-worker';
}

/**
 * Events about the session (state, transcript, level, ended) and the document's settings query:
 * only the offscreen document. Stops a page or content script from forging the state (which sets
 * the toolbar title and is relayed to the captured tab) or from ending a session.
 */
export function isFromOffscreen(sender: Sender): boolean {
  return sender.kind === 'offscreen';
}

/** Pushes to the overlay: only the service worker (a tab's content script hears nobody else): isServiceWorker. */
