/**
 * What every export format is made from: the finished utterances of one session, the names the
 * user gave its speakers, and where and when it was recorded. The interim tail is never exported:
 * it is text the server may still revise.
 */
import { speakerLabel } from './speaker-colors';
import { transcriptLocale } from './transcript-labels';
import type { SpeakerNames } from './speaker-names';
import type { Segment, Utterance, Word } from './types';

export interface ExportDocument {
  /** The captured page's title (or a fallback); used in headers and file names. */
  title: string;
  /** Epoch milliseconds when capture began, or null when unknown. */
  startedAt: number | null;
  utterances: readonly Utterance[];
  names: SpeakerNames;
}

/** Utterances with text, in time order (the view keeps them sorted; exports must not depend on it). */
export function exportableUtterances(utterances: readonly Utterance[]): Utterance[] {
  return utterances.filter((u) => u.text.trim() !== '').sort((a, b) => a.start - b.start);
}

/** One utterance's text on one line, whatever whitespace the server put in it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Speakers in order of first appearance, with the label each export shows. */
export function speakersOf(utterances: readonly Segment[], names: SpeakerNames): { speaker: number; label: string; named: boolean }[] {
  const seen = new Set<number>();
  const list: { speaker: number; label: string; named: boolean }[] = [];
  for (const u of utterances) {
    for (const speaker of [u.speaker, ...u.words.map((w) => w.speaker)]) {
      if (speaker === null || seen.has(speaker) || !Number.isInteger(speaker) || speaker < 0) continue;
      seen.add(speaker);
      list.push({ speaker, label: speakerLabel(speaker, names), named: names[speaker] !== undefined });
    }
  }
  return list;
}

/**
 * The utterance's words with times; when it has none (text only), its text is spread evenly
 * over its span so cue splitting still has times to work with.
 */
export function timedWords(utterance: Segment): Word[] {
  const words = utterance.words.filter((w) => w.text.trim() !== '' && Number.isFinite(w.start) && Number.isFinite(w.end));
  if (words.length > 0) return words.slice().sort((a, b) => a.start - b.start);
  const texts = oneLine(utterance.text).split(' ').filter(Boolean);
  const start = Number.isFinite(utterance.start) ? Math.max(0, utterance.start) : 0;
  const end = Number.isFinite(utterance.end) && utterance.end > start ? utterance.end : start + texts.length * 0.3;
  const step = texts.length > 0 ? (end - start) / texts.length : 0;
  return texts.map((text, i) => ({
    text,
    start: start + i * step,
    end: start + (i + 1) * step,
    confidence: 1,
    speaker: utterance.speaker,
  }));
}

/**
 * "2026-11-25" in the user's time zone, or null when the start is unknown. Used in file names only:
 * year-month-day in digits, whatever the language, so a folder of exports sorts by date.
 */
export function localDate(epochMs: number | null): string | null {
  if (epochMs === null || !Number.isFinite(epochMs)) return null;
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * When a session was recorded, in the user's time zone and as the UI language writes it
 * ("Nov 25, 2026, 2:03 PM", "25.11.2026, 14:03"), or null when the start is unknown. The locale
 * comes from lib/transcript/transcript-labels.ts: English where no page registered one (Node).
 */
export function localDateTime(epochMs: number | null): string | null {
  if (epochMs === null || !Number.isFinite(epochMs)) return null;
  const locale = transcriptLocale();
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dateTimeFormats.set(locale, format);
  }
  return format.format(new Date(epochMs));
}
