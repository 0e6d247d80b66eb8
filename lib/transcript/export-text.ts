/**
 * The transcript as plain text, one utterance a line: "[00:01:02] Speaker 1: text".
 * What Copy puts on the clipboard; the TXT export adds a title and date above the same lines.
 */
import { exportableUtterances, localDateTime, oneLine, type ExportDocument } from './export-document';
import { speakerLabel } from './speaker-colors';
import { transcriptLabel } from './transcript-labels';
import type { Segment, TranscriptSnapshot } from './types';

export interface PlainTextOptions {
  /** Add the interim tails (text still being revised) as last lines, one per channel. Default false. */
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

/**
 * One line of plain text: "[hh:mm:ss] Name: text", or "[hh:mm:ss] text" without a speaker; null
 * when there is no text. Also used for copying part of an utterance (the selection).
 */
export function formatPlainLine(
  start: number,
  speaker: number | null,
  rawText: string,
  names?: Readonly<Record<number, string>>,
): string | null {
  // One utterance, one line, whatever whitespace the server put in the text.
  const text = oneLine(rawText);
  if (text === '') return null;
  const label = speakerLabel(speaker, names);
  return label ? `[${formatClock(start)}] ${label}: ${text}` : `[${formatClock(start)}] ${text}`;
}

function line(segment: Segment, names?: Readonly<Record<number, string>>): string | null {
  return formatPlainLine(segment.start, segment.speaker, segment.text, names);
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
  if (options.includeInterim) {
    for (const interim of snapshot.interims) {
      const text = line(interim, names);
      if (text !== null) lines.push(text);
    }
  }
  return lines.join('\n');
}

/** The TXT export: title, when it was recorded, a blank line, then the lines Copy gives. */
export function transcriptToTxt(doc: ExportDocument): string {
  const header = [oneLine(doc.title) || transcriptLabel('transcriptTitle')];
  const when = localDateTime(doc.startedAt);
  if (when) header.push(when);
  const body = transcriptToPlainText({ utterances: exportableUtterances(doc.utterances), interims: [] }, doc.names);
  return `${header.join('\n')}\n\n${body}\n`;
}
