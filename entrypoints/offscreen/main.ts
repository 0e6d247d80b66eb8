import { browser } from 'wxt/browser';
import { openAudioCapture } from '@/lib/session/audio-capture';
import { OffscreenController } from '@/lib/session/offscreen-controller';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { broadcast, onMessage } from '@/lib/runtime-client';

// Wiring only: the offscreen document owns capture and the socket for the whole session.
const controller = new OffscreenController({
  openCapture: (options) => openAudioCapture({ ...options, workletUrl: browser.runtime.getURL('/pcm-worklet.js') }),
  openSocket: openListenSocket,
  emitState: (state) => broadcast({ type: 'session/state', state }),
  emitUpdate: (update) => broadcast({ type: 'transcript/update', update }),
  emitLevel: (rms, peak) => broadcast({ type: 'audio/level', rms, peak }),
  now: () => Date.now(),
});

onMessage((message) => controller.handle(message));
