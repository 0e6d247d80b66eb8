/**
 * Search in the transcript: every place an utterance's text contains the query, ignoring case and
 * accents ("cafe" finds "Café"), as offsets into the text the panel shows, so the panel can mark
 * them. Folding can change a string's length (one "İ" lowercases to two code units), so each folded
 * code unit remembers which original one it came from. Folded texts are cached per utterance object
 * (the view replaces an utterance's object when it changes), so a new query over 30,000 words only
 * scans strings.
 */
import type { Segment } from '../transcript/types';

export interface TextRange {
  start: number;
  end: number;
}

export interface SearchMatch extends TextRange {
  /** Index of the utterance in the list searched. */
  index: number;
}

interface Folded {
  text: string;
  /** folded code unit -> original code unit index; one more entry for the end. */
  map: Int32Array | null;
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}/gu;

/** Lowercase, accents and other combining marks removed; `map` is null when offsets did not move. */
export function foldForSearch(text: string): Folded {
  if (ASCII.test(text)) return { text: text.toLowerCase(), map: null };
  // ASCII characters fold on their own; only the others go through Unicode normalization, one
  // character (code point) at a time so each folded code unit knows where it came from.
  const out: string[] = [];
  const map: number[] = [];
  let moved = false;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      out.push(code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : (text[i] as string));
      if (map.length !== i) moved = true;
      map.push(i);
      i += 1;
      continue;
    }
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
    const folded = text.slice(i, i + width).normalize('NFD').replace(MARKS, '').toLowerCase();
    if (folded.length !== width || map.length !== i) moved = true;
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- one entry per UTF-16 code unit; for-of walks code points
    for (let k = 0; k < folded.length; k++) map.push(i);
    out.push(folded);
    i += width;
  }
  map.push(text.length);
  if (map.length !== text.length + 1) moved = true;
  return { text: out.join(''), map: moved ? Int32Array.from(map) : null };
}

const cache = new WeakMap<object, Folded>();

function foldedOf(segment: Segment): Folded {
  let folded = cache.get(segment);
  if (!folded) {
    folded = foldForSearch(segment.text);
    cache.set(segment, folded);
  }
  return folded;
}

/** The query as searched: folded, whitespace collapsed; '' means no search. */
export function normalizeQuery(query: string): string {
  return foldForSearch(query.replace(/\s+/g, ' ').trim()).text;
}

export const MAX_MATCHES = 10_000;

/** Every match of `query` in the segments' texts, in order; at most MAX_MATCHES. */
export function searchTranscript(segments: readonly Segment[], query: string): SearchMatch[] {
  const needle = normalizeQuery(query);
  if (needle === '') return [];
  const matches: SearchMatch[] = [];
  for (let index = 0; index < segments.length; index++) {
    const folded = foldedOf(segments[index] as Segment);
    let from = folded.text.indexOf(needle);
    while (from !== -1) {
      const to = from + needle.length;
      const start = folded.map ? (folded.map[from] as number) : from;
      // The end is where the original character after the match begins.
      const end = folded.map ? (folded.map[to] as number) : to;
      matches.push({ index, start, end: Math.max(end, start + 1) });
      if (matches.length >= MAX_MATCHES) return matches;
      from = folded.text.indexOf(needle, to);
    }
  }
  return matches;
}

/** Matches grouped by utterance index, for rendering one row at a time. */
export function matchesByIndex(matches: readonly SearchMatch[]): Map<number, SearchMatch[]> {
  const grouped = new Map<number, SearchMatch[]>();
  for (const match of matches) {
    const list = grouped.get(match.index);
    if (list) list.push(match);
    else grouped.set(match.index, [match]);
  }
  return grouped;
}

/** The next (+1) or previous (-1) match, wrapping around; -1 when there are none. */
export function stepMatch(count: number, current: number, direction: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return direction === 1 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/**
 * Keeps the same match current when the list of matches changes (new utterances arrive live, or
 * the query grows): the first match at or after the old one's place; 0 when there was none.
 */
export function rebaseCurrent(previous: SearchMatch | null, matches: readonly SearchMatch[]): number {
  if (matches.length === 0) return -1;
  if (!previous) return 0;
  const at = matches.findIndex((m) => m.index > previous.index || (m.index === previous.index && m.start >= previous.start));
  return at === -1 ? matches.length - 1 : at;
}

export interface HighlightPart {
  text: string;
  /** Index of the match in the whole list, or -1 for text between matches. */
  match: number;
}

/**
 * Splits `text` into plain parts and matched parts (rendered as <mark> by the view, as text).
 * `ranges` are this text's matches in order; `firstMatch` is the first one's index in the whole list.
 */
export function highlightParts(text: string, ranges: readonly TextRange[], firstMatch: number): HighlightPart[] {
  const parts: HighlightPart[] = [];
  let at = 0;
  ranges.forEach((range, k) => {
    const start = Math.max(at, Math.min(range.start, text.length));
    const end = Math.max(start, Math.min(range.end, text.length));
    if (start > at) parts.push({ text: text.slice(at, start), match: -1 });
    if (end > start) parts.push({ text: text.slice(start, end), match: firstMatch + k });
    at = end;
  });
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at), match: -1 });
  return parts;
}
