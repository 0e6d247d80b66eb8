import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { LevelMeter } from '@/components/level-meter';
import { StatusLine } from '@/components/status-line';
import { useSessionState } from '@/components/use-session-state';
import type { CaptureSource, UserFacingError } from '@/lib/messages';
import { request } from '@/lib/runtime-client';

export function PopupApp() {
  const state = useSessionState();
  const [source, setSource] = useState<CaptureSource>('tab');
  const [startError, setStartError] = useState<UserFacingError | null>(null);
  const [busy, setBusy] = useState(false);
  const running = state.phase === 'live' || state.phase === 'connecting' || state.phase === 'starting';

  async function start() {
    setBusy(true);
    setStartError(null);
    try {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      const answer = await request({ type: 'session/start', source, tabId: tab?.id ?? null });
      if (!answer) setStartError({ code: 'internal', message: 'The extension did not answer. Reload it and try again.' });
      else if (!answer.ok) setStartError(answer.error);
    } finally {
      setBusy(false);
    }
  }

  async function stop() {
    setBusy(true);
    try {
      await request({ type: 'session/stop' });
    } finally {
      setBusy(false);
    }
  }

  async function openTranscript() {
    const win = await browser.windows.getCurrent();
    if (win.id !== undefined) await browser.sidePanel.open({ windowId: win.id });
  }

  const shown = startError ? { ...state, phase: 'error' as const, error: startError } : state;
  return (
    <main class="popup-main">
      <h1 class="brand">Captionist</h1>
      <fieldset class="source" disabled={running || busy}>
        <legend>Caption</legend>
        <label>
          <input type="radio" name="source" value="tab" checked={source === 'tab'} onChange={() => setSource('tab')} />
          This tab
        </label>
        <label>
          <input type="radio" name="source" value="mic" checked={source === 'mic'} onChange={() => setSource('mic')} />
          Microphone
        </label>
      </fieldset>
      {running ? (
        <button type="button" class="primary danger" data-testid="stop" disabled={busy} onClick={() => void stop()}>
          Stop captions
        </button>
      ) : (
        <button type="button" class="primary" data-testid="start" disabled={busy} onClick={() => void start()}>
          Start captions
        </button>
      )}
      <StatusLine state={shown} />
      {running && <LevelMeter />}
      <nav class="links">
        <button type="button" class="link" onClick={() => void openTranscript()}>
          Open transcript
        </button>
        <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
          Settings
        </button>
      </nav>
    </main>
  );
}
