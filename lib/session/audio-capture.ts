/**
 * Opens the tab stream, the microphone stream, or both (a meeting) in the offscreen document and
 * runs them through the PCM worklet, one worklet input each (tab first). Browser-only; the
 * decisions about what to send live in capture-session.ts.
 *
 * A meeting whose microphone cannot be opened (denied, missing, busy) captures the tab alone and
 * says why in `notice`: the others are still captioned rather than the start failing. Only a
 * microphone never asked for yet fails the start (mic-permission-needed), so the popup can open
 * the permission page and the meeting starts whole once the user allows it.
 */
import { inputsOf, type AudioInput, type CaptureSource, type UserFacingError } from '../contract/messages';
import { PCM_PROCESSOR_NAME, type PcmProcessorOptions } from '../audio/pcm';
import type { WorkletFrames } from '../audio/pcm-pipeline';
import { t } from '../i18n';
import { describeMicError, micPermissionError } from '../mic-permission';

/** What the worklet posts every 20 ms: one frame per input (see entrypoints/pcm-worklet.ts). */
export type CapturedFrames = WorkletFrames;

/** The browser's own processing of the microphone (getUserMedia constraints), each a setting. */
export interface MicProcessing {
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
}

export interface AudioCapture {
  readonly contextSampleRate: number;
  /** The inputs captured, in channel order: the source's, less a meeting microphone that failed. */
  readonly inputs: readonly AudioInput[];
  /** Why an input the source asked for is missing, in a sentence; null when none is. */
  readonly notice: string | null;
  stop(): Promise<void>;
}

export type OpenCaptureResult = { ok: true; capture: AudioCapture } | { ok: false; error: UserFacingError };

export interface OpenCaptureOptions {
  source: CaptureSource;
  streamId: string | null;
  workletUrl: string;
  micProcessing: MicProcessing;
  onFrames(frames: CapturedFrames): void;
  /** The capture ended on its own: the tab closed, or a microphone-only session's microphone was unplugged. */
  onEnded(reason: string): void;
  /** One input of several ended (a meeting's microphone was unplugged); the others go on. */
  onInputLost(input: AudioInput, reason: string): void;
}

export async function openAudioCapture(options: OpenCaptureOptions): Promise<OpenCaptureResult> {
  const streams: { input: AudioInput; stream: MediaStream }[] = [];
  let notice: string | null = null;
  for (const input of inputsOf(options.source)) {
    const opened = input === 'tab' ? await openTabStream(options.streamId) : await openMicStream(options.micProcessing);
    if (opened.ok) {
      streams.push({ input, stream: opened.stream });
    } else if (input === 'mic' && options.source === 'tab-and-mic' && !opened.notAskedYet) {
      notice = micMissingNotice(opened.error);
    } else {
      stopStreams(streams.map((s) => s.stream));
      return { ok: false, error: opened.error };
    }
  }
  const media = streams.map((s) => s.stream);
  const inputs = streams.map((s) => s.input);

  const context = new AudioContext({ latencyHint: 'interactive' });
  try {
    await context.audioWorklet.addModule(options.workletUrl);
  } catch (error) {
    stopStreams(media);
    await context.close();
    return { ok: false, error: { code: 'capture-failed', message: t('captureProcessorFailed', String(error)) } };
  }
  const processorOptions: PcmProcessorOptions = { inputCount: streams.length };
  const worklet = new AudioWorkletNode(context, PCM_PROCESSOR_NAME, {
    numberOfInputs: streams.length,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    processorOptions,
  });
  worklet.port.onmessage = (event: MessageEvent<CapturedFrames>) => options.onFrames(event.data);
  const sources = streams.map(({ input, stream }, index) => {
    const node = context.createMediaStreamSource(stream);
    node.connect(worklet, 0, index);
    // Capturing a tab mutes it for the user; play it back so the tab stays audible. (Never the
    // microphone: the user would hear themselves.)
    if (input === 'tab') node.connect(context.destination);
    return node;
  });
  // The worklet writes silence; connecting it to the destination keeps the graph pulling it.
  worklet.connect(context.destination);
  if (context.state === 'suspended') await context.resume();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    worklet.port.onmessage = null;
    stopStreams(media);
    for (const node of sources) node.disconnect();
    worklet.disconnect();
    await context.close().catch(() => undefined);
  };
  for (const { input, stream } of streams) {
    for (const track of stream.getAudioTracks()) {
      track.addEventListener('ended', () => {
        if (stopped) return;
        // The worklet hears no channels on that input from now on and sends its silence.
        if (input === 'mic' && inputs.length > 1) options.onInputLost('mic', t('captureMicLost'));
        else options.onEnded(input === 'tab' ? t('captureTabEnded') : t('captureMicEnded'));
      });
    }
  }
  return { ok: true, capture: { contextSampleRate: context.sampleRate, inputs, notice, stop } };
}

/** Tab alone, said so: the user asked for the microphone too and should know it is not heard. */
function micMissingNotice(error: UserFacingError): string {
  return t('captureMicNotCaptioned', error.message.replace(/\.$/, ''));
}

function stopStreams(streams: readonly MediaStream[]): void {
  for (const stream of streams) stream.getTracks().forEach((track) => track.stop());
}

type StreamResult = { ok: true; stream: MediaStream } | { ok: false; error: UserFacingError; notAskedYet?: boolean };

async function openTabStream(streamId: string | null): Promise<StreamResult> {
  if (!streamId) return { ok: false, error: { code: 'capture-failed', message: t('captureNoTabStream') } };
  try {
    // Chrome's tab-capture constraints are not in the standard MediaTrackConstraints type.
    const constraints = {
      audio: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId } },
      video: false,
    } as unknown as MediaStreamConstraints;
    return { ok: true, stream: await navigator.mediaDevices.getUserMedia(constraints) };
  } catch (error) {
    return { ok: false, error: { code: 'capture-failed', message: t('captureTabAudioFailed', String(error)) } };
  }
}

async function openMicStream(processing: MicProcessing): Promise<StreamResult> {
  const permission = await microphonePermission();
  if (permission === 'denied') return { ok: false, error: micPermissionError('denied') };
  if (permission === 'prompt') return { ok: false, error: micPermissionError('needed'), notAskedYet: true };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { ...processing } });
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
