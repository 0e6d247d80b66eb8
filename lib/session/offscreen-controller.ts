/**
 * The offscreen document's answer to each message. It owns the one live session and keeps the
 * last transcript after a stop so the side panel can still show and copy it.
 */
import { IDLE_STATE, type Message, type Responses, type SessionState } from '../messages';
import type { TranscriptSnapshot } from '../transcript/types';
import type { AudioCapture, CapturedFrame, OpenCaptureOptions, OpenCaptureResult } from './audio-capture';
import { CaptureSession, type SessionPorts } from './capture-session';

export interface OffscreenDeps extends SessionPorts {
  openCapture(options: Omit<OpenCaptureOptions, 'workletUrl'>): Promise<OpenCaptureResult>;
}

export class OffscreenController {
  private session: CaptureSession | null = null;
  private capture: AudioCapture | null = null;
  private lastTranscript: TranscriptSnapshot = { utterances: [], interim: null };

  constructor(private readonly deps: OffscreenDeps) {}

  /** Returns a Promise for requests this context answers, undefined for everything else. */
  handle(message: Message): Promise<unknown> | undefined {
    switch (message.type) {
      case 'offscreen/start':
        return this.start(message);
      case 'offscreen/stop':
        return this.stop().then(() => ({ ok: true }));
      case 'session/get':
        return Promise.resolve(this.state());
      case 'transcript/get':
        return Promise.resolve(this.session?.snapshot ?? this.lastTranscript);
      default:
        return undefined;
    }
  }

  state(): SessionState {
    return this.session?.currentState ?? IDLE_STATE;
  }

  private async start(message: Extract<Message, { type: 'offscreen/start' }>): Promise<Responses['session/start']> {
    const phase = this.session?.currentState.phase;
    if (phase === 'live' || phase === 'connecting' || phase === 'starting' || phase === 'stopping') {
      return { ok: false, error: { code: 'already-running', message: 'Captions are already running. Stop them first.' } };
    }
    const session = new CaptureSession(this.deps, message.settings, message.source, message.tabId);
    this.session = session;
    this.deps.emitState(session.currentState);

    const opened = await this.deps.openCapture({
      source: message.source,
      streamId: message.streamId,
      onFrame: (frame: CapturedFrame) => session.handleFrame(new Int16Array(frame.pcm), frame.rms, frame.peak),
      onEnded: (reason) => void this.endBecause(session, reason),
    });
    if (!opened.ok) {
      session.fail(opened.error);
      this.lastTranscript = session.snapshot;
      return { ok: false, error: opened.error };
    }
    this.capture = opened.capture;
    session.connect();
    return { ok: true };
  }

  private async stop(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.capture?.stop();
    this.capture = null;
    await session.stop();
    this.lastTranscript = session.snapshot;
  }

  private async endBecause(session: CaptureSession, reason: string): Promise<void> {
    if (session !== this.session) return;
    await this.stop();
    session.fail({ code: 'capture-failed', message: `${reason} Captions stopped; the transcript is kept.` });
  }
}
