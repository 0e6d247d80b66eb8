import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import type { SessionPhase, SessionState } from '@/lib/contract/messages';
import { captionLines } from '@/lib/overlay/caption-lines';
import { onTabPush } from '@/lib/contract/messaging';
import { CaptionsOverlay, type OverlayNotice } from './captions-overlay';
import { OverlayLiveRegion } from './overlay-live-region';
import { useOverlayAppearance, useOverlayHidden, useOverlayPlacement, useSpeakerNames, useViewport } from './overlay-preferences';
import { useOverlaySession, type OverlaySessionSource } from './overlay-session';

/** After captions stop, the last lines stay this long so the end of a sentence can be read. */
export const LINGER_AFTER_STOP_MS = 8_000;
/**
 * Dispatched on `showRequests` by a second injection: captions started again on this tab (a new
 * session, which shows hidden captions by itself), or the background re-injecting after a
 * same-site navigation the page handled itself (which must not show captions the user hid).
 */
export const SHOW_EVENT = 'captionist:show';

export interface OverlayAppProps {
  /** overlaySiteKey(location.href): where this site's position is remembered. */
  site: string;
  /**
   * Where a second injection asks for SHOW_EVENT: the content script's own object, not the host
   * element, which the page can reach and dispatch events on.
   */
  showRequests: EventTarget;
  /** The session, followed since before the first render (connectOverlaySession). */
  source: OverlaySessionSource;
}

/** The overlay in one page: the session's captions in the box, plus the screen-reader region. */
export function OverlayApp({ site, showRequests, source }: OverlayAppProps) {
  const [appearance, setAppearance, appearanceReady] = useOverlayAppearance();
  const [placement, setPlacement, placementReady] = useOverlayPlacement(site);
  const viewport = useViewport();
  const session = useOverlaySession(source);
  const names = useSpeakerNames(session.sessionStartedAt);
  source.setNames(names);
  const shown = useShownForPhase(session.state.phase);
  const [hidden, setHidden, hiddenReady] = useOverlayHidden(session.sessionStartedAt);
  // The listeners below are added once; they act on the newest render's values.
  const latest = useRef({ hidden, setHidden, sessionStartedAt: session.sessionStartedAt });
  latest.current = { hidden, setHidden, sessionStartedAt: session.sessionStartedAt };

  const [focusRequest, setFocusRequest] = useState(false);

  useEffect(
    () =>
      onTabPush((push) => {
        const { hidden: was, setHidden: set } = latest.current;
        if (push.type === 'tab/overlay-toggle') set(push.visible === undefined ? !was : !push.visible);
        if (push.type !== 'tab/overlay-focus') return;
        // Hidden captions are shown first: focus on something unseen would be lost.
        if (was) set(false);
        setFocusRequest(true);
      }),
    [],
  );
  useEffect(() => {
    const show = () => {
      // Hidden for a session stays so; hidden before any session was known was for this page.
      if (latest.current.sessionStartedAt === null) latest.current.setHidden(false);
      source.refresh();
    };
    showRequests.addEventListener(SHOW_EVENT, show);
    return () => showRequests.removeEventListener(SHOW_EVENT, show);
  }, [showRequests, source]);

  if (hidden || !shown || !appearanceReady || !placementReady || !hiddenReady) return null;
  const lines = captionLines(session.transcript, appearance.lines, names);
  return (
    <>
      <CaptionsOverlay
        lines={lines}
        notice={noticeFor(session.state)}
        placeholder={placeholderFor(session.state.phase)}
        appearance={appearance}
        placement={placement}
        viewport={viewport}
        onAppearance={setAppearance}
        onPlacement={setPlacement}
        onHide={() => setHidden(true)}
        ended={session.state.phase === 'idle'}
        focusRequested={focusRequest}
        onFocused={() => setFocusRequest(false)}
      />
      <OverlayLiveRegion announcements={session.announcements} />
    </>
  );
}

function noticeFor(state: SessionState): OverlayNotice | null {
  if (state.phase === 'error') return { text: state.error?.message ?? t('overlayStopped'), kind: 'error' };
  // While reconnecting, the error says who failed (lib/listen/close-codes.ts), not only "Connecting…".
  const text = state.warning ?? state.error?.message;
  return text ? { text, kind: 'warning' } : null;
}

function placeholderFor(phase: SessionPhase): string | null {
  if (phase === 'starting' || phase === 'connecting') return t('overlayConnecting');
  if (phase === 'live') return t('overlayListening');
  return null;
}

/** Shown while a session runs (or failed); after a stop, for LINGER_AFTER_STOP_MS more. */
function useShownForPhase(phase: SessionPhase): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (phase !== 'idle') {
      setShown(true);
      return undefined;
    }
    const timer = setTimeout(() => setShown(false), LINGER_AFTER_STOP_MS);
    return () => clearTimeout(timer);
  }, [phase]);
  return shown;
}
