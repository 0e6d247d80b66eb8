/**
 * The export formats the side panel offers, in one list: what each writes, its file extension and
 * MIME type. Adding a format is one entry here.
 */
import type { ExportDocument } from './export-document';
import { exportFileName } from './export-file-name';
import { transcriptToJson } from './export-json';
import { transcriptToMarkdown } from './export-markdown';
import { transcriptToSrt } from './export-srt';
import { transcriptToTxt } from './export-text';
import { transcriptToVtt } from './export-vtt';

export type ExportFormatId = 'txt' | 'md' | 'srt' | 'vtt' | 'json';

export interface ExportFormat {
  id: ExportFormatId;
  extension: string;
  mime: string;
  render(doc: ExportDocument): string;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  { id: 'txt', extension: 'txt', mime: 'text/plain;charset=utf-8', render: transcriptToTxt },
  { id: 'md', extension: 'md', mime: 'text/markdown;charset=utf-8', render: transcriptToMarkdown },
  { id: 'srt', extension: 'srt', mime: 'application/x-subrip;charset=utf-8', render: (doc) => transcriptToSrt(doc) },
  { id: 'vtt', extension: 'vtt', mime: 'text/vtt;charset=utf-8', render: (doc) => transcriptToVtt(doc) },
  { id: 'json', extension: 'json', mime: 'application/json;charset=utf-8', render: (doc) => transcriptToJson(doc) },
];

export interface ExportFile {
  fileName: string;
  mime: string;
  content: string;
}

export function exportFormat(id: ExportFormatId): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f.id === id);
  if (!format) throw new Error(`unknown export format ${id}`);
  return format;
}

export function renderExport(doc: ExportDocument, id: ExportFormatId): ExportFile {
  const format = exportFormat(id);
  return { fileName: exportFileName(doc.title, doc.startedAt, format.extension), mime: format.mime, content: format.render(doc) };
}
