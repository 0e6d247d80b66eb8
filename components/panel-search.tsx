/**
 * Search box of the side panel: the query, "3 of 12", previous and next. Enter goes to the next
 * match, Shift+Enter to the previous one, Escape clears the search.
 */
import type { RefObject } from 'preact';
import { t } from '@/lib/i18n';

export interface PanelSearchProps {
  query: string;
  count: number;
  /** Index of the current match, or -1. */
  current: number;
  onQuery: (query: string) => void;
  onStep: (direction: 1 | -1) => void;
  inputRef?: RefObject<HTMLInputElement>;
}

export function PanelSearch({ query, count, current, onQuery, onStep, inputRef }: PanelSearchProps) {
  const searching = query.trim() !== '';
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onStep(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape' && query !== '') {
      event.preventDefault();
      onQuery('');
    }
  };
  return (
    <div class="panel-search" role="search">
      <input
        ref={inputRef}
        type="search"
        class="panel-search-input"
        data-testid="search"
        value={query}
        placeholder={t('panelSearchPlaceholder')}
        aria-label={t('panelSearchLabel')}
        onInput={(event) => onQuery(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <span class="panel-search-count" data-testid="search-count" role="status" aria-live="polite">
        {searching ? (count > 0 ? t('panelSearchCount', current + 1, count) : t('panelSearchNone')) : ''}
      </span>
      <button
        type="button"
        class="icon-button"
        data-testid="search-previous"
        aria-label={t('panelSearchPrevious')}
        title={t('panelSearchPrevious')}
        disabled={count === 0}
        onClick={() => onStep(-1)}
      >
        <span aria-hidden="true">↑</span>
      </button>
      <button
        type="button"
        class="icon-button"
        data-testid="search-next"
        aria-label={t('panelSearchNext')}
        title={t('panelSearchNext')}
        disabled={count === 0}
        onClick={() => onStep(1)}
      >
        <span aria-hidden="true">↓</span>
      </button>
    </div>
  );
}
