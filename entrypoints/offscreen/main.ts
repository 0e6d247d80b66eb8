import { browser } from 'wxt/browser';
import { answerOffscreenCommands, askCaptureSettings, emitOffscreenEvent } from '@/lib/contract/messaging';
import { loadMessageCatalog, t } from '@/lib/i18n';
import { sharedArchive } from '@/lib/persistence/transcript-archive';
import { openAudioCapture } from '@/lib/session/audio-capture';
import { OffscreenController } from '@/lib/session/offscreen-controller';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { DEFAULT_LOCALE, SHIPPED_LOCALES } from '@/lib/shipped-locales';

// Chrome gives this document part of the runtime API only (no browser.i18n, not even
// runtime.getManifest, no storage): load the messages first, so every sentence said from here
// (errors, warnings) is in the user's language, not a key. Only a shipped locale is fetched.
const messagesReady = loadMessageCatalog(navigator.language, SHIPPED_LOCALES, DEFAULT_LOCALE, async (path) => {
  const response = await fetch(browser.runtime.getURL(path as '/'));
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
});

// Wiring only: the offscreen document owns capture, the socket and saving for the whole session.
const controller = new OffscreenController({
  openCapture: (options) => openAudioCapture({ ...options, workletUrl: browser.runtime.getURL('/pcm-worklet.js') }),
  openSocket: openListenSocket,
  emitState: (state) => emitOffscreenEvent({ type: 'session/state', state }),
  emitUpdate: (update) => emitOffscreenEvent({ type: 'transcript/update', update }),
  emitLevel: (input, rms, peak) => emitOffscreenEvent({ type: 'audio/level', input, rms, peak }),
  emitEnded: (state) => emitOffscreenEvent({ type: 'session/ended', state }),
  // The settings are storage's, read by the background (this document has no storage API).
  loadCaptureSettings: askCaptureSettings,
  archive: sharedArchive,
  newSessionId: () => crypto.randomUUID(),
  now: () => Date.now(),
  text: {
    alreadyRunning: () => t('sessionAlreadyRunning'),
    noSettings: () => t('sessionNoSettings'),
    interrupted: () => t('sessionInterrupted'),
    saveFailed: (detail) => t('sessionSaveFailed', detail),
    captureEnded: (reason) => t('sessionCaptureEnded', reason),
  },
});

// Commands from the service worker only (lib/contract/senders.ts mayCommandOffscreen).
answerOffscreenCommands({
  // A start waits for the messages (it may fail at once, with a sentence); other requests need not.
  'offscreen/start': (message) => messagesReady.then(() => controller.start(message)),
  'offscreen/stop': (message) => controller.stop(message.reason).then(() => ({ ok: true as const })),
  'offscreen/get-state': async () => controller.state(),
  'offscreen/get-transcript': () => controller.transcript(),
});
