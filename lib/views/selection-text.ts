/**
 * Copying part of the transcript: each utterance the selection touches becomes one plain-text line
 * with its speaker and time, holding only the selected part of its text ("[00:01:02] Dana: the
 * budget is"), the same shape as Copy all.
 */
import { formatPlainLine } from '../transcript/export-text';
import type { SpeakerNames } from '../transcript/speaker-names';

export interface SelectedPiece {
  /** The utterance's start (meeting time, seconds). */
  start: number;
  speaker: number | null;
  /** The selected part of its text. */
  text: string;
}

export function selectionToPlainText(pieces: readonly SelectedPiece[], names: SpeakerNames): string {
  return pieces
    .map((piece) => formatPlainLine(piece.start, piece.speaker, piece.text, names))
    .filter((line): line is string => line !== null)
    .join('\n');
}
