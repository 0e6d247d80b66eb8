import type { SessionPhase, SessionState } from '../contract/messages';
import { t } from '../i18n';

/**
 * The toolbar badge: visible exactly while audio may be leaving the browser. An ended session
 * leaves no badge behind (a stuck "ON" or "!" would say something untrue); why it ended is in
 * the session state, which the popup, side panel and the tooltip show.
 */
export function badgeFor(phase: SessionPhase): { text: string; color: string | null } {
  switch (phase) {
    case 'live':
      return { text: t('badgeLive'), color: '#b3261e' };
    case 'starting':
    case 'connecting':
    case 'stopping':
      return { text: '…', color: '#6b6b6b' };
    case 'error':
    case 'idle':
      return { text: '', color: null };
  }
}

/** The toolbar tooltip: the product name, and why captions stopped when they stopped on their own. */
export function actionTitleFor(name: string, ended: SessionState | undefined): string {
  const reason = ended?.phase === 'error' ? ended.error?.message : undefined;
  return reason ? `${name}: ${reason}` : name;
}
