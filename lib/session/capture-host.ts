/**
 * The capture host's wiring, whichever page holds it: the same OffscreenController, capture,
 * socket and saving answer the background's commands (lib/contract/messaging.ts). Firefox's
 * capture tab (entrypoints/capture/) runs it; Chrome's offscreen document (entrypoints/offscreen/)
 * wires the same pieces the same way.
 */
import { browser } from 'wxt/browser';
import { answerOffscreenCommands, askCaptureSettings, emitOffscreenEvent } from '../contract/messaging';
import { loadMessageCatalog, t } from '../i18n';
import { sharedArchive } from '../persistence/transcript-archive';
import { DEFAULT_LOCALE, SHIPPED_LOCALES } from '../shipped-locales';
import { openAudioCapture } from './audio-capture';
import { OffscreenController } from './offscreen-controller';
import { openListenSocket } from './open-listen-socket';

/** Starts answering the background's capture commands from this page; returns the function that stops answering. */
export function runCaptureHost(): () => void {
  // Every sentence said from here (errors, warnings) in the user's language: the host may be a
  // context with no browser.i18n (Chrome's offscreen document), so the messages are loaded first.
  const messagesReady = loadMessageCatalog(navigator.language, SHIPPED_LOCALES, DEFAULT_LOCALE, async (path) => {
    const response = await fetch(browser.runtime.getURL(path as '/'));
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  });

  const controller = new OffscreenController({
    openCapture: (options) => openAudioCapture({ ...options, workletUrl: browser.runtime.getURL('/pcm-worklet.js') }),
    openSocket: openListenSocket,
    emitState: (state) => emitOffscreenEvent({ type: 'session/state', state }),
    emitUpdate: (update) => emitOffscreenEvent({ type: 'transcript/update', update }),
    emitLevel: (input, rms, peak) => emitOffscreenEvent({ type: 'audio/level', input, rms, peak }),
    emitEnded: (state) => emitOffscreenEvent({ type: 'session/ended', state }),
    // The settings are storage's, read by the background (the host may have no storage API).
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

  // Commands from the background only (lib/contract/senders.ts mayCommandOffscreen).
  return answerOffscreenCommands({
    // A start waits for the messages (it may fail at once, with a sentence); other requests need not.
    'offscreen/start': (message) => messagesReady.then(() => controller.start(message)),
    'offscreen/stop': (message) => controller.stop(message.reason).then(() => ({ ok: true as const })),
    'offscreen/get-state': async () => controller.state(),
    'offscreen/get-transcript': () => controller.transcript(),
    'offscreen/keyterms': (message) => controller.changeKeyterms(message.keyterms),
    'offscreen/correct': (message) => controller.correctLine(message),
  });
}
