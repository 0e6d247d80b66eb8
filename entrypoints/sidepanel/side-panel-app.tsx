/**
 * The side panel: the live transcript (or a saved one), with search, copy, export, speaker names
 * and past sessions. Wiring only: the rules live in lib/views and lib/transcript.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { InputLevels } from '@/components/input-levels';
import { dismissMenusOnOutsideAction, onMenuToggle, PanelExportMenu } from '@/components/panel-export-menu';
import { PanelHistory } from '@/components/panel-history';
import { PanelKeyterms } from '@/components/panel-keyterms';
import { PanelSearch } from '@/components/panel-search';
import { PanelSpeakers } from '@/components/panel-speakers';
import { StatusLine } from '@/components/status-line';
import { TranscriptList } from '@/components/transcript-list';
import { TranscriptScroller } from '@/components/transcript-scroller';
import { rangeInside, selectedPieces } from '@/components/transcript-selection';
import { useSessionFeed } from '@/components/use-session-feed';
import { t } from '@/lib/i18n';
import { browserHistoryPruner, liveStartOf } from '@/lib/persistence/browser-history-pruner';
import { pruneHistory } from '@/lib/persistence/history-pruner';
import { askBackground } from '@/lib/contract/messaging';
import { isCapturingAudio, isSessionRunning } from '@/lib/contract/session-phase';
import { speakerNamesKey, speakerNamesStore } from '@/lib/speaker-names-store';
import { loadSettings } from '@/lib/storage';
import { localDateTime, speakersOf, type ExportDocument } from '@/lib/transcript/export-document';
import { renderExport, type ExportFormatId } from '@/lib/transcript/export-formats';
import { transcriptToPlainText } from '@/lib/transcript/export-text';
import type { Segment, Utterance } from '@/lib/transcript/types';
import { canCorrectLiveLine, correctSessionLine, type CorrectedSession } from '@/lib/views/line-corrections';
import { selectionToPlainText } from '@/lib/views/selection-text';
import { afterPruning, type SessionHistory, type SessionSummary, type StoredSession } from '@/lib/views/session-history';
import { archiveHistory } from '@/lib/views/session-history-archive';
import type { SessionSearchHit } from '@/lib/views/session-search';
import { downloadFile } from './download';
import { useColorTheme } from './use-color-theme';
import { useLiveFixes } from './use-live-fixes';
import { usePageTitle } from './use-page-title';
import { useSpeakerNames } from './use-speaker-names';
import { useTranscriptSearch } from './use-transcript-search';

type View = { kind: 'live' } | { kind: 'saved'; session: StoredSession; namesKey: string } | { kind: 'history' };

/** What the transcript view shows: the live session or a saved one. */
interface ShownTranscript {
  utterances: readonly Utterance[];
  interims: readonly Segment[];
  title: string;
  startedAt: number | null;
}

export interface SidePanelAppProps {
  history?: SessionHistory;
  /** Applies retention to saved history; run once when the panel opens (lib/persistence/history-pruner.ts). */
  pruneHistory?: () => Promise<unknown>;
}

/** A saved session has no interim tails; one array, so the scroller does not take each render for new content. */
const NO_INTERIMS: readonly Segment[] = [];

const defaultHistory = archiveHistory();
const pruneSavedHistory = () =>
  pruneHistory(browserHistoryPruner(async () => liveStartOf(await askBackground({ type: 'session/get' })))).catch((error: unknown) =>
    console.warn('[captionist] pruning saved history failed:', error),
  );

