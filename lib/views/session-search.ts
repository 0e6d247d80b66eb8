/**
 * Search across every saved session: each match with the words around it, so the list of results
 * reads on its own, and what opening the session at that line needs (the line's id and where the
 * match starts in it, as the in-session search finds it: lib/views/transcript-search.ts, so the
 * opened session's search lands on the same match).
 *
 * Sessions are read one at a time and dropped once searched: only the results are kept, however
 * many long sessions retention keeps (bench/session-search.ts measures it). Results are capped;
 * the counts say how many more there were.
 */
import type { Utterance } from '../transcript/types';
import type { SessionSummary } from './session-history';
import { normalizeQuery, searchTranscript } from './transcript-search';

export interface SessionSearchHit {
  utteranceId: string;
  /** Meeting time of the line, seconds. */
  start: number;
  speaker: number | null;
  /** Where the match is in the line's text (UTF-16 offsets), as searchTranscript reports it. */
  matchStart: number;
  /** The words before the match ('…' first when cut), the match as written, the words after. */
  before: string;
  match: string;
  after: string;
}

export interface SessionSearchGroup {
  session: SessionSummary;
  hits: SessionSearchHit[];
  /** Every match in the session, shown or not. */
  total: number;
}

export interface SessionSearchResults {
  query: string;
  groups: SessionSearchGroup[];
  /** Matches in every session searched. */
  totalMatches: number;
  /** False when the search was cancelled (a newer query came) before every session was read. */
  complete: boolean;
}

export interface SessionSearchOptions {
  /** Hits listed per session (the rest are counted). */
  hitsPerSession?: number;
  /** Hits listed in all. */
  maxHits?: number;
  /** Characters of context each side of a match. */
  contextChars?: number;
  /** Stops between sessions when it returns true. */
  cancelled?: () => boolean;
}

export const HITS_PER_SESSION = 5;
export const MAX_LISTED_HITS = 100;
export const CONTEXT_CHARS = 40;

/** The words around `[start, end)` of `text`, cut at word boundaries, with '…' where text was left out. */
export function contextOf(text: string, start: number, end: number, chars = CONTEXT_CHARS): Pick<SessionSearchHit, 'before' | 'match' | 'after'> {
  let from = Math.max(0, start - chars);
  if (from > 0 && text[from - 1] !== ' ') {
    const space = text.indexOf(' ', from);
    from = space !== -1 && space < start ? space + 1 : from;
  }
  let to = Math.min(text.length, end + chars);
  if (to < text.length) {
    const space = text.lastIndexOf(' ', to);
    to = space > end ? space : to;
  }
  return {
    before: `${from > 0 ? '…' : ''}${text.slice(from, start)}`,
    match: text.slice(start, end),
    after: `${text.slice(end, to)}${to < text.length ? '…' : ''}`,
  };
}

/**
 * Searches `sessions` (in the order given, newest first from the list) through `load`, which reads
 * one session's lines; a session that cannot be read is skipped.
 */
export async function searchSessions(
  sessions: readonly SessionSummary[],
  load: (id: string) => Promise<readonly Utterance[] | null>,
  query: string,
  options: SessionSearchOptions = {},
): Promise<SessionSearchResults> {
  const { hitsPerSession = HITS_PER_SESSION, maxHits = MAX_LISTED_HITS, contextChars = CONTEXT_CHARS, cancelled = () => false } = options;
  const results: SessionSearchResults = { query, groups: [], totalMatches: 0, complete: true };
  if (normalizeQuery(query) === '') return results;
  let listed = 0;
  for (const session of sessions) {
    if (cancelled()) return { ...results, complete: false };
    const utterances = await load(session.id).catch(() => null);
    if (!utterances) continue;
    const matches = searchTranscript(utterances, query);
    if (matches.length === 0) continue;
    results.totalMatches += matches.length;
    const room = Math.max(0, Math.min(hitsPerSession, maxHits - listed));
    const hits = matches.slice(0, room).map((m) => {
      const utterance = utterances[m.index] as Utterance;
      return {
        utteranceId: utterance.id,
        start: utterance.start,
        speaker: utterance.speaker,
        matchStart: m.start,
        ...contextOf(utterance.text, m.start, m.end, contextChars),
      };
    });
    listed += hits.length;
    results.groups.push({ session, hits, total: matches.length });
  }
  return results;
}
