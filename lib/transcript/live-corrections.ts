/**
 * The user's corrections of the live session's lines, as the views see them: the offscreen
 * document keeps one of these per session and lays it over every transcript it hands out (the
 * updates it pushes and the snapshots it answers), so the side panel, a second panel and the
 * overlay all show the corrected text, and a later result for a corrected line (a late word the
 * engine slots into it) still shows the user's text. The recognized utterances underneath stay as
 * they were: the saved session keeps them apart from the corrections too
 * (lib/persistence/transcript-archive.ts), and applies them the same way (./corrections.ts).
 */
import type { TranscriptUpdate } from '../contract/messages';
import { applyCorrection } from './corrections';
import type { TranscriptSnapshot, Utterance } from './types';

/** Only a line the engine has finished may be corrected: an open one still grows with each final. */
export function isCorrectable(utterance: Utterance): boolean {
  return utterance.closed;
}

export class LiveCorrections {
  private readonly texts = new Map<string, string>();

  get size(): number {
    return this.texts.size;
  }

  /** The user's text for a line, or null to go back to what was recognized. */
  set(utteranceId: string, text: string | null): void {
    if (text === null) this.texts.delete(utteranceId);
    else this.texts.set(utteranceId, text);
  }

  textOf(utteranceId: string): string | undefined {
    return this.texts.get(utteranceId);
  }

  apply(utterance: Utterance): Utterance {
    const text = this.texts.get(utterance.id);
    return text === undefined ? utterance : applyCorrection(utterance, text);
  }

  applyToUpdate(update: TranscriptUpdate): TranscriptUpdate {
    if (this.texts.size === 0 || !update.changed.some((u) => this.texts.has(u.id))) return update;
    return { ...update, changed: update.changed.map((u) => this.apply(u)) };
  }

  applyToSnapshot(snapshot: TranscriptSnapshot): TranscriptSnapshot {
    if (this.texts.size === 0) return snapshot;
    return { ...snapshot, utterances: snapshot.utterances.map((u) => this.apply(u)) };
  }
}
