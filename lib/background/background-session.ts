/**
 * The session as the background's listeners drive it: its deps (browser-session-deps.ts), a start
 * with what the browser does around it, and the way to the captured tab's overlay. Nothing here is
 * kept in memory between calls: the session's state is in storage.session (background-state.ts).
 */
import type { WxtBrowser } from 'wxt/browser';
import { IS_FIREFOX } from '../browser-kind';
import type { CaptureSource, StartResult, TabPush } from '../contract/messages';
import { t } from '../i18n';
import { clearInvitation } from './auto-start';
import { startSession, type SessionControlDeps } from './session-control';

export interface BackgroundSession {
  readonly deps: SessionControlDeps;
  /**
   * Starts a session; in Firefox, once capture has started, the tab the user started from comes
   * back to the front (the capture tab had to open in front: capture-tab.ts). A failed start
   * leaves the tabs as they are: the permission page may be the one to see.
   */
  start(source: CaptureSource, tabId: number | null): Promise<StartResult>;
  /** Sends `push` to the tab the session captures, if there is one (the overlay lives there). */
  relayToCaptureTab(push: TabPush): Promise<void>;
}

/** The browser APIs a start touches beyond the deps. */
export type StartBrowser = Pick<WxtBrowser, 'action' | 'tabs'>;

export function backgroundSession(browser: StartBrowser, deps: SessionControlDeps): BackgroundSession {
  return {
    deps,
    start: async (source, tabId) => {
      const result = await startSession(deps, source, tabId);
      if (IS_FIREFOX && result.ok && tabId !== null) await browser.tabs.update(tabId, { active: true }).catch(() => undefined);
      // A per-site start's invitation (auto-start.ts) has been taken up.
      if (result.ok && tabId !== null) await clearInvitation(browser.action, tabId, t('extName')).catch(() => undefined);
      return result;
    },
    relayToCaptureTab: async (push) => {
      const { captureTabId } = await deps.state.load();
      if (captureTabId !== null) deps.sendToTab(captureTabId, push);
    },
  };
}
