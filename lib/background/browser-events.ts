/**
 * What the browser's own events lead to: tabs changing, the extension starting, installing or
 * updating, and the keyboard shortcuts (wxt.config.ts names them).
 */
import type { WxtBrowser } from 'wxt/browser';
import { IS_FIREFOX } from '../browser-kind';
import { canStopSession } from '../contract/session-phase';
import { t } from '../i18n';
import { autoStartOnLoad } from './auto-start';
import type { BackgroundSession } from './background-session';
import { browserAutoStart } from './browser-auto-start';
import { sourceForTab, welcomeOnInstall } from './first-run';
import { shortcutCaptureSource } from './last-source';
import { pruneSavedHistory } from './saved-history';
import { currentState, stopSession, tabRemoved, tabUpdated } from './session-control';

/** The captured tab closing or leaving its site ends a capture; a listed site's page load may start one. */
export function followTabs(browser: Pick<WxtBrowser, 'action' | 'tabs'>, session: BackgroundSession): void {
  const { deps } = session;
  const autoStart = browserAutoStart(browser.action, session);
  browser.tabs.onRemoved.addListener((tabId) => {
    void tabRemoved(deps, tabId);
  });
  browser.tabs.onUpdated.addListener((tabId, change, tab) => {
    void tabUpdated(deps, tabId, { url: change.url, status: change.status }, tab.url);
    void autoStartOnLoad(autoStart, tabId, change, tab.url).catch((error: unknown) => console.warn('[captionist] per-site start failed:', error));
  });
}

export function followRuntime(browser: Pick<WxtBrowser, 'runtime' | 'tabs'>, session: BackgroundSession): void {
  const { deps } = session;
  // An update must not cut a session mid-word: stop (the transcript is saved), then take it.
  // (runtime.onSuspend needs no handler: this worker holds nothing to save, and its suspension
  // does not touch the session, which the offscreen document owns.)
  browser.runtime.onUpdateAvailable.addListener(() => {
    void stopSession(deps, { code: 'extension-updated', message: t('sessionExtensionUpdated') }).finally(() => browser.runtime.reload());
  });
  // A new browser run or a fresh install starts with no session: no badge, no stale tooltip.
  browser.runtime.onStartup.addListener(() => {
    void deps.showPhase('idle');
    void pruneSavedHistory(deps);
  });
  browser.runtime.onInstalled.addListener((details) => {
    void deps.showPhase('idle');
    void pruneSavedHistory(deps);
    void welcomeOnInstall(details, (path) => browser.tabs.create({ url: browser.runtime.getURL(path) }));
  });
}

/** The overlay's shortcuts go to the captured tab; Alt+Shift+O starts or stops captions. */
export function followCommands(browser: Pick<WxtBrowser, 'commands' | 'runtime'>, session: BackgroundSession): void {
  const { deps } = session;
  browser.commands.onCommand.addListener((command, tab) => {
    if (command === 'toggle-overlay') void session.relayToCaptureTab({ type: 'tab/overlay-toggle' });
    if (command === 'focus-captions') void session.relayToCaptureTab({ type: 'tab/overlay-focus' });
    if (command !== 'toggle-captions') return;
    void currentState(deps).then((state) => {
      if (canStopSession(state)) void stopSession(deps);
      // The last source the user started, so the shortcut does not turn a microphone user's
      // session into a tab capture.
      else {
        void shortcutCaptureSource().then((source) =>
          session.start(IS_FIREFOX ? 'mic' : sourceForTab(tab?.url, browser.runtime.getURL('/'), source), tab?.id ?? null),
        );
      }
    });
  });
}