export function SidePanelApp({ history: savedHistory = defaultHistory, pruneHistory: prune = pruneSavedHistory }: SidePanelAppProps) {
  // Once per panel: the past-sessions list waits for it, so it never shows what is being deleted.
  const [pruning] = useState(prune);
  const history = useMemo(() => afterPruning(savedHistory, pruning), [savedHistory, pruning]);
  const { state, transcript, sessionStartedAt } = useSessionFeed();
  const theme = useColorTheme();
  const liveTitle = usePageTitle(state.tabId, state.startedAt);
  const [liveUtterances, fixLiveLine] = useLiveFixes(transcript.utterances, sessionStartedAt);
  // What the stable line-correction callback reads of the live session (see correctLine).
  const liveSession = useRef({ runningStartedAt: null as number | null, utterances: transcript.utterances, startedAt: sessionStartedAt });
  liveSession.current = { runningStartedAt: isSessionRunning(state) ? state.startedAt : null, utterances: transcript.utterances, startedAt: sessionStartedAt };
  const [view, setView] = useState<View>({ kind: 'live' });
  const [status, setStatus] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [historyQuery, setHistoryQuery] = useState('');
  const viewRef = useRef(view);
  viewRef.current = view;
  const speakersMenu = useRef<HTMLDetailsElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);

  const shown: ShownTranscript =
    view.kind === 'saved'
      ? { utterances: view.session.utterances, interims: NO_INTERIMS, title: view.session.title, startedAt: view.session.startedAt }
      : // The session the transcript is of: kept after it stops, for its speaker names and exports.
        { utterances: liveUtterances, interims: transcript.interims, title: liveTitle, startedAt: sessionStartedAt };
  const namesKey = view.kind === 'saved' ? view.namesKey : shown.startedAt !== null ? speakerNamesKey(shown.startedAt) : null;
  const [names, rename] = useSpeakerNames(namesKey);
  const search = useTranscriptSearch(shown.utterances);
  const speakers = useMemo(() => speakersOf(shown.utterances, {}).map((s) => s.speaker), [shown.utterances]);

  const doc = (): ExportDocument => ({ title: shown.title, startedAt: shown.startedAt, utterances: shown.utterances, names });

  useEffect(() => dismissMenusOnOutsideAction(document), []);

  // The key terms sessions start with (Options): what the live session's "Key terms" menu shows
  // first. A transcription relay chooses its own, so there is no menu for it.
  const [startKeyterms, setStartKeyterms] = useState<readonly string[] | null>(null);
  useEffect(() => {
    loadSettings()
      .then((settings) => setStartKeyterms(settings.serverKind === 'relay' ? null : settings.keyterms))
      .catch((error: unknown) => console.warn('[captionist] reading the key terms failed:', error));
  }, []);
  const changeKeyterms = async (keyterms: string[]) =>
    (await askBackground({ type: 'session/keyterms', keyterms })) ?? { ok: false as const, refusedBy: 'extension' as const, message: t('keytermsChangeNotRunning') };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        searchInput.current?.focus();
        searchInput.current?.select();
      } else if (event.key === 'F3') {
        event.preventDefault();
        search.step(event.shiftKey ? -1 : 1);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [search]);

  async function writeClipboard(text: string, done: string) {
    // Clear first so a second copy is announced again and no earlier result stays on screen
    // while the clipboard write is pending.
    setStatus('');
    try {
      await navigator.clipboard.writeText(text);
      setStatus(done);
    } catch (error) {
      setStatus(t('panelCopyFailed', error instanceof Error ? error.message : String(error)));
    }
  }

  function copyAll() {
    const text = transcriptToPlainText({ utterances: [...shown.utterances], interims: [] }, names);
    if (!text.trim()) setStatus(t('panelNothingToCopy'));
    else void writeClipboard(text, t('panelCopied'));
  }

  function selectionText(container: HTMLElement): string | null {
    const range = rangeInside(container, document.getSelection());
    if (!range) return null;
    const text = selectionToPlainText(selectedPieces(container, range, shown.utterances), names);
    return text.trim() ? text : null;
  }

  function copySelection() {
    const text = scroller.current ? selectionText(scroller.current) : null;
    if (text === null) setStatus(t('panelNoSelection'));
    else void writeClipboard(text, t('panelCopiedSelection'));
  }

  function exportAs(format: ExportFormatId, source: ExportDocument = doc()) {
    if (!source.utterances.some((u) => u.text.trim())) {
      setStatus(t('panelNothingToExport'));
      return;
    }
    const file = renderExport(source, format);
    downloadFile(file);
    setStatus(t('panelExported', file.fileName));
  }

  async function loadSaved(summary: SessionSummary): Promise<StoredSession | null> {
    const session = await history.loadSession(summary.id).catch(() => null);
    if (!session) setStatus(t('panelHistoryMissing'));
    return session;
  }

  async function openSaved(summary: SessionSummary) {
    const session = await loadSaved(summary);
    if (session) {
      show({ kind: 'saved', session, namesKey: await speakerNamesStore().resolveKey(session.startedAt) });
    }
  }

  /** A search result chosen: the session opens with that match current and in view. */
  async function openSavedAt(summary: SessionSummary, hit: SessionSearchHit, query: string) {
    const session = await loadSaved(summary);
    if (!session) return;
    const namesKey = await speakerNamesStore().resolveKey(session.startedAt);
    show({ kind: 'saved', session, namesKey });
    const index = session.utterances.findIndex((u) => u.id === hit.utteranceId);
    if (index !== -1) search.showMatch(query, { index, start: hit.matchStart });
  }

  // Stable (per shown live session), so the memoized transcript rows are not all re-rendered on
  // every update. A line of the running session is corrected by the session itself, which sends
  // the corrected line to every view (lib/views/line-corrections.ts); it is shown here at once.
  const correctLine = useCallback(
    async (utterance: Utterance, text: string): Promise<boolean> => {
      const shownView = viewRef.current;
      const { runningStartedAt, utterances: liveLines, startedAt: liveStartedAt } = liveSession.current;
      let session: CorrectedSession;
      if (shownView.kind === 'saved') session = { startedAt: shownView.session.startedAt, savedId: shownView.session.id };
      else if (shownView.kind === 'live' && liveStartedAt !== null) session = { startedAt: liveStartedAt, savedId: null };
      else return false;
      setStatus('');
      const outcome = await correctSessionLine(
        { askSession: (correction) => askBackground({ type: 'transcript/correct', ...correction }), history },
        session,
        runningStartedAt,
        utterance.id,
        text,
      );
      if (!outcome.ok) {
        setStatus(outcome.reason === 'gone' ? t('panelHistoryMissing') : t('panelLineCorrectFailed', outcome.detail));
        return false;
      }
      const corrected = outcome.utterance;
      if (shownView.kind === 'saved') {
        const sessionId = shownView.session.id;
        setView((v) =>
          v.kind === 'saved' && v.session.id === sessionId
            ? { ...v, session: { ...v.session, utterances: v.session.utterances.map((u) => (u.id === corrected.id ? corrected : u)) } }
            : v,
        );
      } else {
        fixLiveLine(liveLines.find((u) => u.id === corrected.id) ?? utterance, corrected);
      }
      setStatus(t('panelLineCorrected'));
      return true;
    },
    [history, fixLiveLine],
  );
  const liveLineEditable = useCallback(
    (utterance: Utterance) => canCorrectLiveLine(utterance, liveSession.current.startedAt, liveSession.current.runningStartedAt !== null),
    [],
  );

  async function exportSaved(summary: SessionSummary, format: ExportFormatId) {
    const session = await loadSaved(summary);
    if (!session) return;
    const store = speakerNamesStore();
    const savedNames = await store.load(await store.resolveKey(session.startedAt));
    exportAs(format, { title: session.title, startedAt: session.startedAt, utterances: session.utterances, names: savedNames });
  }

  /** Another view: the last view's status line does not follow. */
  function show(next: View) {
    setStatus('');
    setEditing(null);
    setView(next);
  }

  async function forgetNames(summary: SessionSummary) {
    const store = speakerNamesStore();
    await store.forget(await store.resolveKey(summary.startedAt));
  }

  // Stable, so the memoized transcript rows are not all re-rendered on every update.
  const renameFromTranscript = useCallback((speaker: number) => {
    if (speakersMenu.current) speakersMenu.current.open = true;
    setEditing(speaker);
  }, []);

  const live = isCapturingAudio(state);
  return (
    <main class="panel-main" data-view={view.kind}>
      <header class="panel-header">
        <h1>{t('panelTitle')}</h1>
        <StatusLine state={state} />
      </header>
      <nav class="panel-tabs">
        <button
          type="button"
          class="panel-tab"
          data-testid="tab-live"
          aria-current={view.kind !== 'history' ? 'page' : undefined}
          onClick={() => show({ kind: 'live' })}
        >
          {t('panelTabLive')}
        </button>
        <button
          type="button"
          class="panel-tab"
          data-testid="tab-history"
          aria-current={view.kind === 'history' ? 'page' : undefined}
          onClick={() => show({ kind: 'history' })}
        >
          {t('panelTabHistory')}
        </button>
      </nav>
      {view.kind === 'history' ? (
        <section class="panel-history" aria-label={t('panelTabHistory')}>
          <PanelHistory
            history={history}
            onOpen={(summary) => void openSaved(summary)}
            onExport={(summary, format) => void exportSaved(summary, format)}
            onDeleted={(summary) => void forgetNames(summary)}
            onOpenAt={(summary, hit, query) => void openSavedAt(summary, hit, query)}
            query={historyQuery}
            onQuery={setHistoryQuery}
          />
          <p class="copy-status" data-testid="copy-status" role="status" aria-live="polite">
            {status}
          </p>
        </section>
      ) : (
        <>
          {view.kind === 'saved' && (
            <div class="saved-banner" data-testid="saved-banner">
              <span>
                {t('panelViewingSaved')}: <strong>{view.session.title || t('panelHistoryUntitled')}</strong>{' '}
                {localDateTime(view.session.startedAt)}
              </span>
              <button type="button" class="link small" onClick={() => show({ kind: 'live' })}>
                {t('panelBackToLive')}
              </button>
            </div>
          )}
          {view.kind === 'live' && live && <InputLevels source={state.source} singleCaption={false} />}
          <div class="panel-toolbar">
            <PanelSearch
              query={search.query}
              count={search.count}
              current={search.current}
              onQuery={search.setQuery}
              onStep={search.step}
              inputRef={searchInput}
            />
            <div class="panel-actions">
              <button type="button" class="secondary small" data-testid="copy" onClick={copyAll}>
                {t('panelCopyAll')}
              </button>
              <button
                type="button"
                class="secondary small"
                data-testid="copy-selection"
                // Keep the transcript's selection when the button is pressed with the mouse.
                onMouseDown={(event) => event.preventDefault()}
                onClick={copySelection}
              >
                {t('panelCopySelection')}
              </button>
              <PanelExportMenu onExport={(format) => exportAs(format)} />
              <details class="menu menu-wide" ref={speakersMenu} data-testid="speakers-menu" onToggle={onMenuToggle}>
                <summary class="secondary-like">
                  {t('panelSpeakers')} ({speakers.length})
                </summary>
                <div class="menu-items">
                  <PanelSpeakers
                    speakers={speakers}
                    names={names}
                    theme={theme}
                    editing={editing}
                    onEdit={setEditing}
                    onRename={(speaker, name) => void rename(speaker, name)}
                    canRename={namesKey !== null}
                  />
                </div>
              </details>
              {view.kind === 'live' && live && startKeyterms && <PanelKeyterms initial={startKeyterms} onApply={changeKeyterms} />}
            </div>
          </div>
          <p class="copy-status" data-testid="copy-status" role="status" aria-live="polite">
            {status}
          </p>
          <TranscriptScroller
            containerRef={scroller}
            content={shown.utterances}
            tail={shown.interims}
            revealKey={search.revealKey}
            label={t('panelTranscriptLabel')}
            jumpLabel={t('panelJumpToLive')}
            onCopy={selectionText}
          >
            <TranscriptList
              utterances={shown.utterances}
              interims={shown.interims}
              names={names}
              theme={theme}
              search={search.view}
              emptyText={t('panelEmpty')}
              onSpeakerClick={namesKey !== null ? renameFromTranscript : undefined}
              onEditText={view.kind === 'saved' || shown.startedAt !== null ? correctLine : undefined}
              canEdit={view.kind === 'saved' ? undefined : liveLineEditable}
            />
          </TranscriptScroller>
        </>
      )}
    </main>
  );
}
