import { defineBackground } from '#imports';
import { browser } from 'wxt/browser';
import { closeOffscreenDocument, ensureOffscreenDocument } from '@/lib/background/offscreen-document';
import { startSession, stopSession, type SessionControlDeps } from '@/lib/background/session-control';
import { badgeFor } from '@/lib/background/badge';
import type { Message } from '@/lib/messages';
import { onMessage, request } from '@/lib/runtime-client';
import { loadCaptureTabId, loadSettings, saveCaptureTabId } from '@/lib/storage';

/** Wiring only: every rule lives in lib/background. Nothing here survives in memory on purpose. */
export default defineBackground(() => {
  const deps: SessionControlDeps = {
    loadSettings,
    getTabStreamId: (tabId) => browser.tabCapture.getMediaStreamId({ targetTabId: tabId }),
    injectOverlay: async (tabId) => {
      try {
        await browser.scripting.executeScript({ target: { tabId }, files: ['/content-scripts/captions.js'] });
        return true;
      } catch (error) {
        console.info('[captionist] overlay not shown on this tab:', error);
        return false;
      }
    },
    ensureOffscreen: ensureOffscreenDocument,
    closeOffscreen: closeOffscreenDocument,
    askOffscreen: async (message) => {
      try {
        return await browser.runtime.sendMessage(message);
      } catch {
        return undefined; // no offscreen document yet
      }
    },
    openMicPermissionPage: async (tabId) => {
      const url = browser.runtime.getURL('/permission.html') + (tabId === null ? '' : `?tabId=${tabId}`);
      await browser.tabs.create({ url });
    },
    rememberCaptureTab: saveCaptureTabId,
  };

  const relayToCaptureTab = async (message: Message) => {
    const tabId = await loadCaptureTabId();
    if (tabId === null) return;
    browser.tabs.sendMessage(tabId, message).catch(() => undefined); // overlay may not be injectable there
  };

  onMessage((message, sender) => {
    const fromOffscreen = sender.url?.endsWith('/offscreen.html') ?? false;
    switch (message.type) {
      case 'session/start':
        return startSession(deps, message.source, message.tabId);
      case 'session/stop':
        return stopSession(deps).then(() => ({ ok: true as const }));
      case 'permission/mic-granted': {
        // The permission page carries the tab the user started from; start the mic session there.
        const tabId = new URL(sender.url ?? 'about:blank').searchParams.get('tabId');
        return startSession(deps, 'mic', tabId === null ? null : Number(tabId));
      }
      case 'session/state':
        if (!fromOffscreen) return undefined;
        void applyBadge(message.state.phase);
        void relayToCaptureTab(message);
        return undefined;
      case 'transcript/update':
        if (fromOffscreen) void relayToCaptureTab(message);
        return undefined;
      case 'overlay/toggle':
        // From an extension page (popup, side panel): the overlay lives in the captured tab.
        if (!sender.tab) void relayToCaptureTab(message);
        return undefined;
      default:
        return undefined;
    }
  });

  browser.tabs.onRemoved.addListener((tabId) => {
    void loadCaptureTabId().then((captured) => {
      if (captured === tabId) void stopSession(deps);
    });
  });

  browser.commands.onCommand.addListener((command, tab) => {
    if (command === 'toggle-overlay') void relayToCaptureTab({ type: 'overlay/toggle' });
    if (command !== 'toggle-captions') return;
    void request({ type: 'session/get' }).then((state) => {
      const running = state && (state.phase === 'live' || state.phase === 'connecting');
      if (running) void stopSession(deps);
      else void startSession(deps, 'tab', tab?.id ?? null);
    });
  });
});

async function applyBadge(phase: Parameters<typeof badgeFor>[0]): Promise<void> {
  const badge = badgeFor(phase);
  await browser.action.setBadgeText({ text: badge.text });
  if (badge.color) await browser.action.setBadgeBackgroundColor({ color: badge.color });
}
