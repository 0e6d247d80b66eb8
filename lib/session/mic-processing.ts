/**
 * The browser's processing of the microphone, from the user's settings (Options: echo
 * cancellation, noise suppression, automatic gain control; all on unless turned off).
 */
import type { ListenSettings } from '../settings';
import type { MicProcessing } from './audio-capture';

export function micProcessingOf(settings: ListenSettings): MicProcessing {
  return {
    echoCancellation: settings.micEchoCancellation,
    noiseSuppression: settings.micNoiseSuppression,
    autoGainControl: settings.micAutoGainControl,
  };
}
