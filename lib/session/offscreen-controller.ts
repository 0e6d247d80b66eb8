/**
 * The offscreen document's answer to each message. It owns the one live session, saves its
 * transcript as finals arrive, and ends it on every path the same way:
 *
 *   capture stopped -> socket flushed and closed (last words in) -> transcript saved -> session/ended
 *
 * Only after session/ended may the background close this document: nothing is lost with it.
 */
import {
  IDLE_STATE,
  type CaptureSettings,
  type KeytermsChangeResult,
  type LineCorrection,
  type LineCorrectionResult,
  type MessageOf,
  type OffscreenCommand,
  type PageInfo,
  type SessionState,
  type StartResult,
  type UserFacingError,
} from '../contract/messages';
import { t } from '../i18n';
import { newSessionRecord } from '../persistence/session-record';
import { SessionRecorder } from '../persistence/session-recorder';
import type { TranscriptArchive } from '../persistence/transcript-archive';
import type { TranscriptSnapshot } from '../transcript/types';
import type { AudioCapture, CapturedFrames, OpenCaptureOptions, OpenCaptureResult } from './audio-capture';
import { micProcessingOf } from './mic-processing';
import { CaptureSession, type SessionPorts } from './capture-session';

export interface OffscreenDeps extends SessionPorts {
  openCapture(options: Omit<OpenCaptureOptions, 'workletUrl'>): Promise<OpenCaptureResult>;
  /** The transcript database (opened lazily; may fail, and captions go on without saving). */
  archive(): Promise<TranscriptArchive>;
  newSessionId(): string;
  /** Tells the background the session is over and its transcript saved. */
  emitEnded(state: SessionState): void;
  /**
   * The proxy, listen and retention settings, from storage (through the background: an offscreen
   * document has no storage API). Never from the start command, so nothing that can send a
   * message chooses where the audio goes. Undefined when they could not be had.
   */
  loadCaptureSettings(): Promise<CaptureSettings | undefined>;
  /** User-facing sentences (from i18n in the document, plain in tests), asked for when needed. */
  text: OffscreenText;
}

export interface OffscreenText {
  alreadyRunning(): string;
  /** The settings could not be read. */
  noSettings(): string;
  /** A saved session that a closed document never ended. */
  interrupted(): string;
  saveFailed(detail: string): string;
  /** Capture ended on its own (`reason` from the capture: tab closed, mic unplugged). */
  captureEnded(reason: string): string;
}

const EMPTY: TranscriptSnapshot = { utterances: [], interims: [] };

type StartMessage = MessageOf<OffscreenCommand, 'offscreen/start'>;

export class OffscreenController {
  private session: CaptureSession | null = null;
  private capture: AudioCapture | null = null;
  private recorder: SessionRecorder | null = null;
  private ending: Promise<void> | null = null;

  constructor(private readonly deps: OffscreenDeps) {}

  /** The answer to offscreen/start (entrypoints/offscreen/main.ts wires each command). */
  start(message: StartMessage): Promise<StartResult> {
    if (this.session && !this.session.ended) {
      return Promise.resolve({ ok: false, error: { code: 'already-running', message: this.deps.text.alreadyRunning() } });
    }
    return this.startWithSettings(message);
  }

  state(): SessionState {
    return this.session?.currentState ?? IDLE_STATE;
  }

  /** The live (or just ended) session's transcript, with the user's corrections; else the last saved one. */
  async transcript(): Promise<TranscriptSnapshot> {
    if (this.session) return this.recorder ? this.recorder.corrections.applyToSnapshot(this.session.snapshot) : this.session.snapshot;
    try {
      return (await (await this.deps.archive()).latestSession())?.transcript ?? EMPTY;
    } catch {
      return EMPTY;
    }
  }

  /** The answer to offscreen/keyterms: the running session's key terms replaced, or why not. */
  changeKeyterms(keyterms: readonly string[]): Promise<KeytermsChangeResult> {
    const session = this.session;
    if (!session || session.ended) return Promise.resolve({ ok: false, refusedBy: 'extension', message: t('keytermsChangeNotRunning') });
    return session.changeKeyterms(keyterms);
  }

