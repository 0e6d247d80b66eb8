/**
 * One live captioning session, as the offscreen document runs it:
 *   worklet frames (20 ms, 16 kHz Int16) -> VAD gate -> 100 ms batches -> listen socket
 *   listen events -> transcript store (times mapped back to meeting time) -> updates for the views
 * Browser objects come in through `SessionPorts`, so this runs in Node tests with fakes.
 *
 * Times: the socket reports *stream seconds* (audio handed to it, across reconnects); the timeline
 * records which capture time each sent batch came from and maps stream seconds back to meeting time.
 */
import { FRAME_SECONDS, SAMPLE_RATE } from '../audio/format';
import { SentTimeline } from '../audio/timeline';
import { VadGate } from '../audio/vad';
import type { ListenEvent } from '../listen/protocol';
import { inputsOf, type AudioInput, type CaptureSource, type SessionState, TranscriptUpdate, UserFacingError } from '../contract/messages';
import { isCapturingAudio } from '../contract/session-phase';
import type { ListenSettings } from '../settings';
import { TranscriptStore } from '../transcript/transcript-store';
import type { TranscriptSnapshot } from '../transcript/types';
import { utteranceIdPrefix } from '../transcript/utterance-ids';
import { AudioBatcher } from './audio-batcher';

/** About ten level readings a second are enough for a meter. */
const LEVEL_EVERY_FRAMES = 5;
/** Peak below this (about -60 dBFS) counts as no sound at all. */
const SILENT_PEAK = 0.001;
const NO_AUDIO_WARNING_SECONDS = 10;

export interface SocketHandlers {
  onEvent: (event: ListenEvent) => void;
  onOpen: () => void;
  /** The connection dropped and the socket will retry; audio is buffered meanwhile. */
  onReconnecting: (error: UserFacingError, retryInMs: number) => void;
  /** The socket gave up (rejected, or closed unexpectedly and will not retry). */
  onFailure: (error: UserFacingError) => void;
  /** Meeting time of a stream second (the session's timeline), for a proxy that archives the capture. */
  toMeetingTime?: (streamSeconds: number) => number | null;
}

export interface SocketPort {
  sendAudio(pcm: ArrayBuffer): void;
  /** Asks the server to finalize what it heard so far (Finalize), in order with the audio. */
  finalize(): void;
  /** CloseStream, then wait (bounded) for the last results. */
  close(): Promise<void>;
}

export interface SessionPorts {
  emitState(state: SessionState): void;
  emitUpdate(update: TranscriptUpdate): void;
  emitLevel(input: AudioInput, rms: number, peak: number): void;
  openSocket(settings: ListenSettings, handlers: SocketHandlers): SocketPort;
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
  private readonly vad: VadGate;
  private readonly batcher: AudioBatcher;
  /** The VAD gate let the last frame through: its closing is the end of a stretch of speech. */
  private sendingSpeech = false;
  private socket: SocketPort | null = null;
  private stopping = false;
  private finished = false;
  private framesCaptured = 0;
  private levelRms = 0;
  private levelPeak = 0;
  private silentFrames = 0;
  /** Warnings shown together in `state.warning`: no sound, and saving trouble. */
  private silenceWarning: string | null = null;
  private storageWarning: string | null = null;
  private state: SessionState;

