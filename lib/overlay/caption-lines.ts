/**
 * What the overlay shows: the last few lines of the transcript, finals first, then the interim
 * tail. Finalized text never changes on screen; only the interim line is replaced in place.
 */
import type { TranscriptSnapshot } from '../transcript/types';

export interface CaptionLine {
  key: string;
  speaker: number | null;
  text: string;
  final: boolean;
  /** True when this line starts a new speaker's turn, so the name is shown. */
  speakerChanged: boolean;
}

export function captionLines(transcript: TranscriptSnapshot, maxLines: number): CaptionLine[] {
  const lines: CaptionLine[] = [];
  const interim = transcript.interim;
  const finalsWanted = Math.max(0, maxLines - (interim ? 1 : 0));
  const finals = finalsWanted === 0 ? [] : transcript.utterances.slice(-finalsWanted);
  let previousSpeaker: number | null | undefined =
    transcript.utterances.length > finals.length
      ? transcript.utterances[transcript.utterances.length - finals.length - 1]!.speaker
      : undefined;
  for (const utterance of finals) {
    if (!utterance.text.trim()) continue;
    lines.push({
      key: utterance.id,
      speaker: utterance.speaker,
      text: utterance.text,
      final: true,
      speakerChanged: utterance.speaker !== null && utterance.speaker !== previousSpeaker,
    });
    previousSpeaker = utterance.speaker;
  }
  if (interim && interim.text.trim()) {
    lines.push({
      key: 'interim',
      speaker: interim.speaker,
      text: interim.text,
      final: false,
      speakerChanged: interim.speaker !== null && interim.speaker !== previousSpeaker,
    });
  }
  return lines;
}
