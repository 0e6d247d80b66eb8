/**
 * One live captioning session, as the offscreen document runs it:
 *   worklet frames (20 ms, 16 kHz Int16, one per input) -> VAD gates -> 100 ms batches -> listen socket
 *   listen events -> transcript store (times mapped back to meeting time) -> updates for the views
 * Browser objects come in through `SessionPorts`, so this runs in Node tests with fakes.
 *
 * Times: the socket reports *stream seconds* (audio handed to it, across reconnects); the timeline
 * records which capture time each sent batch came from and maps stream seconds back to meeting time.
 *
 * A meeting ('tab-and-mic') has two inputs, sent as the two channels of one stream (channel 0 the
 * tab, channel 1 the microphone; lib/audio/input-gates.ts says why one stream): one connection,
 * one timeline and one replay for both, and the server answers each channel on its own.
 */
import { FRAME_SECONDS, SAMPLE_RATE } from '../audio/format';
import { SentTimeline } from '../audio/timeline';
import { InputGates } from '../audio/input-gates';
import { t } from '../i18n';
import type { ListenEvent } from '../listen/protocol';
import { inputsOf, type AudioInput, type CaptureSource, type KeytermsChangeResult, type SessionState, TranscriptUpdate, UserFacingError } from '../contract/messages';
import { isCapturingAudio } from '../contract/session-phase';
import type { ListenSettings } from '../settings';
import { TranscriptStore, transcriptStoreOptionsFor } from '../transcript/transcript-store';
import type { TranscriptSnapshot } from '../transcript/types';
import { utteranceIdPrefix } from '../transcript/utterance-ids';
import { AudioBatcher } from './audio-batcher';
import { KeytermChanges } from './keyterm-changes';
import { engineNoticeText } from './engine-notice-text';

/** About ten level readings a second are enough for a meter. */
const LEVEL_EVERY_FRAMES = 5;
/** Peak below this (about -60 dBFS) counts as no sound at all. */
const SILENT_PEAK = 0.001;
const NO_AUDIO_WARNING_SECONDS = 10;

/** What the session sends: 16 kHz linear16 with this many interleaved channels (one per input). */
export interface StreamFormat {
  channels: number;
}

/** One input's 20 ms frame with its level. */
export interface InputFrame {
  pcm: Int16Array;
  rms: number;
  peak: number;
}

export interface SocketHandlers {
  onEvent: (event: ListenEvent) => void;
  onOpen: () => void;
  /** The connection dropped and the socket will retry; audio is buffered meanwhile. */
  onReconnecting: (error: UserFacingError, retryInMs: number) => void;
  /** The socket gave up (rejected, or closed unexpectedly and will not retry). */
  onFailure: (error: UserFacingError) => void;
  /** Something to say while captions go on (direct mode fell back to relaying), shown with the warnings. */
  onNotice?: (message: string) => void;
  /** Meeting time of a stream second (the session's timeline), for a proxy that archives the capture. */
  toMeetingTime?: (streamSeconds: number) => number | null;
}

export interface SocketPort {
  sendAudio(pcm: ArrayBuffer): void;
  /** Asks the server to finalize what it heard so far (Finalize), in order with the audio. */
  finalize(): void;
  /** CloseStream, then wait (bounded) for the last results. */
  close(): Promise<void>;
  /**
   * Replaces the stream's key terms (Deepgram's Configure) and returns the number its answer will
   * carry; null when it cannot be sent. Optional:
   * a port without it cannot change them (the session then says so).
   */
  configureKeyterms?(keyterms: readonly string[]): number | null;
}

export interface SessionPorts {
  emitState(state: SessionState): void;
  emitUpdate(update: TranscriptUpdate): void;
  emitLevel(input: AudioInput, rms: number, peak: number): void;
  openSocket(settings: ListenSettings, handlers: SocketHandlers, format: StreamFormat): SocketPort;
  now(): number;
}

