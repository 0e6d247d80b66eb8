/**
 * Past sessions: date, page and length of each saved transcript, with Open, Export and Delete
 * (Delete asks once more). Works against the SessionHistory interface (lib/views/session-history.ts).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { localDateTime } from '@/lib/transcript/export-document';
import type { ExportFormatId } from '@/lib/transcript/export-formats';
import { formatDuration, type SessionHistory, type SessionSummary } from '@/lib/views/session-history';
import { PanelExportMenu } from './panel-export-menu';

export interface PanelHistoryProps {
  history: SessionHistory;
  onOpen: (summary: SessionSummary) => void;
  onExport: (summary: SessionSummary, format: ExportFormatId) => void;
  /** After a delete (to forget the session's speaker names, say). */
  onDeleted?: (summary: SessionSummary) => void;
}

type ListState = { phase: 'loading' } | { phase: 'ready'; sessions: SessionSummary[] } | { phase: 'failed'; message: string };

export function PanelHistory({ history, onOpen, onExport, onDeleted }: PanelHistoryProps) {
  const [list, setList] = useState<ListState>({ phase: 'loading' });
  const [confirming, setConfirming] = useState<string | null>(null);

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

  if (list.phase === 'loading') return <p class="panel-note">{t('panelHistoryLoading')}</p>;
  if (list.phase === 'failed') return <p class="panel-note panel-error">{t('panelHistoryFailed', list.message)}</p>;
  if (list.sessions.length === 0) return <p class="panel-note" data-testid="history-empty">{t('panelHistoryEmpty')}</p>;
  return (
    <ul class="history-list" data-testid="history">
      {list.sessions.map((summary) => (
        <li key={summary.id} class="history-item" data-testid="history-item" data-session-id={summary.id}>
          <div class="history-title">{summary.title.trim() || t('panelHistoryUntitled')}</div>
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
                <button type="button" class="link small" data-testid="history-delete" onClick={() => setConfirming(summary.id)}>
                  {t('panelHistoryDelete')}
                </button>
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
