/**
 * Search across every saved session, at the top of Past sessions: each match as a button with the
 * words around it, under its session's title and date; choosing one opens that session at that
 * line. Typing searches after a short pause, and a newer query cancels the older search between
 * sessions (lib/views/session-search.ts reads one session at a time).
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { localDateTime } from '@/lib/transcript/export-document';
import { formatClock } from '@/lib/transcript/export-text';
import type { SessionHistory, SessionSummary } from '@/lib/views/session-history';
import type { SessionSearchHit, SessionSearchResults } from '@/lib/views/session-search';
import { normalizeQuery } from '@/lib/views/transcript-search';

/** Pause after the last key before searching: typing a word does not start a search per letter. */
export const SEARCH_DELAY_MS = 200;

export interface PanelHistorySearchProps {
  history: SessionHistory;
  query: string;
  onQuery: (query: string) => void;
  onOpenAt: (summary: SessionSummary, hit: SessionSearchHit, query: string) => void;
}

type SearchState = { phase: 'idle' } | { phase: 'searching' } | { phase: 'done'; results: SessionSearchResults } | { phase: 'failed'; message: string };

export function useSessionSearch(history: SessionHistory, query: string): SearchState {
  const [state, setState] = useState<SearchState>({ phase: 'idle' });
  useEffect(() => {
    if (normalizeQuery(query) === '') {
      setState({ phase: 'idle' });
      return;
    }
    let cancelled = false;
    setState({ phase: 'searching' });
    const timer = setTimeout(() => {
      history.searchSessions(query, () => cancelled).then(
        (results) => !cancelled && setState({ phase: 'done', results }),
        (error: unknown) => !cancelled && setState({ phase: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [history, query]);
  return state;
}

export function PanelHistorySearchInput({ query, onQuery }: Pick<PanelHistorySearchProps, 'query' | 'onQuery'>) {
  return (
    <div class="panel-search history-search" role="search">
      <input
        type="search"
        class="panel-search-input"
        data-testid="history-search"
        value={query}
        placeholder={t('panelHistorySearchPlaceholder')}
        aria-label={t('panelHistorySearchLabel')}
        onInput={(event) => onQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && query !== '') {
            event.preventDefault();
            onQuery('');
          }
        }}
      />
    </div>
  );
}

export function PanelHistorySearchResults({ history, query, onOpenAt }: Omit<PanelHistorySearchProps, 'onQuery'>) {
  const state = useSessionSearch(history, query);
  const status =
    state.phase === 'searching'
      ? t('panelHistorySearching')
      : state.phase === 'failed'
        ? t('panelHistoryFailed', state.message)
        : state.phase === 'done'
          ? state.results.totalMatches === 0
            ? t('panelHistorySearchNone')
            : t('panelHistorySearchCount', state.results.totalMatches, state.results.groups.length)
          : '';
  return (
    <div class="history-search-results" data-testid="history-search-results">
      <p class="panel-note" data-testid="history-search-status" role="status" aria-live="polite">
        {status}
      </p>
      {state.phase === 'done' && (
        <ul class="history-list">
          {state.results.groups.map(({ session, hits, total }) => {
            const title = session.title.trim() || t('panelHistoryUntitled');
            return (
              <li key={session.id} class="history-item" data-testid="history-search-group" data-session-id={session.id}>
                <div class="history-title">{title}</div>
                <div class="history-meta">
                  <time dateTime={new Date(session.startedAt).toISOString()}>{localDateTime(session.startedAt)}</time>
                </div>
                <ul class="history-hits">
                  {hits.map((hit) => (
                    <li key={`${hit.utteranceId}:${hit.matchStart}`}>
                      <button
                        type="button"
                        class="history-hit"
                        data-testid="history-search-hit"
                        data-utterance-id={hit.utteranceId}
                        aria-label={t('panelHistorySearchOpenAt', formatClock(hit.start), `${hit.before}${hit.match}${hit.after}`)}
                        onClick={() => onOpenAt(session, hit, query)}
                      >
                        <time class="history-hit-time">{formatClock(hit.start)}</time>{' '}
                        <span class="history-hit-text">
                          {hit.before}
                          <mark class="match">{hit.match}</mark>
                          {hit.after}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
                {total > hits.length && <p class="panel-note">{t('panelHistorySearchMore', total - hits.length)}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
