import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { openWelcome, PopupSetupNote, setupNeeded } from '@/components/first-run';
import { AutoStartSwitch } from '@/components/auto-start-sites';
import { InputLevels } from '@/components/input-levels';
import { localEngineNotice, noteBesidesError, noteFromCheck, ProxyNoteView, type ProxyNote } from '@/components/popup-proxy-note';
import { sourceLabel } from '@/components/source-label';
import { StatusLine } from '@/components/status-line';
import { pageSessionFeed, useSessionFeed } from '@/components/use-session-feed';
import { IS_FIREFOX } from '@/lib/browser-kind';
import { openFirefoxSidebar } from '@/lib/firefox-sidebar';
import { t } from '@/lib/i18n';
import { siteOf } from '@/lib/auto-start-sites';
import { sourceForTab } from '@/lib/background/first-run';
import { shortcutCaptureSource } from '@/lib/background/last-source';
import { CAPTURE_SOURCES, type CaptureSource, type UserFacingError } from '@/lib/contract/messages';
import { askBackground } from '@/lib/contract/messaging';
import { canStopSession } from '@/lib/contract/session-phase';
import { hiddenForSession } from '@/lib/overlay-settings';
import { loadOverlayHiddenSession, watchOverlayHiddenSession } from '@/lib/overlay-store';
import { quickCheck } from '@/lib/connection-test';
import { loadConnectionCheck, loadSettings, saveConnectionCheck } from '@/lib/storage';

/** Firefox cannot capture a tab (no tabCapture): the microphone is its only source. */
const OFFERED_SOURCES: readonly CaptureSource[] = IS_FIREFOX ? ['mic'] : CAPTURE_SOURCES;

export function PopupApp() {
  // The state only: the popup shows no transcript.
  const { state } = useSessionFeed(pageSessionFeed({ followTranscript: false }));
  // Null until storage says which source to offer (lib/background/last-source.ts): the choice
  // must not flash "This tab" first, nor take a click that the stored choice would then undo.
  const [source, setSource] = useState<CaptureSource | null>(null);
  const [startError, setStartError] = useState<UserFacingError | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<ProxyNote | null>(null);
  const [setup, setSetup] = useState(false);
  /** The active tab's site, when captions could start there by themselves (http or https). */
  const [site, setSite] = useState<string | null>(null);
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
  // The source Alt+Shift+O would start (the last one started, else the Options default); never fails.
  useEffect(() => {
    let alive = true;
    void Promise.all([shortcutCaptureSource(), browser.tabs.query({ active: true, currentWindow: true }).catch(() => [])]).then(([last, [tab]]) => {
      // On the sample page, its tab (lib/background/first-run.ts).
      const offered = sourceForTab(tab?.url, browser.runtime.getURL('/'), last);
      if (alive) setSource(OFFERED_SOURCES.includes(offered) ? offered : 'mic');
      if (alive) setSite(siteOf(tab?.url));
    });
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

  async function start(chosen: CaptureSource) {
    setBusy(true);
    setStartError(null);
    try {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      const answer = await askBackground({ type: 'session/start', source: chosen, tabId: tab?.id ?? null });
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
    // Firefox opens its sidebar only inside the click's handler: before any await.
    if (IS_FIREFOX) return openFirefoxSidebar();
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
      <fieldset class="source" disabled={running || busy || shownSource === null}>
        <legend>{t('popupSourceLegend')}</legend>
        {OFFERED_SOURCES.map((choice) => (
          <label key={choice}>
            <input type="radio" name="source" value={choice} checked={shownSource === choice} onChange={() => setSource(choice)} />
            {sourceLabel(choice)}
          </label>
        ))}
        {IS_FIREFOX && (
          <p class="source-note" data-testid="source-note">
            {t('firefoxPopupNoTabCapture')}
          </p>
        )}
      </fieldset>
      {!running && shownSource === 'tab-and-mic' && (
        <p class="meeting-hint" data-testid="meeting-hint">
          {t('popupMeetingHint')}
        </p>
      )}
      {running ? (
        <button type="button" class="primary danger" data-testid="stop" disabled={busy} onClick={() => void stop()}>
          {t('popupStop')}
        </button>
      ) : (
        <button
          type="button"
          class="primary"
          data-testid="start"
          disabled={busy || state.phase === 'stopping' || source === null}
          onClick={() => {
            if (source) void start(source);
          }}
        >
          {t('popupStart')}
        </button>
      )}
      <StatusLine state={shown} onOpenSettings={openSettings} />
      {running && <InputLevels source={state.source} singleCaption />}
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
      {site !== null && <AutoStartSwitch site={site} />}
      <nav class="links" aria-label={t('popupLinksLabel')}>
        <button type="button" class="link" data-testid="open-transcript" onClick={() => void openTranscript()}>
          {t('popupOpenTranscript')}
        </button>
        <button type="button" class="link" data-testid="getting-started" onClick={openWelcome}>
          {t('popupGettingStarted')}
        </button>
        <button type="button" class="link" data-testid="open-settings" onClick={openSettings}>
          {t('popupSettings')}
        </button>
      </nav>
    </main>
  );
}
