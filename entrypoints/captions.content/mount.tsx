import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CaptionsOverlay } from '@/components/captions-overlay';
import { CAPTIONS_OVERLAY_CSS } from '@/components/captions-overlay-styles';
import { useTranscript } from '@/components/use-transcript';
import { onMessage } from '@/lib/runtime-client';
import { captionLines } from '@/lib/overlay/caption-lines';

const HOST_TAG = 'captionist-overlay';
const MAX_LINES = 3;

export function mountCaptionsOverlay(): void {
  if (document.querySelector(HOST_TAG)) return; // a second start re-injects; keep one overlay
  const host = document.createElement(HOST_TAG);
  const shadow = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CAPTIONS_OVERLAY_CSS);
  shadow.adoptedStyleSheets = [sheet];
  const root = document.createElement('div');
  shadow.append(root);
  document.documentElement.append(host);
  render(<OverlayApp />, root);
}

function OverlayApp() {
  const transcript = useTranscript();
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(
    () =>
      onMessage((message) => {
        if (message.type === 'session/state') {
          setNotice(message.state.phase === 'error' ? message.state.error?.message ?? 'Captions stopped.' : null);
        }
        return undefined;
      }),
    [],
  );
  return <CaptionsOverlay lines={captionLines(transcript, MAX_LINES)} notice={notice} />;
}
