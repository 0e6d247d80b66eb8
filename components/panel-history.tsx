/**
 * Past sessions: date, page and length of each saved transcript, with Open, Export, Rename and
 * Delete (Delete asks once more), under a search across all of them (panel-history-search.tsx).
 * Works against the SessionHistory interface (lib/views/session-history.ts).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { localDateTime } from '@/lib/transcript/export-document';
import type { ExportFormatId } from '@/lib/transcript/export-formats';
import { formatDuration, type SessionHistory, type SessionSummary } from '@/lib/views/session-history';
import type { SessionSearchHit } from '@/lib/views/session-search';
import { normalizeQuery } from '@/lib/views/transcript-search';
import { PanelExportMenu } from './panel-export-menu';
import { PanelHistorySearchInput, PanelHistorySearchResults } from './panel-history-search';

export interface PanelHistoryProps {
  history: SessionHistory;
  onOpen: (summary: SessionSummary) => void;
  onExport: (summary: SessionSummary, format: ExportFormatId) => void;
  /** After a delete (to forget the session's speaker names, say). */
  onDeleted?: (summary: SessionSummary) => void;
  /** A search result chosen: open the session at that line. */
  onOpenAt?: (summary: SessionSummary, hit: SessionSearchHit, query: string) => void;
  /** The search across sessions (kept by the panel, so it is still there on coming back). */
  query?: string;
  onQuery?: (query: string) => void;
}

type ListState = { phase: 'loading' } | { phase: 'ready'; sessions: SessionSummary[] } | { phase: 'failed'; message: string };

export function PanelHistory({ history, onOpen, onExport, onDeleted, onOpenAt, query: shownQuery, onQuery }: PanelHistoryProps) {
  const [list, setList] = useState<ListState>({ phase: 'loading' });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [ownQuery, setOwnQuery] = useState('');
  const query = shownQuery ?? ownQuery;
  const setQuery = onQuery ?? setOwnQuery;

  const reload = useCallback(() => {
    let alive = true;
    history.listSessions().then(
      (sessions) => alive && setList({ phase: 'ready', sessions }),
      (error: unknown) => alive && setList({ phase: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      alive = false;
    };
  }, [history]);

  useEffect(() => reload(), [reload]);

  const remove = async (summary: SessionSummary) => {
    setConfirming(null);
    try {
      await history.deleteSession(summary.id);
      onDeleted?.(summary);
    } finally {
      reload();
    }
  };

  const rename = async (summary: SessionSummary, title: string) => {
    try {
      await history.renameSession(summary.id, title);
    } finally {
      stopRenaming(summary.id);
      reload();
    }
  };

  /** Ends renaming with focus back on the session's Rename button, where the keyboard user was. */
  const stopRenaming = (id: string) => {
    setRenaming(null);
    refocus.current = id;
  };
  const refocus = useRef<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    const id = refocus.current;
    if (id === null || renaming !== null) return;
    const button = [...(listRef.current?.querySelectorAll<HTMLElement>('[data-testid=history-item]') ?? [])]
      .find((item) => item.dataset.sessionId === id)
      ?.querySelector<HTMLElement>('[data-testid=history-rename]');
    if (button) {
      button.focus();
      refocus.current = null;
    }
  });

  if (list.phase === 'loading') return <p class="panel-note">{t('panelHistoryLoading')}</p>;
  if (list.phase === 'failed') return <p class="panel-note panel-error">{t('panelHistoryFailed', list.message)}</p>;
  if (list.sessions.length === 0) return <p class="panel-note" data-testid="history-empty">{t('panelHistoryEmpty')}</p>;
  const searching = normalizeQuery(query) !== '';
  return (
    <>
      <PanelHistorySearchInput query={query} onQuery={setQuery} />
      {searching ? (
        <PanelHistorySearchResults history={history} query={query} onOpenAt={onOpenAt ?? ((summary) => onOpen(summary))} />
      ) : (
        <ul class="history-list" data-testid="history" ref={listRef}>
          {list.sessions.map((summary) => (
            <li key={summary.id} class="history-item" data-testid="history-item" data-session-id={summary.id}>
              {renaming === summary.id ? (
                <RenameField initial={summary.title} onSave={(title) => void rename(summary, title)} onCancel={() => stopRenaming(summary.id)} />
              ) : (
                <div class="history-title" data-testid="history-title">
                  {summary.title.trim() || t('panelHistoryUntitled')}
                </div>
              )}
              <div class="history-meta">
                <time dateTime={new Date(summary.startedAt).toISOString()}>{localDateTime(summary.startedAt)}</time>
                <span>{formatDuration(summary.durationSeconds)}</span>
                <span>{t('panelHistoryWords', summary.wordCount)}</span>
              </div>
              {summary.url && <div class="history-url">{summary.url}</div>}
              {summary.preview && <div class="history-preview">{summary.preview}</div>}
              <div class="history-actions">
                {confirming === summary.id ? (
                  <>
                    <span class="panel-note">{t('panelHistoryDeleteConfirm')}</span>
                    <button type="button" class="secondary small danger" data-testid="history-delete-confirm" onClick={() => void remove(summary)}>
                      {t('panelHistoryDelete')}
                    </button>
                    <button type="button" class="link small" onClick={() => setConfirming(null)}>
                      {t('panelHistoryKeep')}
                    </button>
                  </>
                ) : (
                  <>
                    <button type="button" class="secondary small" data-testid="history-open" onClick={() => onOpen(summary)}>
                      {t('panelHistoryOpen')}
                    </button>
                    <PanelExportMenu idSuffix={`-${summary.id}`} onExport={(format) => onExport(summary, format)} />
                    <button type="button" class="link small" data-testid="history-rename" onClick={() => setRenaming(summary.id)}>
                      {t('panelHistoryRename')}
                    </button>
                    <button type="button" class="link small" data-testid="history-delete" onClick={() => setConfirming(summary.id)}>
                      {t('panelHistoryDelete')}
                    </button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The session's name in a field: Enter saves, Escape cancels (and so do the two buttons). */
function RenameField({ initial, onSave, onCancel }: { initial: string; onSave: (title: string) => void; onCancel: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const save = () => onSave(input.current?.value ?? initial);
  return (
    <div class="history-rename">
      <input
        ref={input}
        type="text"
        class="panel-search-input"
        data-testid="history-rename-input"
        defaultValue={initial}
        maxLength={200}
        aria-label={t('panelHistoryRenameLabel')}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            save();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
      />
      <button type="button" class="secondary small" data-testid="history-rename-save" onClick={save}>
        {t('panelHistorySave')}
      </button>
      <button type="button" class="link small" onClick={onCancel}>
        {t('panelHistoryCancel')}
      </button>
    </div>
  );
}
