import { defineBackground } from '#imports';
import { browser } from 'wxt/browser';
import { backgroundSession } from '@/lib/background/background-session';
import { followCommands, followRuntime, followTabs } from '@/lib/background/browser-events';
import { browserSessionDeps } from '@/lib/background/browser-session-deps';
import { followCaptureHost } from '@/lib/background/capture-host-events';
import { closeStorageToContentScripts } from '@/lib/background/content-script-storage';
import { clearEndedErrorOnChanges } from '@/lib/background/ended-error-watch';
import { answerCaptureHost, answerOverlays, answerPages } from '@/lib/background/page-answers';

/**
 * Wiring only: every rule lives in lib/background. Nothing here survives in memory on purpose:
 * Chrome may stop this worker at any moment, and its state is in storage.session.
 */
export default defineBackground(() => {
  const storageClosed = closeStorageToContentScripts(); // first: before any overlay is injected
  const session = backgroundSession(browser, browserSessionDeps(browser, storageClosed));
  answerPages(session);
  answerOverlays(session.deps);
  answerCaptureHost(session.deps);
  followCaptureHost(session);
  clearEndedErrorOnChanges(session.deps);
  followTabs(browser, session);
  followRuntime(browser, session);
  followCommands(browser, session);
});