  constructor(
    private readonly ports: SessionPorts,
    private readonly settings: ListenSettings,
    source: CaptureSource,
    tabId: number | null,
    private readonly hooks: SessionHooks = {},
  ) {
    this.vad = new VadGate({ enabled: settings.vadEnabled, sensitivity: settings.vadSensitivity });
    this.batcher = new AudioBatcher(SAMPLE_RATE, 0.1, (pcm, captureStart, seconds) => this.send(pcm, captureStart, seconds));
    const startedAt = hooks.startedAt ?? ports.now();
    // Ids unique across sessions: views that outlive a session must not merge the next one's lines into it.
    this.store = new TranscriptStore({ idPrefix: utteranceIdPrefix(startedAt) });
    this.state = { phase: 'starting', source, tabId, startedAt, error: null, warning: null };
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

  /** Opens the socket. Audio that arrives before it opens is buffered by the socket. */
  connect(): void {
    this.setState({ phase: 'connecting' });
    this.socket = this.ports.openSocket(this.settings, {
      onOpen: () => this.setState({ phase: 'live', error: null }),
      onReconnecting: (error) => this.setState({ phase: 'connecting', error }),
      onEvent: (event) => this.applyEvent(event),
      onFailure: (error) => {
        this.setState({ phase: 'error', error });
        this.hooks.onSocketFailure?.(error);
      },
      toMeetingTime: (streamSeconds) => this.timeline.toMeetingTime(streamSeconds, 'start'),
    });
  }

  /** One 20 ms worklet frame. */
  handleFrame(pcm: Int16Array, rms: number, peak: number): void {
    const captureStart = this.framesCaptured * FRAME_SECONDS;
    this.framesCaptured++;
    this.trackLevel(rms, peak);
    this.trackSilence(peak);
    if (!isCapturingAudio(this.state)) return;
    const toSend = this.vad.push(pcm, captureStart);
    if (toSend.length === 0) {
      if (this.sendingSpeech) {
        // The gate just closed: send the tail of speech now and ask for it to be finalized. The
        // server hears no silence while the gate is shut, so its endpointing (if longer than the
        // hangover) or smart_format (which holds numbers until 3 s of silence) would otherwise
        // keep the last words interim until someone speaks again.
        this.sendingSpeech = false;
        this.batcher.flush();
        this.socket?.finalize();
      }
      return;
    }
    // (With the gate off every frame passes, so it never closes: the server's endpointing decides.)
    this.sendingSpeech = true;
    for (const frame of toSend) this.batcher.push(frame.pcm, frame.captureStart);
    // The gate just opened and released its pre-roll: send the onset now rather than letting it
    // wait up to 80 ms for the batch to fill (bench:latency: capture->proxy p95 177 -> 103 ms).
    if (toSend.length > 1) this.batcher.flush();
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
    this.batcher.flush();
    await this.socket?.close();
    this.socket = null;
    this.finished = true;
    this.setState(failure ? { phase: 'error', error: failure } : { phase: 'idle', error: null });
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
    const update = this.store.apply(event, (streamSeconds, edge) => this.timeline.toMeetingTime(streamSeconds, edge));
    if (update) this.ports.emitUpdate(update);
  }

  private trackLevel(rms: number, peak: number): void {
    this.levelRms = Math.max(this.levelRms, rms);
    this.levelPeak = Math.max(this.levelPeak, peak);
    if (this.framesCaptured % LEVEL_EVERY_FRAMES === 0) {
      this.ports.emitLevel(inputsOf(this.state.source ?? 'tab')[0] ?? 'tab', this.levelRms, this.levelPeak);
      this.levelRms = 0;
      this.levelPeak = 0;
    }
  }

  /** A muted tab or a wrong microphone sends digital silence: say so once, clear it when sound returns. */
  private trackSilence(peak: number): void {
    if (peak >= SILENT_PEAK) {
      this.silentFrames = 0;
      if (this.silenceWarning) {
        this.silenceWarning = null;
        this.showWarnings();
      }
      return;
    }
    this.silentFrames++;
    if (this.silentFrames === Math.round(NO_AUDIO_WARNING_SECONDS / FRAME_SECONDS) && this.state.phase !== 'error') {
      const what = this.state.source === 'mic' ? 'the microphone' : 'this tab';
      this.silenceWarning = `No sound from ${what} for ${NO_AUDIO_WARNING_SECONDS} seconds. Is it muted, paused, or the wrong device?`;
      this.showWarnings();
    }
  }

  private showWarnings(): void {
    const warning = [this.silenceWarning, this.storageWarning].filter((w): w is string => w !== null).join(' ') || null;
    if (warning !== this.state.warning) this.setState({ warning });
  }

  private setState(change: Partial<SessionState>): void {
    this.state = { ...this.state, ...change };
    this.ports.emitState(this.state);
  }
}