export interface SessionHooks {
  /** The socket gave up (refused, unreachable): the owner ends the session. */
  onSocketFailure?(error: UserFacingError): void;
  /** The session's start time (epoch ms); the owner passes the value it also saves, so both agree. */
  startedAt?: number;
}

export class CaptureSession {
  private readonly store: TranscriptStore;
  private readonly timeline = new SentTimeline();
  /** Set by connect(): the inputs actually captured (a meeting whose microphone failed has the tab only). */
  private inputs: readonly AudioInput[] = [];
  private gates: InputGates | null = null;
  private batcher: AudioBatcher | null = null;
  /** The VAD gate let the last frame through: its closing is the end of a stretch of speech. */
  private sendingSpeech = false;
  private socket: SocketPort | null = null;
  private stopping = false;
  private finished = false;
  private framesCaptured = 0;
  private meters: InputMeter[] = [];
  /** Warnings shown together in `state.warning`: an input's trouble, then saving trouble. */
  private storageWarning: string | null = null;
  private inputNotice: string | null = null;
  /** Which engine the proxy fell back to, and why (lib/listen/engine-notice.ts); until the next connection. */
  private engineNotice: string | null = null;
  /** Said by the socket while it runs (direct mode fell back to relaying). */
  private connectionNotice: string | null = null;
  private state: SessionState;
  private readonly keytermChanges: KeytermChanges;

  constructor(
    private readonly ports: SessionPorts,
    private readonly settings: ListenSettings,
    source: CaptureSource,
    tabId: number | null,
    private readonly hooks: SessionHooks = {},
  ) {
    const startedAt = hooks.startedAt ?? ports.now();
    // Ids unique across sessions: views that outlive a session must not merge the next one's lines into it.
    this.store = new TranscriptStore(transcriptStoreOptionsFor(source, utteranceIdPrefix(startedAt), settings.echoGuard));
    this.state = { phase: 'starting', source, tabId, startedAt, error: null, warning: null };
    this.keytermChanges = new KeytermChanges(
      (keyterms) => (this.stopping ? null : (this.socket?.configureKeyterms?.(keyterms) ?? null)),
      settings.model,
      settings.serverKind === 'relay',
    );
  }

  /** Replaces the key terms the server listens for, for the rest of this session; settles with the server's answer. */
  changeKeyterms(keyterms: readonly string[]): Promise<KeytermsChangeResult> {
    return this.keytermChanges.request(keyterms);
  }

  get snapshot(): TranscriptSnapshot {
    return this.store.snapshot();
  }

  get currentState(): SessionState {
    return this.state;
  }

  /** Seconds of audio captured so far (every 20 ms frame, sent or gated). */
  get audioSeconds(): number {
    return this.framesCaptured * FRAME_SECONDS;
  }

  /** True once stop() has finished. */
  get ended(): boolean {
    return this.finished;
  }

  /**
   * Opens the socket for the inputs the capture opened (by default all of the source's). Audio
   * that arrives before it opens is buffered by the socket. `notice` says why an input the source
   * asked for is missing (the microphone was denied): shown while the session runs.
   */
  connect(inputs: readonly AudioInput[] = inputsOf(this.state.source ?? 'tab'), notice: string | null = null): void {
    this.inputs = inputs;
    this.gates = new InputGates(inputs.length, { enabled: this.settings.vadEnabled, sensitivity: this.settings.vadSensitivity });
    // Interleaved samples: `inputs.length` per 1/16000 s, so the batcher's seconds stay audio seconds.
    this.batcher = new AudioBatcher(SAMPLE_RATE * inputs.length, 0.1, (pcm, captureStart, seconds) => this.send(pcm, captureStart, seconds));
    this.meters = inputs.map((input) => new InputMeter(input));
    this.inputNotice = notice;
    this.showWarnings();
    this.setState({ phase: 'connecting' });
    this.socket = this.ports.openSocket(this.settings, {
      onOpen: () => {
        this.setState({ phase: 'live', error: null });
        // A new connection may be served by the first engine again: its notice, if any, follows.
        if (this.engineNotice !== null) {
          this.engineNotice = null;
          this.showWarnings();
        }
      },
      onReconnecting: (error) => this.setState({ phase: 'connecting', error }),
      onEvent: (event) => this.applyEvent(event),
      onNotice: (message) => {
        this.connectionNotice = message;
        this.showWarnings();
      },
      onFailure: (error) => {
        this.setState({ phase: 'error', error });
        this.hooks.onSocketFailure?.(error);
      },
      toMeetingTime: (streamSeconds) => this.timeline.toMeetingTime(streamSeconds, 'start'),
    }, { channels: inputs.length });
  }

