/**
 * Opens the tab or microphone stream in the offscreen document and runs it through the PCM
 * worklet. Browser-only; the decisions about what to send live in capture-session.ts.
 */
import type { CaptureSource, UserFacingError } from '../contract/messages';
import { PCM_PROCESSOR_NAME, type WorkletFrame } from '../audio/pcm';
import { describeMicError, micPermissionError } from '../mic-permission';

/** What the worklet posts every 20 ms (see entrypoints/pcm-worklet.ts). */
export type CapturedFrame = WorkletFrame;

export interface AudioCapture {
  readonly contextSampleRate: number;
  stop(): Promise<void>;
}

export type OpenCaptureResult = { ok: true; capture: AudioCapture } | { ok: false; error: UserFacingError };

export interface OpenCaptureOptions {
  source: CaptureSource;
  streamId: string | null;
  workletUrl: string;
  onFrame(frame: CapturedFrame): void;
  /** The stream ended on its own: the tab closed, or the microphone was unplugged. */
  onEnded(reason: string): void;
}

export async function openAudioCapture(options: OpenCaptureOptions): Promise<OpenCaptureResult> {
  const stream = await openStream(options.source, options.streamId);
  if (!stream.ok) return stream;
  const media = stream.stream;

  const context = new AudioContext({ latencyHint: 'interactive' });
  try {
    await context.audioWorklet.addModule(options.workletUrl);
  } catch (error) {
    media.getTracks().forEach((track) => track.stop());
    await context.close();
    return { ok: false, error: { code: 'capture-failed', message: `The audio processor could not load: ${String(error)}` } };
  }
  const input = context.createMediaStreamSource(media);
  const worklet = new AudioWorkletNode(context, PCM_PROCESSOR_NAME, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
  });
  worklet.port.onmessage = (event: MessageEvent<CapturedFrame>) => options.onFrame(event.data);
  input.connect(worklet);
  // The worklet writes silence; connecting it to the destination keeps the graph pulling it.
  worklet.connect(context.destination);
  // Capturing a tab mutes it for the user; play it back so the tab stays audible.
  if (options.source === 'tab') input.connect(context.destination);
  if (context.state === 'suspended') await context.resume();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    worklet.port.onmessage = null;
    media.getTracks().forEach((track) => track.stop());
    input.disconnect();
    worklet.disconnect();
    await context.close().catch(() => undefined);
  };
  for (const track of media.getAudioTracks()) {
    track.addEventListener('ended', () => {
      if (!stopped) options.onEnded(options.source === 'tab' ? 'The captured tab was closed or stopped playing.' : 'The microphone was disconnected.');
    });
  }
  return { ok: true, capture: { contextSampleRate: context.sampleRate, stop } };
}

type StreamResult = { ok: true; stream: MediaStream } | { ok: false; error: UserFacingError };

async function openStream(source: CaptureSource, streamId: string | null): Promise<StreamResult> {
  if (source === 'tab') {
    if (!streamId) return { ok: false, error: { code: 'capture-failed', message: 'No tab stream was granted.' } };
    try {
      // Chrome's tab-capture constraints are not in the standard MediaTrackConstraints type.
      const constraints = {
        audio: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId } },
        video: false,
      } as unknown as MediaStreamConstraints;
      return { ok: true, stream: await navigator.mediaDevices.getUserMedia(constraints) };
    } catch (error) {
      return { ok: false, error: { code: 'capture-failed', message: `The tab's audio could not be captured: ${String(error)}` } };
    }
  }

  const permission = await microphonePermission();
  if (permission === 'denied') return { ok: false, error: micPermissionError('denied') };
  if (permission === 'prompt') return { ok: false, error: micPermissionError('needed') };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false },
    });
    return { ok: true, stream };
  } catch (error) {
    const described = describeMicError(error);
    if (described.denied) return { ok: false, error: micPermissionError('needed') };
    return { ok: false, error: { code: 'capture-failed', message: described.message } };
  }
}

async function microphonePermission(): Promise<PermissionState> {
  try {
    const status = await navigator.permissions.query({ name: 'microphone' });
    return status.state;
  } catch {
    return 'granted'; // no Permissions API answer: let getUserMedia decide
  }
}
