import { useEffect, useRef, useState } from 'preact/hooks';
import { LevelMeter } from '@/components/level-meter';
import { StatusLine } from '@/components/status-line';
import { TranscriptList } from '@/components/transcript-list';
import { useSessionState } from '@/components/use-session-state';
import { useTranscript } from '@/components/use-transcript';
import { transcriptToPlainText } from '@/lib/transcript/export-text';

export function SidePanelApp() {
  const state = useSessionState();
  const transcript = useTranscript();
  const [copyStatus, setCopyStatus] = useState('');
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [transcript]);

  async function copy() {
    const text = transcriptToPlainText(transcript);
    if (!text.trim()) {
      setCopyStatus('Nothing to copy yet');
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      setCopyStatus('Copied');
    } catch (error) {
      setCopyStatus(`Could not copy: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return (
    <main class="panel-main">
      <header class="panel-header">
        <h1>Transcript</h1>
        <StatusLine state={state} />
        <button type="button" class="secondary" data-testid="copy" onClick={() => void copy()}>
          Copy
        </button>
      </header>
      {(state.phase === 'live' || state.phase === 'connecting') && <LevelMeter />}
      <p class="copy-status" data-testid="copy-status" role="status" aria-live="polite">
        {copyStatus}
      </p>
      <div class="transcript" ref={scroller}>
        <TranscriptList transcript={transcript} />
      </div>
    </main>
  );
}