  /**
   * The answer to offscreen/correct: a line of this document's session corrected and saved, and
   * sent to every view as an update (the overlay too: its reader sees the fixed name). The
   * session may have just ended: until the document closes, its lines can still be corrected.
   */
  async correctLine(correction: LineCorrection): Promise<LineCorrectionResult> {
    const session = this.session;
    const recorder = this.recorder;
    if (!session || recorder?.startedAt !== correction.sessionStartedAt) return { ok: false, reason: 'not-running', detail: '' };
    const outcome = await recorder.correct(correction.utteranceId, correction.text);
    if (!outcome.ok) return outcome;
    if (session === this.session) this.deps.emitUpdate({ changed: [outcome.utterance], interims: session.snapshot.interims });
    return outcome;
  }

  /** Ends the session (if any) and resolves once its transcript is saved and session/ended sent. */
  stop(reason?: UserFacingError): Promise<void> {
    const session = this.session;
    return session ? this.end(session, reason) : Promise.resolve();
  }

  private async startWithSettings(message: StartMessage): Promise<StartResult> {
    const loaded = await this.deps.loadCaptureSettings();
    if (!loaded) return { ok: false, error: { code: 'internal', message: this.deps.text.noSettings() } };
    // A second start may have come in while the settings were on their way.
    if (this.session && !this.session.ended) {
      return { ok: false, error: { code: 'already-running', message: this.deps.text.alreadyRunning() } };
    }
    const { settings, retention } = loaded;
    this.ending = null;
    this.recorder = null;
    const startedAt = this.deps.now();
    let recorder: SessionRecorder | null = null;
    const ports: SessionPorts = {
      ...this.deps,
      emitUpdate: (update) => {
        recorder?.record(update);
        // The views show the user's text for a corrected line, whatever the engine sends for it later.
        this.deps.emitUpdate(recorder ? recorder.corrections.applyToUpdate(update) : update);
      },
    };
    const session: CaptureSession = new CaptureSession(ports, settings, message.source, message.tabId, {
      onSocketFailure: (error) => void this.end(session, error),
      // Speaker names are keyed by this time, in the saved record and in the live state alike.
      startedAt,
    });
    this.session = session;
    this.deps.emitState(session.currentState);

    const opened = await this.deps.openCapture({
      source: message.source,
      streamId: message.streamId,
      micProcessing: micProcessingOf(settings),
      onFrames: (frames: CapturedFrames) =>
        session.handleFrames(frames.map((frame) => ({ pcm: new Int16Array(frame.pcm), rms: frame.rms, peak: frame.peak }))),
      onEnded: (reason) =>
        void this.end(session, { code: message.source === 'mic' ? 'capture-failed' : 'tab-closed', message: this.deps.text.captureEnded(reason) }),
      onInputLost: (input, reason) => session.inputLost(input, reason),
    });
    if (!opened.ok) {
      // Nothing was captured, so nothing is saved; the background closes this document.
      await session.stop(opened.error);
      return { ok: false, error: opened.error };
    }
    this.capture = opened.capture;
    recorder = this.makeRecorder(message, retention, startedAt, session);
    this.recorder = recorder;
    void recorder.begin();
    session.connect(opened.capture.inputs, opened.capture.notice);
    return { ok: true };
  }

  private makeRecorder(message: StartMessage, retention: CaptureSettings['retention'], startedAt: number, session: CaptureSession): SessionRecorder {
    const page: PageInfo | null = message.page ?? null;
    return new SessionRecorder({
      archive: () => this.deps.archive(),
      record: newSessionRecord(this.deps.newSessionId(), startedAt, message.source, page),
      retention,
      now: () => this.deps.now(),
      onProblem: (text) => session.warnStorage(text),
      interruptedReason: this.deps.text.interrupted(),
      problemMessage: (detail) => this.deps.text.saveFailed(detail),
    });
  }

  private end(session: CaptureSession, reason?: UserFacingError): Promise<void> {
    if (session !== this.session) return Promise.resolve();
    this.ending ??= (async () => {
      const capture = this.capture;
      this.capture = null;
      await capture?.stop();
      await session.stop(reason);
      const final = session.currentState;
      const recorder = this.recorder;
      if (recorder) {
        const failure = final.phase === 'error' ? final.error?.message ?? null : null;
        await recorder.finish(this.deps.now(), failure);
      }
      this.deps.emitEnded(final);
    })();
    return this.ending;
  }
}
