import { browser } from 'wxt/browser';
import { t } from '@/lib/i18n';
import { sharedArchive } from '@/lib/persistence/transcript-archive';
import { openAudioCapture } from '@/lib/session/audio-capture';
import { OffscreenController } from '@/lib/session/offscreen-controller';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { broadcast, onMessage } from '@/lib/runtime-client';

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
    alreadyRunning: t('sessionAlreadyRunning'),
    interrupted: t('sessionInterrupted'),
    saveFailed: (detail) => t('sessionSaveFailed', detail),
    captureEnded: (reason) => t('sessionCaptureEnded', reason),
  },
});

onMessage((message) => controller.handle(message));
