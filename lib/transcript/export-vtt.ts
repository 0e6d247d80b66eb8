/**
 * WebVTT (.vtt): "WEBVTT", then cues "HH:MM:SS.mmm --> HH:MM:SS.mmm" whose text carries the
 * speaker as a voice span, `<v Dana>text</v>` (WebVTT §4.2.2). Cue text and the voice annotation are
 * escaped (& < > as &amp; &lt; &gt;), so whatever a server or a user typed cannot open a tag, end a
 * cue's timing line ("-->") or be read as markup by a player.
 */
import { buildCues, type CueOptions } from './export-cues';
import type { ExportDocument } from './export-document';
import { formatCueTime } from './export-srt';
import { speakerLabel } from './speaker-colors';

export function escapeVttText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function transcriptToVtt(doc: ExportDocument, options: Partial<CueOptions> = {}): string {
  const cues = buildCues(doc.utterances, { ...options, labelFor: () => '' });
  const title = doc.title.replace(/\s+/g, ' ').trim();
  // The header line may carry text after "WEBVTT " (never "-->"): the title, for people reading the file.
  const header = title && !title.includes('-->') ? `WEBVTT ${title}` : 'WEBVTT';
  const blocks = cues.map((cue) => {
    const text = cue.lines.map(escapeVttText).join('\n');
    const voice = speakerLabel(cue.speaker, doc.names);
    const body = voice ? `<v ${escapeVttText(voice)}>${text}</v>` : text;
    return `${formatCueTime(cue.start, '.')} --> ${formatCueTime(cue.end, '.')}\n${body}\n`;
  });
  return [`${header}\n`, ...blocks].join('\n');
}