  /** One 20 ms worklet frame of a single-input session. */
  handleFrame(pcm: Int16Array, rms: number, peak: number): void {
    this.handleFrames([{ pcm, rms, peak }]);
  }

  /** One 20 ms frame of every input, in the order connect() was given them. */
  handleFrames(frames: readonly InputFrame[]): void {
    const gates = this.gates;
    const batcher = this.batcher;
    if (!gates || !batcher || frames.length !== this.inputs.length) return;
    this.framesCaptured++;
    frames.forEach((frame, i) => this.meters[i]?.track(frame.rms, frame.peak));
    if (this.framesCaptured % LEVEL_EVERY_FRAMES === 0) {
      for (const meter of this.meters) this.ports.emitLevel(meter.input, ...meter.take());
    }
    if (this.meters.some((meter) => meter.silenceChanged)) this.showWarnings();
    if (!isCapturingAudio(this.state)) return;
    const toSend = gates.push(frames.map((frame) => frame.pcm));
    if (toSend.length === 0) {
      if (this.sendingSpeech) {
        // The gate just closed: send the tail of speech now and ask for it to be finalized. The
        // server hears no silence while the gate is shut, so its endpointing (if longer than the
        // hangover) or smart_format (which holds numbers until 3 s of silence) would otherwise
        // keep the last words interim until someone speaks again.
        this.sendingSpeech = false;
        batcher.flush();
        this.socket?.finalize();
      }
      return;
    }
    // (With the gate off every frame passes, so it never closes: the server's endpointing decides.)
    this.sendingSpeech = true;
    for (const frame of toSend) batcher.push(frame.pcm, frame.captureStart);
    // The gate just opened and released its pre-roll: send the onset now rather than letting it
    // wait up to 80 ms for the batch to fill (bench:latency: capture->proxy p95 177 -> 103 ms).
    if (toSend.length > 1) batcher.flush();
  }

  /**
   * An input's stream ended on its own while others go on (a meeting's microphone was unplugged):
   * its channel carries silence from now on, and the user is told.
   */
  inputLost(input: AudioInput, message: string): void {
    const meter = this.meters.find((m) => m.input === input);
    if (!meter) return;
    meter.lost = message;
    this.showWarnings();
  }

  /**
   * Ends capture: flush audio, CloseStream, wait for the last words, then idle; or error, with
   * `reason` when capture ended for one (tab left the site...), or the socket's failure.
   */
  async stop(reason?: UserFacingError): Promise<void> {
    if (this.finished || this.stopping) return;
    this.stopping = true;
    const failure = reason ?? (this.state.phase === 'error' ? this.state.error : null);
    this.setState({ phase: 'stopping' });
    this.keytermChanges.cancel();
    this.batcher?.flush();
    await this.socket?.close();
    this.socket = null;
    // Words the echo guard still holds (a stream that ended without the server's Metadata) are decided now.
    const held = this.store.flush();
    if (held) this.ports.emitUpdate(held);
    this.finished = true;
    // An input's trouble (silent, lost, not captioned) ends with the capture; saving trouble stays.
    this.meters = [];
    this.inputNotice = null;
    this.connectionNotice = null;
    const warning = this.storageWarning;
    this.setState(failure ? { phase: 'error', error: failure, warning } : { phase: 'idle', error: null, warning });
  }

