/**
 * The overlay's copy of the live session: its state and transcript, from answers to its one
 * request (overlay/live-session, asked once for the state and once for the transcript) and from
 * messages pushed by the background (tab/session-state, tab/transcript-update). Pure, so the orderings that race in a browser can be tested here.
 *
 * - A pushed state is newer than any answer still on its way: a state answer that arrives
 *   after a push is dropped (else a stale "idle" from before the start would hide live captions).
 * - Updates pushed while a transcript answer is under way are applied again on top of its snapshot
 *   (upserts, so applying twice is harmless).
 * - A new session (a new startedAt after one was known) starts from an empty transcript, and a
 *   snapshot asked for before it is dropped, so the last session's lines never come back.
 * - Finals that arrive as updates become announcements for the live region; what a snapshot
 *   brings was said before the overlay was there and is not read out.
 * - Transcript updates while the view believes nothing runs mean a state push was missed (the
 *   background may not know the tab yet when the first states are sent): `needsState()` says
 *   to ask again.
 */
import { IDLE_STATE, type SessionState, type TranscriptUpdate } from '../contract/messages';
import type { TranscriptSnapshot } from '../transcript/types';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '../views/transcript-view';
import type { SpeakerNames } from './caption-lines';
import { nextAnnouncements, startAnnouncer, type AnnouncerState } from './live-announcements';

export class OverlaySessionView {
  state: SessionState = IDLE_STATE;
  transcript: TranscriptSnapshot = EMPTY_TRANSCRIPT;
  /** When the shown session began (kept after it stops, for its speaker names); null if unknown. */
  sessionStartedAt: number | null = null;

  private announcer: AnnouncerState = startAnnouncer([]);
  /** undefined until the first state is heard of. */
  private knownStartedAt: number | null | undefined = undefined;
  private generation = 0;

  /** Counts new sessions seen; when it moves, the transcript was emptied and is worth asking for. */
  get sessionsSeen(): number {
    return this.generation;
  }
  private pushedSinceAsked = false;
  private updatesSinceAsked: TranscriptUpdate[] | null = null;
  private stateAnswerPending = false;
  private updatesWhileIdle = 0;

  constructor(private readonly names: () => SpeakerNames = () => ({})) {}

  /** Asking for the state: returns what to call with the answer (true if it was applied). */
  askState(): (answer: SessionState | undefined) => boolean {
    this.pushedSinceAsked = false;
    this.stateAnswerPending = true;
    return (answer) => {
      this.stateAnswerPending = false;
      if (this.pushedSinceAsked) return false;
      this.applyState(answer ?? IDLE_STATE);
      return true;
    };
  }

  /** Asking for the transcript: returns what to call with the answer (true if it was applied). */
  askTranscript(): (snapshot: TranscriptSnapshot | undefined) => boolean {
    const asked = this.generation;
    const since: TranscriptUpdate[] = [];
    this.updatesSinceAsked = since;
    return (snapshot) => {
      if (this.updatesSinceAsked === since) this.updatesSinceAsked = null;
      if (!snapshot || asked !== this.generation) return false;
      this.loadSnapshot(since.reduce(applyTranscriptUpdate, snapshot));
      return true;
    };
  }

  /** True when updates came in while the state says idle and no answer is on its way. */
  needsState(): boolean {
    return this.updatesWhileIdle > 0 && this.state.phase === 'idle' && !this.stateAnswerPending;
  }

  pushState(state: SessionState): void {
    this.pushedSinceAsked = true;
    this.applyState(state);
  }

  /** Applies a pushed update; returns the announcements it brings (finalized text, once). */
  pushUpdate(update: TranscriptUpdate): string[] {
    this.updatesSinceAsked?.push(update);
    this.updatesWhileIdle = this.state.phase === 'idle' ? this.updatesWhileIdle + 1 : 0;
    this.transcript = applyTranscriptUpdate(this.transcript, update);
    if (update.changed.length === 0) return [];
    const result = nextAnnouncements(this.announcer, this.transcript.utterances, this.names());
    this.announcer = result.state;
    return result.announcements;
  }

  private loadSnapshot(snapshot: TranscriptSnapshot): void {
    this.announcer = startAnnouncer(snapshot.utterances);
    this.transcript = snapshot;
  }

  private applyState(next: SessionState): void {
    const known = this.knownStartedAt;
    if (next.startedAt !== null && next.startedAt !== known) {
      if (known !== undefined) {
        this.generation += 1;
        this.loadSnapshot(EMPTY_TRANSCRIPT);
      }
      this.knownStartedAt = next.startedAt;
      this.sessionStartedAt = next.startedAt;
    } else if (known === undefined) {
      this.knownStartedAt = null;
    }
    this.state = next;
    if (next.phase !== 'idle') this.updatesWhileIdle = 0;
  }
}
