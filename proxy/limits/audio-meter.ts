/**
 * Turns a stream's relayed audio into seconds for the daily quota. Raw formats (linear16 and the
 * like) are counted from their bytes, so a replay burst counts what it carries; compressed or
 * containerized audio has no known byte rate and counts the time the stream was open.
 *
 * Seconds are channel-seconds: a stream of N channels counts N seconds for each second of audio,
 * as Deepgram bills each channel of a multichannel stream (its Metadata's duration x channels).
 * A meeting (the tab and the microphone on two channels) uses a quota twice as fast as the tab alone.
 */
import { rawBytesPerSecond, type AudioFormat } from '../listen-params';
import type { StreamSlot } from './shared-limits';

export interface AudioMeter {
  relayed(bytes: number): void;
  /** At stream end: adds the wall-clock time of a stream whose bytes could not be counted. */
  ended(): void;
}

export function createAudioMeter(format: AudioFormat, slot: StreamSlot, startedAt = Date.now()): AudioMeter {
  // Bytes of one second of one channel: all channels' bytes divided by it are channel-seconds.
  const allChannels = rawBytesPerSecond(format);
  const oneChannel = allChannels === undefined ? undefined : allChannels / format.channels;
  return {
    relayed(bytes) {
      if (oneChannel !== undefined) slot.addAudioSeconds(bytes / oneChannel);
    },
    ended() {
      if (oneChannel === undefined) slot.addAudioSeconds(((Date.now() - startedAt) / 1000) * format.channels);
    },
  };
}
