/**
 * The session rules' view of the browser (SessionControlDeps, session-control.ts), built from the
 * real extension APIs. session-control.ts takes everything it touches through these deps so that
 * its rules can be tested in Node; this is the one place that says what each is in the browser.
 */
import type { WxtBrowser } from 'wxt/browser';
import { IS_FIREFOX } from '../browser-kind';
import { askOffscreen, pushToTab } from '../contract/messaging';
import { backgroundStateItem } from '../contract/storage/items';
import { loadRetention } from '../persistence/retention-store';
import { sharedArchive } from '../persistence/transcript-archive';
import { loadSettings } from '../storage';
import { backgroundStateStore } from './background-state';
import { browserCaptureTabHost, type CaptureTabHost } from './capture-tab';
import { isSamplePage } from './first-run';
import { closeOffscreenDocument, ensureOffscreenDocument, hasOffscreenDocument } from './offscreen-document';
import { permissionPageQuery } from './permission-start';
import type { SessionControlDeps } from './session-control';
import { showPhase } from './toolbar-badge';

/** The browser APIs a session touches. */
export type SessionBrowser = Pick<WxtBrowser, 'action' | 'runtime' | 'scripting' | 'tabCapture' | 'tabs'>;

/**
 * The page that holds the capture: Chrome's offscreen document, or Firefox's pinned capture tab
 * (capture-tab.ts says why a tab). Both answer the same commands.
 */
export function browserCaptureHost(): CaptureTabHost {
  return IS_FIREFOX ? browserCaptureTabHost() : { has: hasOffscreenDocument, ensure: ensureOffscreenDocument, close: closeOffscreenDocument };
}

/**
 * `storageClosed` settles once storage is closed to content scripts (content-script-storage.ts):
 * no overlay is injected before.
 */
export function browserSessionDeps(browser: SessionBrowser, storageClosed: Promise<void>): SessionControlDeps {
  const captureHost = browserCaptureHost();
  return {
    loadSettings,
    loadRetention,
    getTabStreamId: (tabId) => browser.tabCapture.getMediaStreamId({ targetTabId: tabId }),
    describeTab: async (tabId) => {
      const tab = await browser.tabs.get(tabId);
      return tab.url ? { title: tab.title ?? '', url: tab.url } : null;
    },
    injectOverlay: async (tabId) => {
      await storageClosed;
      try {
        await browser.scripting.executeScript({ target: { tabId }, files: ['/content-scripts/captions.js'] });
        return { ok: true };
      } catch (error) {
        console.info('[captionist] overlay not shown on this tab:', error);
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    hasOffscreen: () => captureHost.has(),
    ensureOffscreen: () => captureHost.ensure(),
    closeOffscreen: () => captureHost.close(),
    askOffscreen,
    openMicPermissionPage: async (source, tabId) => {
      await browser.tabs.create({ url: browser.runtime.getURL('/permission.html') + permissionPageQuery(source, tabId) });
    },
    state: backgroundStateStore(backgroundStateItem),
    latestTranscript: async () => {
      try {
        return (await (await sharedArchive()).latestSession())?.transcript ?? { utterances: [], interims: [] };
      } catch {
        return { utterances: [], interims: [] };
      }
    },
    showPhase: (phase, ended) => showPhase(browser.action, phase, ended),
    sendToTab: pushToTab,
    isSamplePage: (url) => isSamplePage(url, browser.runtime.getURL('/')),
  };
}
