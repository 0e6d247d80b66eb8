import { defineBackground } from '#imports';
import { browser } from 'wxt/browser';
import { backgroundStateStore } from '@/lib/background/background-state';
import { overlayViewHandlers, pushOverlayViewChanges, type OverlayViewDeps } from '@/lib/background/overlay-view';
import { restrictStorageToTrustedContexts } from '@/lib/contract/storage/access';
import { autoStartSitesItem, backgroundStateItem, connectionCheckItem, proxyTokenItem, syncedSettingsItem } from '@/lib/contract/storage/items';
import { actionTitleFor, badgeFor } from '@/lib/background/badge';
import { rememberCaptureSource, shortcutCaptureSource } from '@/lib/background/last-source';
import { permissionPageQuery, permissionStartFrom } from '@/lib/background/permission-start';
import { browserCaptureTabHost } from '@/lib/background/capture-tab';
import { isSamplePage, sourceForTab, welcomeOnInstall } from '@/lib/background/first-run';
import { autoStartOnLoad, clearInvitation, showInvitation, type AutoStartDeps } from '@/lib/background/auto-start';
import { closeOffscreenDocument, ensureOffscreenDocument, hasOffscreenDocument } from '@/lib/background/offscreen-document';
import { IS_FIREFOX } from '@/lib/browser-kind';
import {
  captureSettings,
  changeSessionKeyterms,
  correctLiveLine,
  clearEndedError,
  currentState,
  currentTranscript,
  liveSessionFor,
  sessionEnded,
  startSession,
  stopSession,
  tabRemoved,
  tabUpdated,
  type SessionControlDeps,
} from '@/lib/background/session-control';
import type { CaptureSource, SessionState, TabPush } from '@/lib/contract/messages';
import { answerCaptureQueries, answerOverlayRequests, answerPageRequests, askOffscreen, onOffscreenEvent, pushToTab } from '@/lib/contract/messaging';
import { canStopSession, isSessionRunning } from '@/lib/contract/session-phase';
import { t } from '@/lib/i18n';
import { browserHistoryPruner, liveStartOf } from '@/lib/persistence/browser-history-pruner';
import { pruneHistory } from '@/lib/persistence/history-pruner';
import { loadRetention } from '@/lib/persistence/retention-store';
import { sharedArchive } from '@/lib/persistence/transcript-archive';
import { speakerNamesStore } from '@/lib/speaker-names-store';
import { loadSettings } from '@/lib/storage';

/**
 * Wiring only: every rule lives in lib/background. Nothing here survives in memory on purpose:
 * Chrome may stop this worker at any moment, and its state is in storage.session.
 */