  /** Saving the transcript failed: shown with any other warning until the session ends. */
  warnStorage(message: string): void {
    this.storageWarning = message;
    this.showWarnings();
  }

  fail(error: UserFacingError): void {
    this.setState({ phase: 'error', error });
  }

  private send(pcm: Int16Array, captureStart: number, seconds: number): void {
    if (!this.socket) return;
    this.timeline.recordSent(captureStart, seconds);
    // Copy out of the batcher's reusable buffer: the socket may hold it while connecting.
    this.socket.sendAudio(pcm.slice().buffer);
  }

  private applyEvent(event: ListenEvent): void {
    if (event.kind === 'configure-success' || event.kind === 'configure-failure') {
      this.keytermChanges.answer(event);
      return;
    }
    if (event.kind === 'engine') {
      this.engineNotice = engineNoticeText(event.notice);
      this.showWarnings();
      return;
    }
    const update = this.store.apply(event, (streamSeconds, edge) => this.timeline.toMeetingTime(streamSeconds, edge));
    if (update) this.ports.emitUpdate(update);
  }

  private showWarnings(): void {
    const inputWarnings = this.meters.map((meter) => meter.warning(this.inputs.length > 1, this.state.phase === 'error'));
    const warning =
      [this.engineNotice, this.inputNotice, this.connectionNotice, ...inputWarnings, this.storageWarning].filter((w): w is string => w !== null).join(' ') || null;
    if (warning !== this.state.warning) this.setState({ warning });
  }

  private setState(change: Partial<SessionState>): void {
    this.state = { ...this.state, ...change };
    this.ports.emitState(this.state);
  }
}

/** One input's level (peak and RMS since the last reading) and its "no sound" and "lost" states. */
class InputMeter {
  private rms = 0;
  private peak = 0;
  private silentFrames = 0;
  private silent = false;
  /** Set when the silent state flipped on the last track(); read once by the session. */
  private changed = false;
  /** Why the input ended mid-session, when it did. */
  lost: string | null = null;

  constructor(readonly input: AudioInput) {}

  track(rms: number, peak: number): void {
    this.rms = Math.max(this.rms, rms);
    this.peak = Math.max(this.peak, peak);
    if (peak >= SILENT_PEAK) {
      this.silentFrames = 0;
      if (this.silent) this.flip(false);
    } else if (++this.silentFrames === SILENT_FRAMES_FOR_WARNING) {
      this.flip(true);
    }
  }

  /** The level since the last take, as [rms, peak]. */
  take(): [number, number] {
    const level: [number, number] = [this.rms, this.peak];
    this.rms = 0;
    this.peak = 0;
    return level;
  }

  get silenceChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** The sentence for this input now, if any. `named`: more than one input, so say which. */
  warning(named: boolean, failed: boolean): string | null {
    if (this.lost !== null) return this.lost;
    if (!this.silent || failed) return null;
    return silenceWarning(this.input, named);
  }

  private flip(silent: boolean): void {
    this.silent = silent;
    this.changed = true;
  }
}

const SILENT_FRAMES_FOR_WARNING = Math.round(NO_AUDIO_WARNING_SECONDS / FRAME_SECONDS);

/** A muted tab or a wrong microphone sends digital silence: say so, and which, until sound returns. */
function silenceWarning(input: AudioInput, named: boolean): string {
  if (named) {
    return t(input === 'mic' ? 'silenceMicNamed' : 'silenceTabNamed', NO_AUDIO_WARNING_SECONDS);
  }
  return t(input === 'mic' ? 'silenceMic' : 'silenceTab', NO_AUDIO_WARNING_SECONDS);
}
