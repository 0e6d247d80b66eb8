/**
 * Markdown (.md): the page title as a heading, when it was recorded, then one paragraph per
 * utterance: "**Dana** `00:01:02`  " and its text. Text and names are escaped so a transcript that
 * says "*really*" or "# 1" or "<b>" reads as it was said instead of turning into formatting or HTML.
 */
import { exportableUtterances, localDateTime, oneLine, type ExportDocument } from './export-document';
import { formatClock } from './export-text';
import { speakerLabel } from './speaker-colors';
import { transcriptLabel } from './transcript-labels';

/**
 * Escapes what Markdown would read as formatting: inline markers anywhere (backslash-escaped, which
 * CommonMark allows for any ASCII punctuation), & < > as entities (no HTML, no autolinks), and
 * block markers (#, -, +, =, "1.") only at the start of a line, where they matter, so ordinary
 * punctuation stays readable in the raw file.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^(\s*)([#+\-=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

export function transcriptToMarkdown(doc: ExportDocument): string {
  const out: string[] = [`# ${escapeMarkdown(oneLine(doc.title) || transcriptLabel('transcriptTitle'))}`, ''];
  const when = localDateTime(doc.startedAt);
  if (when) out.push(transcriptLabel('recordedAt', when), '');
  for (const u of exportableUtterances(doc.utterances)) {
    const label = speakerLabel(u.speaker, doc.names);
    const meta = label ? `**${escapeMarkdown(label)}** \`${formatClock(u.start)}\`` : `\`${formatClock(u.start)}\``;
    // Two trailing spaces: a hard line break between the speaker line and the text.
    out.push(`${meta}  `, escapeMarkdown(oneLine(u.text)), '');
  }
  return out.join('\n');
}
