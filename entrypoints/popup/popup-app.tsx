import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PopupSetupNote, setupNeeded } from '@/components/first-run';
import { LevelMeter } from '@/components/level-meter';
import { localEngineNotice, noteBesidesError, noteFromCheck, ProxyNoteView, type ProxyNote } from '@/components/popup-proxy-note';
import { StatusLine } from '@/components/status-line';
import { pageSessionFeed, useSessionFeed } from '@/components/use-session-feed';
import { t } from '@/lib/i18n';
import type { CaptureSource, UserFacingError } from '@/lib/contract/messages';
import { askBackground } from '@/lib/contract/messaging';
import { canStopSession } from '@/lib/contract/session-phase';
import { hiddenForSession } from '@/lib/overlay-settings';
import { loadOverlayHiddenSession, watchOverlayHiddenSession } from '@/lib/overlay-store';
import { quickCheck } from '@/lib/connection-test';
import { loadConnectionCheck, loadSettings, saveConnectionCheck } from '@/lib/storage';

export function PopupApp() {
  // The state only: the popup shows no transcript.
  const { state } = useSessionFeed(pageSessionFeed({ followTranscript: false }));
  const [source, setSource] = useState<CaptureSource>('tab');
  const [startError, setStartError] = useState<UserFacingError | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<ProxyNote | null>(null);
  const [setup, setSetup] = useState(false);
  // Running and not already stopping: Stop is offered, and the source is the session's.
  const running = canStopSession(state);

  useEffect(() => {
    let alive = true;
    // Read through a call: the cleanup sets `alive` while the awaits below are pending, which type narrowing cannot see.
    const stillMounted = () => alive;
    void (async () => {
      const [settings, check] = await Promise.all([loadSettings(), loadConnectionCheck()]);
      if (!stillMounted()) return;
      if (localEngineNotice(settings.proxyUrl, check)) setNote({ kind: 'local-engine' });
      setSetup(setupNeeded(check, undefined));
      // Ask the proxy itself (HTTP only, no stream): the engine, or a refusal Start would meet.
      const fresh = await quickCheck(settings, (url, init) => fetch(url, init));
      if (!stillMounted()) return;
      setSetup(setupNeeded(check, fresh));
      if (!fresh) return;
      // Saved only when it is news: a passing check clears the last session's error (lib/background/session-control.ts
      // clearEndedError), and merely opening the popup must not wipe why a session failed.
      if (fresh.ok && !(check?.ok === true && check.proxyUrl === settings.proxyUrl && check.engine === fresh.engine)) {
        await saveConnectionCheck({ proxyUrl: settings.proxyUrl, ok: true, engine: fresh.engine, checkedAt: Date.now() });
      }
      setNote(noteFromCheck(fresh));
    })();
    return () => {
      alive = false;
    };
  }, []);
  // Captions the user hid on the page stay hidden for the session; this is one way back.
  const [hiddenSession, setHiddenSession] = useState<number | null>(null);
  useEffect(() => {
    void loadOverlayHiddenSession().then(setHiddenSession, () => undefined);
    return watchOverlayHiddenSession(setHiddenSession);
  }, []);
  const captionsHidden = running && hiddenForSession(hiddenSession, state.startedAt);
  // While a session runs, the source shown is the one it captures.
  const shownSource = running && state.source ? state.source : source;

  async function start() {
    setBusy(true);
    setStartError(null);
    try {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      const answer = await askBackground({ type: 'session/start', source, tabId: tab?.id ?? null });
      if (!answer) setStartError({ code: 'internal', message: t('popupNoAnswer') });
      else if (!answer.ok) setStartError(answer.error);
    } catch (error) {
      setStartError({ code: 'internal', message: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  }

  async function stop() {
    setBusy(true);
    try {
      await askBackground({ type: 'session/stop' });
    } finally {
      setBusy(false);
    }
  }

  async function openTranscript() {
    const win = await browser.windows.getCurrent();
    if (win.id !== undefined) await browser.sidePanel.open({ windowId: win.id });
  }

  const openSettings = () => void browser.runtime.openOptionsPage();
  const shown = startError && !running ? { ...state, phase: 'error' as const, error: startError } : state;
  const shownNote = noteBesidesError(note, shown.error);
  return (
    <main class="popup-main">
      <header class="popup-header">
        <h1 class="brand">
          <img src="/icon/32.png" alt="" width={20} height={20} />
          {t('extName')}
        </h1>
      </header>
      <fieldset class="source" disabled={running || busy}>
        <legend>{t('popupSourceLegend')}</legend>
        <label>
          <input type="radio" name="source" value="tab" checked={shownSource === 'tab'} onChange={() => setSource('tab')} />
          {t('popupSourceTab')}
        </label>
        <label>
          <input type="radio" name="source" value="mic" checked={shownSource === 'mic'} onChange={() => setSource('mic')} />
          {t('popupSourceMic')}
        </label>
      </fieldset>
      {running ? (
        <button type="button" class="primary danger" data-testid="stop" disabled={busy} onClick={() => void stop()}>
          {t('popupStop')}
        </button>
      ) : (
        <button type="button" class="primary" data-testid="start" disabled={busy || state.phase === 'stopping'} onClick={() => void start()}>
          {t('popupStart')}
        </button>
      )}
      <StatusLine state={shown} onOpenSettings={openSettings} />
      {running && (
        <div class="level-row">
          <span class="level-caption" aria-hidden="true">
            {t('popupLevelLabel')}
          </span>
          <LevelMeter />
        </div>
      )}
      {captionsHidden && (
        <p class="hidden-note" data-testid="captions-hidden">
          {t('popupCaptionsHidden')}{' '}
          <button type="button" class="link" data-testid="show-captions" onClick={() => void askBackground({ type: 'overlay/toggle', visible: true })}>
            {t('popupShowCaptions')}
          </button>
        </p>
      )}
      {/* A refusal from the proxy says more than "set up first": it stays. */}
      {setup && !running && shownNote?.kind !== 'problem' ? <PopupSetupNote /> : shownNote && <ProxyNoteView note={shownNote} onOpenSettings={openSettings} />}
      <nav class="links" aria-label={t('popupLinksLabel')}>
        <button type="button" class="link" data-testid="open-transcript" onClick={() => void openTranscript()}>
          {t('popupOpenTranscript')}
        </button>
        <button type="button" class="link" data-testid="open-settings" onClick={openSettings}>
          {t('popupSettings')}
        </button>
      </nav>
    </main>
  );
}
