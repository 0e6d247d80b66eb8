import { useMemo, useRef, useState } from 'preact/hooks';
import type { TranscriptSearchView } from '@/components/transcript-list';
import type { Segment } from '@/lib/transcript/types';
import { matchesByIndex, rebaseCurrent, searchTranscript, stepMatch, type SearchMatch } from '@/lib/views/transcript-search';

export interface TranscriptSearch {
  query: string;
  setQuery: (query: string) => void;
  count: number;
  /** The current match's index, or -1. */
  current: number;
  step: (direction: 1 | -1) => void;
  /** Searches `query` with `at` (a match of it) current and brought into view: a search result opened. */
  showMatch: (query: string, at: Pick<SearchMatch, 'index' | 'start'>) => void;
  view: TranscriptSearchView;
  /** Changes each time the current match should be brought into view; null without a search. */
  revealKey: string | null;
}

/**
 * Search state for the panel: matches recomputed when the transcript or the query changes, and a
 * current match that stays put while live updates add matches (lib/views/transcript-search.ts).
 */
export function useTranscriptSearch(segments: readonly Segment[]): TranscriptSearch {
  const [query, setQueryState] = useState('');
  const [chosen, setChosen] = useState<SearchMatch | null>(null);
  const [moves, setMoves] = useState(0);
  const matches = useMemo(() => searchTranscript(segments, query), [segments, query]);
  const current = rebaseCurrent(chosen, matches);
  const currentMatch = matches[current] ?? null;
  const previous = useRef<ReadonlyMap<number, SearchMatch[]>>(new Map());

  const view = useMemo<TranscriptSearchView>(() => {
    const firstByIndex = new Map<number, number>();
    matches.forEach((m, i) => {
      if (!firstByIndex.has(m.index)) firstByIndex.set(m.index, i);
    });
    // A live update re-runs the search; rows whose matches did not change keep the same array,
    // so their memoized rows are not re-rendered.
    const byIndex = matchesByIndex(matches);
    for (const [index, list] of byIndex) {
      const old = previous.current.get(index);
      if (old && sameRanges(old, list)) byIndex.set(index, old);
    }
    previous.current = byIndex;
    return { byIndex, firstByIndex, current: -1, currentMatch: null };
  }, [matches]);

  // Reveal on a new query's first match and on every step, not when live updates add matches.
  const revealKey = currentMatch ? `${query}|${moves}|${chosen ? `${chosen.index}:${chosen.start}` : 'first'}` : null;

  return {
    query,
    setQuery(next) {
      setQueryState(next);
      setChosen(null);
    },
    count: matches.length,
    current,
    step(direction) {
      const next = matches[stepMatch(matches.length, current, direction)] ?? null;
      setChosen(next);
      setMoves((n) => n + 1);
    },
    showMatch(next, at) {
      setQueryState(next);
      // rebaseCurrent makes the first match at or after this place current: this one.
      setChosen({ index: at.index, start: at.start, end: at.start });
      setMoves((n) => n + 1);
    },
    view: { ...view, current, currentMatch },
    revealKey,
  };
}

function sameRanges(a: readonly SearchMatch[], b: readonly SearchMatch[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => {
      const other = b[i];
      return other?.start === m.start && other.end === m.end && other.index === m.index;
    })
  );
}
