/**
 * The text index beside the saved sessions (transcript-archive.ts, store `search-text`): what
 * search across sessions needs of each line (its id, start, speaker and text, with the user's
 * correction applied) and nothing else. Reading a session's whole utterances (every word with its
 * times and confidence) cost about 100 ms per one-hour session; its index is a handful of records
 * of plain arrays, read in a few milliseconds (bench/session-search.ts measures both).
 *
 * A session's lines are kept in chunks keyed [sessionId, chunk], chunk = the utterance id's number
 * / SEARCH_CHUNK_LINES: the live session's writes (one line or a few, every few seconds) rewrite
 * one small chunk, never the whole session's text. Chunk COMPLETE_MARK (-1, empty) says the
 * session's index holds every line: sessions saved before the index existed (or written by
 * something other than the archive) lack it, and are indexed from their full record when first
 * searched.
 */
import type { Utterance } from '../transcript/types';

/** Lines per chunk: small enough that rewriting one is cheap, large enough that a session is few records. */
export const SEARCH_CHUNK_LINES = 64;
/** The chunk number of the "this session is fully indexed" mark. */
export const COMPLETE_MARK = -1;

/** One line as search reads it. */
export interface SearchLine {
  id: string;
  /** Meeting time, seconds. */
  start: number;
  speaker: number | null;
  /** What the panel shows: the user's correction when there is one, else what was recognized. */
  text: string;
}

interface IndexedLine extends SearchLine {
  /** True when `text` is the user's: later saves of the recognized text must not replace it. */
  corrected: boolean;
}

/** One stored chunk: parallel arrays, which IndexedDB reads far faster than one object per line. */
export interface SearchTextChunk {
  sessionId: string;
  chunk: number;
  ids: string[];
  starts: number[];
  speakers: (number | null)[];
  texts: string[];
  /** Ids of the lines whose text is a correction. */
  corrected: string[];
}

/** The number at the end of an utterance id ('s1700-u12' -> 12); 0 when there is none. */
export function idNumber(id: string): number {
  const match = /(\d+)$/.exec(id);
  return match ? Number(match[1]) : 0;
}

export function chunkOf(utteranceId: string): number {
  return Math.floor(idNumber(utteranceId) / SEARCH_CHUNK_LINES);
}

/**
 * The order a session's lines are shown in: by start, ties by the id's number. Callers sort lines
 * that are already in key order (the ids' string order, as IndexedDB returns them), so any
 * remaining tie keeps that order, the same for the loaded session and its index.
 */
export function utteranceOrder(a: Pick<SearchLine, 'id' | 'start'>, b: Pick<SearchLine, 'id' | 'start'>): number {
  return a.start - b.start || idNumber(a.id) - idNumber(b.id);
}

export function emptyChunk(sessionId: string, chunk: number): SearchTextChunk {
  return { sessionId, chunk, ids: [], starts: [], speakers: [], texts: [], corrected: [] };
}

/** The chunk's lines by id. */
export function chunkLines(chunk: SearchTextChunk): Map<string, IndexedLine> {
  const corrected = new Set(chunk.corrected);
  const lines = new Map<string, IndexedLine>();
  chunk.ids.forEach((id, i) => {
    lines.set(id, { id, start: chunk.starts[i] ?? 0, speaker: chunk.speakers[i] ?? null, text: chunk.texts[i] ?? '', corrected: corrected.has(id) });
  });
  return lines;
}

export function toChunk(sessionId: string, chunk: number, lines: Iterable<IndexedLine>): SearchTextChunk {
  const stored = emptyChunk(sessionId, chunk);
  for (const line of lines) {
    stored.ids.push(line.id);
    stored.starts.push(line.start);
    stored.speakers.push(line.speaker);
    stored.texts.push(line.text);
    if (line.corrected) stored.corrected.push(line.id);
  }
  return stored;
}

/** A recognized (re)write of a line: its times and speaker change, a correction's text stays. */
export function withRecognized(lines: Map<string, IndexedLine>, utterance: Utterance): void {
  const previous = lines.get(utterance.id);
  const corrected = previous?.corrected === true;
  lines.set(utterance.id, {
    id: utterance.id,
    start: utterance.start,
    speaker: utterance.speaker,
    text: corrected ? previous.text : utterance.text,
    corrected,
  });
}

/** Lines of a session as shown (loaded, corrections applied) -> its chunks, COMPLETE_MARK included. */
export function chunksOfSession(sessionId: string, lines: readonly Utterance[], correctedIds: ReadonlySet<string>): SearchTextChunk[] {
  const byChunk = new Map<number, IndexedLine[]>();
  for (const u of lines) {
    const chunk = chunkOf(u.id);
    let list = byChunk.get(chunk);
    if (!list) byChunk.set(chunk, (list = []));
    list.push({ id: u.id, start: u.start, speaker: u.speaker, text: u.text, corrected: correctedIds.has(u.id) });
  }
  return [emptyChunk(sessionId, COMPLETE_MARK), ...[...byChunk].map(([chunk, list]) => toChunk(sessionId, chunk, list))];
}

/** A session's index chunks (in key order) -> its lines in the order they are shown; null without COMPLETE_MARK. */
export function linesOfChunks(chunks: readonly SearchTextChunk[]): SearchLine[] | null {
  if (chunks[0]?.chunk !== COMPLETE_MARK) return null;
  const lines: SearchLine[] = [];
  for (const chunk of chunks) {
    chunk.ids.forEach((id, i) => lines.push({ id, start: chunk.starts[i] ?? 0, speaker: chunk.speakers[i] ?? null, text: chunk.texts[i] ?? '' }));
  }
  // Key order first (the utterances store's: ids as strings), then the shown order, as loadSession sorts.
  return lines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).sort(utteranceOrder);
}
