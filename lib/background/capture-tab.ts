/**
 * Firefox's capture host: the stand-in for Chrome's offscreen document (offscreen-document.ts),
 * behind the same three calls (has, ensure, close) that lib/background/session-control.ts uses.
 *
 * Why a pinned extension tab. Firefox has no offscreen documents, and of the contexts it has:
 *   - the MV3 background is an event page, which Firefox unloads once idle (about 30 s), open
 *     microphone or not, and which cannot show the microphone prompt;
 *   - the sidebar is one panel per window that the user opens and closes (closing it would end
 *     the captions), and Firefox opens it only from a click in the extension's own UI;
 *   - an extension tab is a whole document that lives exactly as long as the tab is open, may
 *     ask for the microphone (it is a page Firefox can show a prompt over), and keeps capturing
 *     once it is in the background. Pinned, it stays out of the way; its page says what it is
 *     (entrypoints/capture/).
 * It opens in front: Firefox's getUserMedia waits until the page has focus (seen in Firefox 153: a
 * background tab's call never settles). Once capture has started the background gives the user
 * their tab back (lib/background/background-session.ts).
 * The page runs the same OffscreenController, capture, resampler, voice gate, socket and saving
 * as the offscreen document, and answers the same commands (lib/contract/messaging.ts).
 */
import { browser } from 'wxt/browser';
import { askOffscreen } from '../contract/messaging';
import { CAPTURE_TAB_PATH } from '../contract/senders';

/** The browser calls the host needs; browserCaptureTabHost below gives the real ones. */
export interface CaptureTabApi {
  /** Ids of the tabs showing the capture page (runtime.getContexts). */
  findTabs(): Promise<number[]>;
  /** Opens the capture page in a pinned tab, in front; its id. */
  openTab(): Promise<number>;
  closeTab(tabId: number): Promise<void>;
  /** Whether the page answers commands yet (its listeners run once its script has loaded). */
  answers(): Promise<boolean>;
  sleep(ms: number): Promise<void>;
}

export interface CaptureTabHost {
  has(): Promise<boolean>;
  ensure(): Promise<void>;
  close(): Promise<void>;
}

/** How long a freshly opened page may take to answer before a start gives up (see session-control's "no answer"). */
export const CAPTURE_TAB_READY_MS = 10_000;
const POLL_MS = 100;

export function captureTabHost(api: CaptureTabApi): CaptureTabHost {
  // Two starts racing would open two tabs: every caller shares one opening.
  let opening: Promise<void> | null = null;

  const open = async () => {
    await api.openTab();
    for (let waited = 0; waited < CAPTURE_TAB_READY_MS; waited += POLL_MS) {
      if (await api.answers()) return;
      await api.sleep(POLL_MS);
    }
  };

  return {
    has: async () => (await api.findTabs()).length > 0,
    ensure: async () => {
      if (!opening && (await api.findTabs()).length > 0) return;
      opening ??= open().finally(() => {
        opening = null;
      });
      await opening;
    },
    close: async () => {
      if (opening) await opening.catch(() => undefined);
      // A stop and the page's own session/ended can both close: the loser finds no tab.
      for (const tabId of await api.findTabs()) await api.closeTab(tabId).catch(() => undefined);
    },
  };
}

/** The host on Firefox's real tabs. */
export function browserCaptureTabHost(): CaptureTabHost {
  const url = browser.runtime.getURL(CAPTURE_TAB_PATH);
  return captureTabHost({
    findTabs: async () => {
      const contexts = await browser.runtime.getContexts({ contextTypes: ['TAB'], documentUrls: [url] });
      return contexts.map((context) => context.tabId).filter((tabId) => tabId >= 0);
    },
    openTab: async () => {
      const tab = await browser.tabs.create({ url, pinned: true, active: true });
      if (tab.id === undefined) throw new Error('Firefox opened the capture tab without an id');
      return tab.id;
    },
    closeTab: async (tabId) => {
      await browser.tabs.remove(tabId);
    },
    answers: async () => (await askOffscreen({ type: 'offscreen/get-state' })) !== undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
}
