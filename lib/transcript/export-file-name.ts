/**
 * Download file names from the page title and the date: "Weekly sync 2026-11-25.srt".
 * Safe on Windows, macOS and Linux: no path separators or reserved characters, no control
 * characters, no leading/trailing dots or spaces, no reserved device names, bounded length.
 */
import { localDate } from './export-document';
import { ENGLISH_TRANSCRIPT_LABELS, transcriptLabel } from './transcript-labels';

/** The English fallback; pages use the localized one (transcriptLabel('fallbackFileTitle')). */
export const FALLBACK_FILE_TITLE = ENGLISH_TRANSCRIPT_LABELS.fallbackFileTitle;
const MAX_TITLE_CHARS = 80;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function sanitizeFileTitle(title: string): string {
  const clean = title
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are what we replace
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/[<>:"/\\|?*]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const cut = Array.from(clean).slice(0, MAX_TITLE_CHARS).join('').replace(/[\s.]+$/g, '');
  // The localized fallback is a product phrase: never empty, reserved or unsafe in any locale shipped.
  if (cut === '' || RESERVED.test(cut)) return transcriptLabel('fallbackFileTitle');
  return cut;
}

/** `extension` without the dot ("srt"). */
export function exportFileName(title: string, startedAt: number | null, extension: string): string {
  const date = localDate(startedAt);
  const base = sanitizeFileTitle(title);
  return `${date ? `${base} ${date}` : base}.${extension}`;
}
