/**
 * Saves one live session as it goes: every transcript update that changed utterances is written
 * at once (one write in flight; changes arriving meanwhile are merged into the next), so closing
 * the side panel, Chrome stopping the service worker, or the browser quitting loses at most the
 * write in flight. Interim text is not saved: only finals are transcript.
 *
 * Storage problems never stop captions: they are reported once through `onProblem`.
 *
 * The user may correct a finished line while the session runs (`correct`): the correction is kept
 * apart from the recognized utterance, as a saved session's is (./transcript-archive.ts), so the
 * later writes of that utterance never undo it, and the session's preview shows the corrected text.
 */
import type { TranscriptUpdate } from '../contract/messages';
import { cleanCorrection } from '../transcript/corrections';
import { LiveCorrections } from '../transcript/live-corrections';
import type { Utterance } from '../transcript/types';
import type { RetentionPolicy } from './retention';
import { MAX_REASON_CHARS, plainText, PREVIEW_UTTERANCES, previewOf, type SessionRecord } from './session-record';
import type { SessionPatch, TranscriptArchive } from './transcript-archive';

export interface SessionRecorderOptions {
  archive: () => Promise<TranscriptArchive>;
  record: SessionRecord;
  retention: RetentionPolicy;
  now(): number;
  /** A sentence for the user when saving fails (reported once per session). */
  onProblem(message: string): void;
  /** Says why a session left "live" by a closed document ended. */
  interruptedReason: string;
  problemMessage(detail: string): string;
}

/**
 * How a correction of a live line ended: the line as it now reads, or why not ('gone': the session
 * was deleted or the line is not saved; 'failed': storage failed, with what it said).
 */
export type LiveCorrectionOutcome = { ok: true; utterance: Utterance } | { ok: false; reason: 'gone' | 'failed'; detail: string };

interface Tally {
  start: number;
  end: number;
  words: number;
  /** As recognized; a correction is in `corrections`. */
  text: string;
}

export class SessionRecorder {
  private archive: TranscriptArchive | null = null;
  private readonly pending = new Map<string, Utterance>();
  private readonly tallies = new Map<string, Tally>();
  private wordCount = 0;
  private durationSeconds = 0;
  private writing: Promise<void> | null = null;
  private started: Promise<void> | null = null;
  private problemReported = false;
  private deletedByUser = false;
  private failed = false;
  /** The user's corrections of this session's lines, as they were saved. */
  readonly corrections = new LiveCorrections();

  constructor(private readonly options: SessionRecorderOptions) {}

  get sessionId(): string {
    return this.options.record.id;
  }

  /** When the session began (epoch ms): its utterance ids and speaker names are keyed by it. */
  get startedAt(): number {
    return this.options.record.startedAt;
  }

  /** The user deleted this session while it was live: nothing more is written. */
  get deleted(): boolean {
    return this.deletedByUser;
  }

  /** Creates the record, closes sessions a crash left open, applies retention. */
  begin(): Promise<void> {
    this.started ??= this.open();
    return this.started;
  }

  /** Queues the utterances an update changed; the write starts at once unless one is in flight. */
  record(update: TranscriptUpdate): void {
    if (update.changed.length === 0 || this.deletedByUser || this.failed) return;
    for (const utterance of update.changed) {
      this.pending.set(utterance.id, utterance);
      this.tally(utterance);
    }
    this.writing ??= this.writeLoop();
  }

  /** Resolves when everything recorded so far is written (or could not be). */
  async flush(): Promise<void> {
    await this.begin();
    while (this.writing) await this.writing;
  }

  /** Writes what is pending and marks the session ended. */
  async finish(endedAt: number, endReason: string | null): Promise<void> {
    await this.flush();
    const archive = this.archive;
    if (!archive || this.deletedByUser) return;
    await this.attempt(() =>
      archive.updateSession(this.sessionId, {
        ...this.counters(endedAt),
        endedAt,
        endReason: endReason === null ? null : plainText(endReason, MAX_REASON_CHARS),
      }),
    );
    await this.attempt(async () => {
      await archive.prune(this.options.retention, this.options.now(), new Set([this.sessionId]));
      return 'saved';
    });
  }

