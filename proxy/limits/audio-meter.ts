/**
 * Turns a stream's relayed audio into seconds for the daily quota. Raw formats (linear16 and the
 * like) are counted from their bytes, so a replay burst counts what it carries; compressed or
 * containerized audio has no known byte rate and counts the time the stream was open.
 */
import { rawBytesPerSecond, type AudioFormat } from '../listen-params';
import type { StreamSlot } from './shared-limits';

export interface AudioMeter {
  relayed(bytes: number): void;
  /** At stream end: adds the wall-clock time of a stream whose bytes could not be counted. */
  ended(): void;
}

export function createAudioMeter(format: AudioFormat, slot: StreamSlot, startedAt = Date.now()): AudioMeter {
  const rate = rawBytesPerSecond(format);
  return {
    relayed(bytes) {
      if (rate !== undefined) slot.addAudioSeconds(bytes / rate);
    },
    ended() {
      if (rate === undefined) slot.addAudioSeconds((Date.now() - startedAt) / 1000);
    },
  };
}
