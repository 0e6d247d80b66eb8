/**
 * JSON (.json): everything the transcript knows, for other tools. Times are seconds of meeting
 * time (milliseconds precision); `startedAt` is when capture began (ISO 8601, UTC).
 *
 *   { format: "captionist-transcript", version: 1, title, startedAt, exportedAt,
 *     speakers: [{ speaker, label, named }],
 *     utterances: [{ id, channel, speaker, speakerLabel, start, end, text,
 *                    words: [{ text, start, end, confidence, speaker, language? }] }] }
 *
 * `channel` is the audio channel the utterance was heard on: 0 for a single source; in a meeting
 * 0 is the tab (the others) and 1 the microphone, whose speaker is YOU_SPEAKER
 * (lib/transcript/speaker-names.ts) with the label "You" or the name given. A word's `language`
 * (BCP-47) is there when the server named it: a multilingual stream (language=multi) does.
 */
import { exportableUtterances, oneLine, speakersOf, type ExportDocument } from './export-document';
import { speakerLabel } from './speaker-colors';

export const JSON_EXPORT_FORMAT = 'captionist-transcript';
export const JSON_EXPORT_VERSION = 1;

export interface JsonExportWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker: number | null;
  language?: string;
}

export interface JsonExportUtterance {
  id: string;
  channel: number;
  speaker: number | null;
  speakerLabel: string | null;
  start: number;
  end: number;
  text: string;
  words: JsonExportWord[];
}

export interface JsonExport {
  format: typeof JSON_EXPORT_FORMAT;
  version: typeof JSON_EXPORT_VERSION;
  title: string;
  startedAt: string | null;
  exportedAt: string;
  speakers: { speaker: number; label: string; named: boolean }[];
  utterances: JsonExportUtterance[];
}

const seconds = (value: number) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 0);
const unit = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, Math.round(value * 10_000) / 10_000)) : 0);

export function transcriptToJsonObject(doc: ExportDocument, now: Date = new Date()): JsonExport {
  const utterances = exportableUtterances(doc.utterances);
  return {
    format: JSON_EXPORT_FORMAT,
    version: JSON_EXPORT_VERSION,
    title: oneLine(doc.title),
    startedAt: doc.startedAt !== null && Number.isFinite(doc.startedAt) ? new Date(doc.startedAt).toISOString() : null,
    exportedAt: now.toISOString(),
    speakers: speakersOf(utterances, doc.names),
    utterances: utterances.map((u) => ({
      id: u.id,
      channel: u.channel,
      speaker: u.speaker,
      speakerLabel: speakerLabel(u.speaker, doc.names) || null,
      start: seconds(u.start),
      end: seconds(u.end),
      text: oneLine(u.text),
      words: u.words.map((w) => ({
        text: w.text,
        start: seconds(w.start),
        end: seconds(w.end),
        confidence: unit(w.confidence),
        speaker: w.speaker,
        ...(w.language === undefined ? {} : { language: w.language }),
      })),
    })),
  };
}

export function transcriptToJson(doc: ExportDocument, now: Date = new Date()): string {
  return `${JSON.stringify(transcriptToJsonObject(doc, now), null, 2)}\n`;
}
