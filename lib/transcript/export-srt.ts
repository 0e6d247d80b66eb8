/**
 * SubRip (.srt): numbered cues, "HH:MM:SS,mmm --> HH:MM:SS,mmm", the text, a blank line.
 * SRT has no voice tags, so the speaker's name starts the first cue of each utterance ("Dana: ").
 * SRT has no escaping either: text goes out as it is, each line on one line, never a blank line
 * inside a cue (that would end it early).
 */
import { buildCues, type CueOptions } from './export-cues';
import type { ExportDocument } from './export-document';
import { speakerLabel } from './speaker-colors';

/** HH:MM:SS,mmm (or HH:MM:SS.mmm with separator '.'); hours keep growing past 99. */
export function formatCueTime(ms: number, separator: ',' | '.'): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const milli = total % 1000;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(milli, 3)}`;
}

export function transcriptToSrt(doc: ExportDocument, options: Partial<CueOptions> = {}): string {
  const cues = buildCues(doc.utterances, {
    labelFor: (speaker) => {
      const label = speakerLabel(speaker, doc.names);
      return label ? `${label}: ` : '';
    },
    ...options,
  });
  return cues
    .map((cue, i) => `${i + 1}\n${formatCueTime(cue.start, ',')} --> ${formatCueTime(cue.end, ',')}\n${cue.lines.join('\n')}\n`)
    .join('\n');
}
