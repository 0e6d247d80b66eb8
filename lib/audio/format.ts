/**
 * The audio format the extension captures, gates and sends, defined once: 16 kHz, mono, signed
 * 16-bit little-endian PCM (Deepgram `encoding=linear16`), produced in 20 ms frames.
 *
 * The PCM worklet (entrypoints/pcm-worklet.ts) resamples to it, the VAD gate (vad.ts) and the
 * sent timeline (timeline.ts) count in its samples, the listen URL (lib/listen/listen-url.ts)
 * announces it to the server, the listen socket turns its bytes into seconds, and the proxy's
 * local engine (proxy/upstreams/local-engine.ts) accepts exactly it.
 */

/** Deepgram's name for raw signed 16-bit little-endian PCM. */
export const AUDIO_ENCODING = 'linear16';
export const SAMPLE_RATE = 16_000;
export const CHANNELS = 1;
export const BYTES_PER_SAMPLE = 2;
/** 32,000: bytes of one second of audio. */
export const BYTES_PER_SECOND = SAMPLE_RATE * CHANNELS * BYTES_PER_SAMPLE;

/** The worklet posts, and the VAD gate judges, one frame of this length. */
export const FRAME_MS = 20;
export const FRAME_SECONDS = FRAME_MS / 1000;
/** 320 samples. */
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
/** 640 bytes. */
export const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * BYTES_PER_SAMPLE;
