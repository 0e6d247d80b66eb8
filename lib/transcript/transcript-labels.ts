/**
 * The words lib/transcript itself writes into what users read ("Speaker 2", an export's heading,
 * "Recorded …", the fallback file name) and the locale its dates are written in.
 *
 * Like lib/transcript/you-label.ts, this keeps lib/transcript free of the browser's i18n API: the
 * proxy reuses these modules under Node (proxy/Dockerfile copies lib/transcript alone) and gets the
 * English below. lib/i18n.ts, loaded by every extension page, registers the page's messages here.
 */

/** Each label in English; `$1` is where the number or the date goes. */
export const ENGLISH_TRANSCRIPT_LABELS = {
  speakerNumber: 'Speaker $1',
  transcriptTitle: 'Transcript',
  recordedAt: 'Recorded $1',
  fallbackFileTitle: 'Captionist transcript',
} as const;

export type TranscriptLabel = keyof typeof ENGLISH_TRANSCRIPT_LABELS;

/** Where a page's localized labels come from: '' for a label it has no message for (English then). */
export interface TranscriptLabelSource {
  read(label: TranscriptLabel, substitution: string): string;
  /** A BCP 47 tag for Intl ("de", "en-GB"); '' when unknown. */
  locale(): string;
}

let source: TranscriptLabelSource | null = null;

/** Called by lib/i18n.ts with its reader of the messages. */
export function localizeTranscriptLabels(next: TranscriptLabelSource | null): void {
  source = next;
}

export function transcriptLabel(label: TranscriptLabel, substitution = ''): string {
  let text: string;
  try {
    text = source?.read(label, substitution).trim() ?? '';
  } catch {
    text = '';
  }
  return text !== '' ? text : ENGLISH_TRANSCRIPT_LABELS[label].replace('$1', substitution);
}

/** The locale dates are written in: the page's UI language, English where none is registered (Node). */
export function transcriptLocale(): string {
  let locale: string;
  try {
    locale = source?.locale() ?? '';
  } catch {
    locale = '';
  }
  try {
    // A tag Intl cannot read (or an empty one) falls back to English rather than throwing in a render.
    return Intl.DateTimeFormat.supportedLocalesOf(locale).length > 0 ? locale : 'en';
  } catch {
    return 'en';
  }
}
