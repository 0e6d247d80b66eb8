/**
 * What is saved about a session besides its utterances, and the rules that keep those fields
 * small and plain whatever a page or a server put in them.
 */
import type { CaptureSource, PageInfo } from '../contract/messages';
import type { TranscriptSnapshot, Utterance } from '../transcript/types';

export interface SessionRecord {
  id: string;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Last time anything of this session was written (a cut-off session ends here). */
  updatedAt: number;
  /** Null while the session is live. */
  endedAt: number | null;
  source: CaptureSource;
  /** The page's title when capture started ('' when there was no page). */
  title: string;
  /** The page's URL origin ('' when there was no page). Paths and queries are never kept. */
  origin: string;
  utteranceCount: number;
  wordCount: number;
  /** Meeting time of the last word's end, in seconds. */
  durationSeconds: number;
  /** The first words of the transcript, for a list of sessions. */
  preview: string;
  /** Why capture ended when the user did not stop it (tab left the site, proxy refused...); else null. */
  endReason: string | null;
}

/** What the "Past sessions" list shows for each session. */
export type SessionSummary = SessionRecord;

export interface SavedSession {
  summary: SessionSummary;
  /** Utterances in time order; a saved session has no interim tail. */
  transcript: TranscriptSnapshot;
}

export const MAX_TITLE_CHARS = 200;
export const MAX_ORIGIN_CHARS = 200;
export const MAX_PREVIEW_CHARS = 160;
export const MAX_REASON_CHARS = 300;

/** Control characters and the bidi overrides a page could use to disguise its title. */
// eslint-disable-next-line no-control-regex -- these characters are what we remove
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

export function plainText(value: unknown, maxChars: number): string {
  if (typeof value !== 'string') return '';
  return value.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim().slice(0, maxChars);
}

/** The origin of a URL, or '' for anything that has none worth keeping (about:blank, garbage). */
export function originOf(url: string | undefined | null): string {
  if (!url) return '';
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? '' : origin.slice(0, MAX_ORIGIN_CHARS);
  } catch {
    return '';
  }
}

export function cleanPage(page: PageInfo | null): PageInfo {
  if (!page) return { title: '', origin: '' };
  return { title: plainText(page.title, MAX_TITLE_CHARS), origin: originOf(page.origin) };
}

export function newSessionRecord(
  id: string,
  startedAt: number,
  source: CaptureSource,
  page: PageInfo | null,
): SessionRecord {
  const { title, origin } = cleanPage(page);
  return {
    id,
    startedAt,
    updatedAt: startedAt,
    endedAt: null,
    source,
    title,
    origin,
    utteranceCount: 0,
    wordCount: 0,
    durationSeconds: 0,
    preview: '',
    endReason: null,
  };
}

/** Utterances whose text feeds the preview: the earliest few are enough for MAX_PREVIEW_CHARS. */
export const PREVIEW_UTTERANCES = 6;

/** Preview text from the first utterances (in time order). */
export function previewOf(utterances: readonly Utterance[]): string {
  let text = '';
  for (const utterance of utterances) {
    if (text.length >= MAX_PREVIEW_CHARS) break;
    const more = plainText(utterance.text, MAX_PREVIEW_CHARS);
    if (more) text = text ? `${text} ${more}` : more;
  }
  return text.length > MAX_PREVIEW_CHARS ? `${text.slice(0, MAX_PREVIEW_CHARS - 1)}…` : text;
}
