import { browser } from 'wxt/browser';
import { loadMessageCatalog, t } from '@/lib/i18n';
import { sharedArchive } from '@/lib/persistence/transcript-archive';
import { openAudioCapture } from '@/lib/session/audio-capture';
import { OffscreenController } from '@/lib/session/offscreen-controller';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { broadcast, onMessage } from '@/lib/runtime-client';

// Chrome gives this document part of the runtime API only (no browser.i18n, not even
// runtime.getManifest): load the messages first, so every sentence said from here (errors,
// warnings) is in the user's language, not a key. 'en' is wxt.config.ts's default_locale.
const DEFAULT_LOCALE = 'en';
const messagesReady = loadMessageCatalog(navigator.language, DEFAULT_LOCALE, async (path) => {
  const response = await fetch(browser.runtime.getURL(path as '/'));
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
});

// Wiring only: the offscreen document owns capture, the socket and saving for the whole session.
const controller = new OffscreenController({
  openCapture: (options) => openAudioCapture({ ...options, workletUrl: browser.runtime.getURL('/pcm-worklet.js') }),
  openSocket: openListenSocket,
  emitState: (state) => broadcast({ type: 'session/state', state }),
  emitUpdate: (update) => broadcast({ type: 'transcript/update', update }),
  emitLevel: (rms, peak) => broadcast({ type: 'audio/level', rms, peak }),
  emitEnded: (state) => broadcast({ type: 'session/ended', state }),
  archive: sharedArchive,
  newSessionId: () => crypto.randomUUID(),
  now: () => Date.now(),
  text: {
    alreadyRunning: () => t('sessionAlreadyRunning'),
    interrupted: () => t('sessionInterrupted'),
    saveFailed: (detail) => t('sessionSaveFailed', detail),
    captureEnded: (reason) => t('sessionCaptureEnded', reason),
  },
});

onMessage((message) => {
  // A start waits for the messages (it may fail at once, with a sentence); other requests need not.
  if (message.type === 'offscreen/start') return messagesReady.then(() => controller.handle(message));
  return controller.handle(message);
});