export default defineBackground(() => {
  // First, before any overlay is injected: the token and the history are for extension pages only.
  const restricted = restrictStorageToTrustedContexts().catch((error: unknown) =>
    console.error('[captionist] storage could not be closed to content scripts', error),
  );
  // The page that holds the capture: Chrome's offscreen document, or Firefox's pinned capture tab
  // (lib/background/capture-tab.ts says why a tab). Both answer the same commands.
  const captureHost = IS_FIREFOX
    ? browserCaptureTabHost()
    : { has: hasOffscreenDocument, ensure: ensureOffscreenDocument, close: closeOffscreenDocument };
  const deps: SessionControlDeps = {
    loadSettings,
    loadRetention,
    getTabStreamId: (tabId) => browser.tabCapture.getMediaStreamId({ targetTabId: tabId }),
    describeTab: async (tabId) => {
      const tab = await browser.tabs.get(tabId);
      return tab.url ? { title: tab.title ?? '', url: tab.url } : null;
    },
    injectOverlay: async (tabId) => {
      await restricted;
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
    showPhase: (phase, ended) => showPhase(phase, ended),
    sendToTab: pushToTab,
    isSamplePage: (url) => isSamplePage(url, browser.runtime.getURL('/')),
  };

  /**
   * Starts a session; in Firefox, once capture has started, the tab the user started from comes
   * back to the front (the capture tab had to open in front: lib/background/capture-tab.ts). A
   * failed start leaves the tabs as they are: the permission page may be the one to see.
   */
  const startCaptions = async (source: CaptureSource, tabId: number | null) => {
    const result = await startSession(deps, source, tabId);
    if (IS_FIREFOX && result.ok && tabId !== null) await browser.tabs.update(tabId, { active: true }).catch(() => undefined);
    // A per-site start's invitation (lib/background/auto-start.ts) has been taken up.
    if (result.ok && tabId !== null) await clearInvitation(browser.action, tabId, t('extName')).catch(() => undefined);
    return result;
  };

  const autoStart: AutoStartDeps = {
    sites: () => autoStartSitesItem.getValue(),
    sessionBusy: async () => isSessionRunning(await currentState(deps)),
    startingSource: async () => (IS_FIREFOX ? 'mic' : shortcutCaptureSource()),
    start: startCaptions,
    inviteKeyPress: (tabId) => showInvitation(browser.action, tabId, t('autoStartInvite')),
  };

  const relayToCaptureTab = async (push: TabPush) => {
    const { captureTabId } = await deps.state.load();
    if (captureTabId !== null) deps.sendToTab(captureTabId, push);
  };

  // The only answers pages get: the offscreen document answers the background alone.
  // (Who may send what is checked in lib/contract/messaging.ts before any of these runs.)
  answerPageRequests({
    'session/start': (message) => {
      // Firefox has no tabCapture: only the microphone can be captioned there.
      if (IS_FIREFOX && message.source !== 'mic') {
        return Promise.resolve({ ok: false as const, error: { code: 'tab-not-capturable' as const, message: t('firefoxSessionNoTabCapture') } });
      }
      void rememberCaptureSource(message.source);
      return startCaptions(message.source, message.tabId);
    },
    'session/stop': () => stopSession(deps).then(() => ({ ok: true as const })),
    'session/get': () => currentState(deps),
    'transcript/get': () => currentTranscript(deps),
    'permission/mic-granted': (_message, from) => {
      // The permission page carries the start it completes: the source and the tab the user started from.
      const { source, tabId } = permissionStartFrom(from.url);
      void rememberCaptureSource(source);
      return startCaptions(source, tabId);
    },
    'session/keyterms': (message) => changeSessionKeyterms(deps, message.keyterms),
    'transcript/correct': (message) => correctLiveLine(deps, message),
    'overlay/toggle': async (message) => {
      // The overlay lives in the captured tab.
      await relayToCaptureTab(message.visible === undefined ? { type: 'tab/overlay-toggle' } : { type: 'tab/overlay-toggle', visible: message.visible });
      return { ok: true as const };
    },
  });

  const overlayView: OverlayViewDeps = {
    captureTabId: async () => (await deps.state.load()).captureTabId,
    sessionStartedAt: async () => (await currentState(deps)).startedAt,
    speakerNames: speakerNamesStore(),
    sendToTab: (tabId, push) => deps.sendToTab(tabId, push),
  };
  pushOverlayViewChanges(overlayView);

  // A content script hears about the session on its own tab only (lib/background/session-control.ts),
  // and reads what it shows from storage through the background (lib/background/overlay-view.ts).
  answerOverlayRequests({
    'overlay/live-session': (_message, from) => liveSessionFor(deps, from.tabId),
    ...overlayViewHandlers(overlayView),
  });

  answerCaptureQueries({
    'capture/settings': () => captureSettings(deps),
  });

  onOffscreenEvent((event) => {
    switch (event.type) {
      case 'session/state':
        void showPhase(event.state.phase, event.state);
        void relayToCaptureTab({ type: 'tab/session-state', state: event.state });
        return;
      case 'session/ended':
        void sessionEnded(deps, event.state);
        return;
      case 'transcript/update':
        void relayToCaptureTab({ type: 'tab/transcript-update', update: event.update });
        return;
      case 'audio/level':
        return; // for the pages' level meters
    }
  });

  // The last session's error is old news once the settings or the token change or a connection check passes.
  const clearError = () => void clearEndedError(deps);
  syncedSettingsItem.watch(clearError);
  proxyTokenItem.watch(clearError);
  connectionCheckItem.watch((check) => {
    if (check?.ok) clearError();
  });

  browser.tabs.onRemoved.addListener((tabId) => {
    void tabRemoved(deps, tabId);
  });

  browser.tabs.onUpdated.addListener((tabId, change, tab) => {
    void tabUpdated(deps, tabId, { url: change.url, status: change.status }, tab.url);
    void autoStartOnLoad(autoStart, tabId, change, tab.url).catch((error: unknown) => console.warn('[captionist] per-site start failed:', error));
  });

  // An update must not cut a session mid-word: stop (the transcript is saved), then take it.
  // (runtime.onSuspend needs no handler: this worker holds nothing to save, and its suspension
  // does not touch the session, which the offscreen document owns.)
  browser.runtime.onUpdateAvailable.addListener(() => {
    void stopSession(deps, { code: 'extension-updated', message: t('sessionExtensionUpdated') }).finally(() => browser.runtime.reload());
  });

  // History past its retention goes even when no session starts (lib/persistence/history-pruner.ts).
  const pruneSavedHistory = () =>
    pruneHistory(browserHistoryPruner(async () => liveStartOf(await currentState(deps)))).catch((error: unknown) =>
      console.warn('[captionist] pruning saved history failed:', error),
    );

  // A new browser run or a fresh install starts with no session: no badge, no stale tooltip.
  browser.runtime.onStartup.addListener(() => {
    void showPhase('idle');
    void pruneSavedHistory();
  });
  browser.runtime.onInstalled.addListener((details) => {
    void showPhase('idle');
    void pruneSavedHistory();
    void welcomeOnInstall(details, (path) => browser.tabs.create({ url: browser.runtime.getURL(path) }));
  });

  browser.commands.onCommand.addListener((command, tab) => {
    if (command === 'toggle-overlay') void relayToCaptureTab({ type: 'tab/overlay-toggle' });
    if (command === 'focus-captions') void relayToCaptureTab({ type: 'tab/overlay-focus' });
    if (command !== 'toggle-captions') return;
    void currentState(deps).then((state) => {
      if (canStopSession(state)) void stopSession(deps);
      // The last source the user started, so the shortcut does not turn a microphone user's
      // session into a tab capture.
      else {
        void shortcutCaptureSource().then((source) =>
          startCaptions(IS_FIREFOX ? 'mic' : sourceForTab(tab?.url, browser.runtime.getURL('/'), source), tab?.id ?? null),
        );
      }
    });
  });
});

/** Badge for the phase; the tooltip says why captions stopped when `state` ended in an error. */
async function showPhase(phase: SessionState['phase'], state?: SessionState): Promise<void> {
  const badge = badgeFor(phase);
  await browser.action.setBadgeText({ text: badge.text });
  if (badge.color) await browser.action.setBadgeBackgroundColor({ color: badge.color });
  await browser.action.setTitle({ title: actionTitleFor(t('extName'), state) });
}
