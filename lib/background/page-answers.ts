/**
 * What the background answers: requests from the extension's pages, from the overlay (a content
 * script), and the capture host's queries for its settings. The offscreen document answers the
 * background alone. Who may send what is checked in lib/contract/messaging.ts before any of these
 * runs.
 */
import { IS_FIREFOX } from '../browser-kind';
import { answerCaptureQueries, answerOverlayRequests, answerPageRequests } from '../contract/messaging';
import { t } from '../i18n';
import { speakerNamesStore } from '../speaker-names-store';
import type { BackgroundSession } from './background-session';
import { rememberCaptureSource } from './last-source';
import { overlayViewHandlers, pushOverlayViewChanges, type OverlayViewDeps } from './overlay-view';
import { permissionStartFrom } from './permission-start';
import { captureSettings, changeSessionKeyterms, correctLiveLine, currentState, currentTranscript, liveSessionFor, stopSession, type SessionControlDeps } from './session-control';

/** The popup's, the side panel's, the permission page's and Options' requests. */
export function answerPages(session: BackgroundSession): void {
  const { deps } = session;
  answerPageRequests({
    'session/start': (message) => {
      // Firefox has no tabCapture: only the microphone can be captioned there.
      if (IS_FIREFOX && message.source !== 'mic') {
        return Promise.resolve({ ok: false as const, error: { code: 'tab-not-capturable' as const, message: t('firefoxSessionNoTabCapture') } });
      }
      void rememberCaptureSource(message.source);
      return session.start(message.source, message.tabId);
    },
    'session/stop': () => stopSession(deps).then(() => ({ ok: true as const })),
    'session/get': () => currentState(deps),
    'transcript/get': () => currentTranscript(deps),
    'permission/mic-granted': (_message, from) => {
      // The permission page carries the start it completes: the source and the tab the user started from.
      const { source, tabId } = permissionStartFrom(from.url);
      void rememberCaptureSource(source);
      return session.start(source, tabId);
    },
    'session/keyterms': (message) => changeSessionKeyterms(deps, message.keyterms),
    'transcript/correct': (message) => correctLiveLine(deps, message),
    'overlay/toggle': async (message) => {
      // The overlay lives in the captured tab.
      await session.relayToCaptureTab(message.visible === undefined ? { type: 'tab/overlay-toggle' } : { type: 'tab/overlay-toggle', visible: message.visible });
      return { ok: true as const };
    },
  });
}

/**
 * A content script hears about the session on its own tab only (session-control.ts), and reads
 * what it shows from storage through the background (overlay-view.ts), which also pushes it
 * changes made elsewhere.
 */
export function answerOverlays(deps: SessionControlDeps): void {
  const overlayView: OverlayViewDeps = {
    captureTabId: async () => (await deps.state.load()).captureTabId,
    sessionStartedAt: async () => (await currentState(deps)).startedAt,
    speakerNames: speakerNamesStore(),
    sendToTab: (tabId, push) => deps.sendToTab(tabId, push),
  };
  pushOverlayViewChanges(overlayView);
  answerOverlayRequests({
    'overlay/live-session': (_message, from) => liveSessionFor(deps, from.tabId),
    ...overlayViewHandlers(overlayView),
  });
}

/** The capture host (offscreen document or Firefox's capture tab) cannot read storage itself. */
export function answerCaptureHost(deps: SessionControlDeps): void {
  answerCaptureQueries({
    'capture/settings': () => captureSettings(deps),
  });
}
