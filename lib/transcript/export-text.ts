/**
 * The transcript as plain text, one utterance a line: "[00:01:02] Speaker 1: text".
 * What Copy puts on the clipboard.
 */
import { speakerLabel } from './speaker-colors';
import type { Segment, TranscriptSnapshot } from './types';

export interface PlainTextOptions {
  /** Add the interim tail (text still being revised) as a last line. Default false. */
  includeInterim?: boolean;
}

/** hh:mm:ss of meeting time; hours keep growing past 99. Invalid or negative times read 00:00:00. */
export function formatClock(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}`;
}

function line(segment: Segment, names?: Readonly<Record<number, string>>): string | null {
  // One utterance, one line, whatever whitespace the server put in the text.
  const text = segment.text.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  const label = speakerLabel(segment.speaker, names);
  return label ? `[${formatClock(segment.start)}] ${label}: ${text}` : `[${formatClock(segment.start)}] ${text}`;
}

export function transcriptToPlainText(
  snapshot: TranscriptSnapshot,
  names?: Readonly<Record<number, string>>,
  options: PlainTextOptions = {},
): string {
  const lines: string[] = [];
  for (const utterance of snapshot.utterances) {
    const text = line(utterance, names);
    if (text !== null) lines.push(text);
  }
  if (options.includeInterim && snapshot.interim) {
    const text = line(snapshot.interim, names);
    if (text !== null) lines.push(text);
  }
  return lines.join('\n');
}
