/**
 * What the overlay shows: the newest utterances, one per line (a line wraps as needed), and the
 * interim tail.
 *
 * - Finalized text never changes on screen: an open utterance only grows at its end as finals
 *   arrive, and text is left-aligned, so words already shown keep their place.
 * - The interim tail continues the open utterance on the same line when it is the same speaker
 *   (it is the rest of that sentence), else it starts its own line. It is replaced in place.
 * - Only as many utterances as lines are kept: every utterance takes at least one line, so an
 *   utterance dropped here has already scrolled out above the box (nothing visible jumps).
 * - A speaker's name is shown where a new speaker's turn starts, judged against the utterance
 *   before it (even one already scrolled away). Without diarization there are no names.
 */
import { speakerLabel } from '../transcript/speaker-colors';
import type { Segment, TranscriptSnapshot, Utterance } from '../transcript/types';

export interface CaptionLine {
  /** The utterance id, or 'interim' for an interim tail that starts its own line. */
  key: string;
  speaker: number | null;
  /** The speaker's name where their turn starts; '' otherwise (and always without diarization). */
  label: string;
  /** Finalized text; '' for a line that is all interim. */
  finalText: string;
  /** The interim tail on this line; '' when none. */
  interimText: string;
}

export type SpeakerNames = Readonly<Record<number, string>>;

const isShown = (segment: Segment) => segment.text.trim() !== '';

/** The interim continues the last utterance when that one is still open and it is the same speaker. */
function continuesLast(last: Utterance | undefined, interim: Segment | null): last is Utterance {
  return !!last && !!interim && !last.closed && last.speaker === interim.speaker;
}

export function captionLines(transcript: TranscriptSnapshot, maxLines: number, names?: SpeakerNames): CaptionLine[] {
  const lineCount = Math.max(1, Math.floor(maxLines));
  const utterances = transcript.utterances;
  const interim = transcript.interim && isShown(transcript.interim) ? transcript.interim : null;
  const last = utterances[utterances.length - 1];
  const attach = continuesLast(last, interim);
  const wanted = lineCount - (interim && !attach ? 1 : 0);

  const picked: Utterance[] = [];
  let index = utterances.length - 1;
  for (; index >= 0 && picked.length < wanted; index--) {
    const utterance = utterances[index]!;
    if (isShown(utterance) || (attach && utterance === last)) picked.unshift(utterance);
  }
  let previousSpeaker: number | null | undefined;
  for (; index >= 0; index--) {
    if (isShown(utterances[index]!)) {
      previousSpeaker = utterances[index]!.speaker;
      break;
    }
  }

  const labelFor = (speaker: number | null): string => {
    const changed = speaker !== null && speaker !== previousSpeaker;
    previousSpeaker = speaker;
    return changed ? speakerLabel(speaker, names) : '';
  };

  const lines: CaptionLine[] = picked.map((utterance) => ({
    key: utterance.id,
    speaker: utterance.speaker,
    label: labelFor(utterance.speaker),
    finalText: utterance.text.trim(),
    interimText: attach && utterance === last ? interim!.text.trim() : '',
  }));
  if (interim && !attach) {
    lines.push({ key: 'interim', speaker: interim.speaker, label: labelFor(interim.speaker), finalText: '', interimText: interim.text.trim() });
  }
  return lines;
}
