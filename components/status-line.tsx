/**
 * The session's status in words: what is happening, for how long, and when something went wrong,
 * why and what to do. Used by the popup and the side panel.
 */
import { useEffect, useState } from 'preact/hooks';
import { browserMessage } from '@/lib/browser-kind';
import { t, type MessageKey } from '@/lib/i18n';
import type { ErrorCode, SessionState } from '@/lib/contract/messages';
import { isCapturingAudio } from '@/lib/contract/session-phase';

/** What the status line shows; `status` also goes to data-status (data-phase keeps the raw phase). */
export interface StatusView {
  status: 'idle' | 'starting' | 'connecting' | 'reconnecting' | 'live' | 'stopping' | 'error';
  label: string;
  /** The server's or the browser's reason, when there is one. */
  reason: string | null;
  /** What the user can do about an error. */
  advice: string | null;
  /** Where the fix is, for a button next to the advice. */
  action: 'settings' | null;
  /** h:mm:ss or m:ss since capture began, while capturing. */
  elapsed: string | null;
}

const ADVICE: Partial<Record<ErrorCode, MessageKey>> = {
  'no-proxy-configured': 'popupAdviceSettings',
  'invalid-proxy-url': 'popupAdviceSettings',
  'tab-not-capturable': 'popupAdviceTab',
  'mic-permission-needed': 'popupAdviceMicNeeded',
  'mic-permission-denied': browserMessage('popupAdviceMicDenied', 'firefoxPopupAdviceMicDenied'),
  'capture-failed': 'popupAdviceCapture',
  'proxy-unreachable': 'popupAdviceUnreachable',
  'proxy-rejected': 'popupAdviceRejected',
  'proxy-closed': 'popupAdviceClosed',
  'already-running': 'popupAdviceRunning',
  'tab-navigated': 'popupAdviceTabNavigated',
  'tab-closed': 'popupAdviceTabClosed',
  'extension-updated': 'popupAdviceUpdated',
  internal: browserMessage('popupAdviceInternal', 'firefoxPopupAdviceInternal'),
};

const SETTINGS_ERRORS: ReadonlySet<ErrorCode> = new Set(['no-proxy-configured', 'invalid-proxy-url', 'proxy-unreachable', 'proxy-rejected']);

/** 65 s -> "1:05", 3725 s -> "1:02:05". */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function describeStatus(state: SessionState, now: number): StatusView {
  const capturing = isCapturingAudio(state);
  const elapsed = capturing && state.startedAt !== null ? formatElapsed(now - state.startedAt) : null;
  const base = { reason: null, advice: null, action: null, elapsed } satisfies Partial<StatusView>;
  switch (state.phase) {
    case 'starting':
      return { ...base, status: 'starting', label: t('popupStatusStarting') };
    case 'connecting':
      // An error while connecting means the connection was lost and is being retried.
      return state.error
        ? { ...base, status: 'reconnecting', label: t('popupStatusReconnecting'), reason: state.error.message, advice: t('popupAdviceReconnecting') }
        : { ...base, status: 'connecting', label: t('popupStatusConnecting') };
    case 'live':
      return { ...base, status: 'live', label: t('popupStatusLive') };
    case 'stopping':
      return { ...base, status: 'stopping', label: t('popupStatusStopping') };
    case 'error':
    case 'idle': {
      if (!state.error) return { ...base, status: 'idle', label: t('popupStatusIdle') };
      const advice = ADVICE[state.error.code];
      return {
        ...base,
        status: 'error',
        label: t('popupStatusStopped'),
        reason: state.error.message,
        advice: advice ? t(advice) : null,
        action: SETTINGS_ERRORS.has(state.error.code) ? 'settings' : null,
      };
    }
  }
}

/** The current time, re-read every second while `ticking`. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

export interface StatusLineProps {
  state: SessionState;
  /** Shows an "Open settings" button beside advice that points there. */
  onOpenSettings?: () => void;
}

export function StatusLine({ state, onOpenSettings }: StatusLineProps) {
  const now = useNow(isCapturingAudio(state));
  const view = describeStatus(state, now);
  return (
    <div class={`status-block status-${view.status}`}>
      <div class="status-row">
        <p class={`status status-${state.phase}`} data-testid="status" data-phase={state.phase} data-status={view.status} role="status">
          <span class="status-dot" aria-hidden="true" />
          <span class="status-label">{view.label}</span>
          {view.reason && <span class="status-reason">{view.reason}</span>}
          {state.warning && (
            <span class="status-warning" data-testid="warning">
              {state.warning}
            </span>
          )}
        </p>
        {/* Outside the live region: a clock read out every second would drown everything else. */}
        {view.elapsed && (
          <span class="status-elapsed" data-testid="elapsed" title={t('popupElapsedLabel')}>
            <span class="visually-hidden">{t('popupElapsedLabel')} </span>
            {view.elapsed}
          </span>
        )}
      </div>
      {view.advice && (
        <p class="status-advice" data-testid="status-advice">
          {view.advice}
          {view.action === 'settings' && onOpenSettings && (
            <>
              {' '}
              <button type="button" class="link" onClick={onOpenSettings}>
                {t('popupOpenSettings')}
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