  /**
   * Saves the user's text for a line already recorded (what is pending is written first, so the
   * line is there to correct). Text equal to what was recognized removes the correction.
   */
  async correct(utteranceId: string, text: string): Promise<LiveCorrectionOutcome> {
    await this.flush();
    const archive = this.archive;
    if (!archive) return { ok: false, reason: 'failed', detail: 'no storage' };
    if (this.deletedByUser) return { ok: false, reason: 'gone', detail: '' };
    let corrected: Utterance | null;
    try {
      corrected = await archive.correctUtterance(this.sessionId, utteranceId, text, this.options.now());
    } catch (error) {
      return { ok: false, reason: 'failed', detail: plainText(error instanceof Error ? error.name || error.message : String(error), 100) };
    }
    if (!corrected) return { ok: false, reason: 'gone', detail: '' };
    const recognized = this.tallies.get(utteranceId)?.text;
    const kept = cleanCorrection(text);
    this.corrections.set(utteranceId, recognized !== undefined && kept === cleanCorrection(recognized) ? null : kept);
    // Only the preview changes (not updatedAt, where a cut-off session is taken to have ended).
    await this.attempt(() => archive.updateSession(this.sessionId, { preview: previewOf(this.earliest()) }));
    return { ok: true, utterance: corrected };
  }

  private async open(): Promise<void> {
    let archive: TranscriptArchive;
    try {
      archive = await this.options.archive();
      this.archive = archive;
    } catch (error) {
      this.failed = true;
      this.report(error);
      return;
    }
    await this.attempt(async () => {
      await archive.closeInterrupted(this.options.interruptedReason, this.sessionId);
      await archive.createSession(this.options.record);
      await archive.prune(this.options.retention, this.options.now(), new Set([this.sessionId]));
      return 'saved';
    });
  }

  private async writeLoop(): Promise<void> {
    await this.begin();
    try {
      while (this.pending.size > 0 && this.archive && !this.deletedByUser) {
        const archive = this.archive;
        const batch = [...this.pending.values()];
        this.pending.clear();
        const ok = await this.attempt(() => archive.saveUtterances(this.sessionId, batch, this.counters(this.options.now())));
        if (!ok) {
          // Keep what failed for the next attempt (the next update or finish), newer versions first.
          for (const utterance of batch) if (!this.pending.has(utterance.id)) this.pending.set(utterance.id, utterance);
          break;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Runs one archive call; false when it failed or found the session deleted. */
  private async attempt(write: () => Promise<'saved' | 'missing'>): Promise<boolean> {
    try {
      const result = await write();
      if (result === 'missing') {
        this.deletedByUser = true;
        this.pending.clear();
        return false;
      }
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  private tally(utterance: Utterance): void {
    const words = utterance.words.length;
    const previous = this.tallies.get(utterance.id);
    this.wordCount += words - (previous?.words ?? 0);
    this.durationSeconds = Math.max(this.durationSeconds, Number.isFinite(utterance.end) ? utterance.end : 0);
    this.tallies.set(utterance.id, { start: utterance.start, end: utterance.end, words, text: utterance.text });
  }

  private counters(updatedAt: number): SessionPatch {
    return {
      updatedAt,
      utteranceCount: this.tallies.size,
      wordCount: this.wordCount,
      durationSeconds: this.durationSeconds,
      preview: previewOf(this.earliest()),
    };
  }

  private earliest(): Utterance[] {
    const sorted = [...this.tallies.entries()].sort(([, a], [, b]) => a.start - b.start).slice(0, PREVIEW_UTTERANCES);
    return sorted.map(([id, t]) => ({ id, text: this.corrections.textOf(id) ?? t.text, start: t.start, end: t.end, words: [], speaker: null, channel: 0, closed: true }));
  }

  private report(error: unknown): void {
    console.warn('[captionist] saving the transcript failed:', error);
    if (this.problemReported) return;
    this.problemReported = true;
    const detail = error instanceof Error ? error.name || error.message : String(error);
    this.options.onProblem(this.options.problemMessage(plainText(detail, 100)));
  }
}
