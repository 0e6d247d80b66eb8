/**
 * The toolbar button's global badge and tooltip, set from a session phase. What they say is
 * decided in badge.ts; this writes it to the browser. (A tab's own badge, the per-site start's
 * invitation, is auto-start.ts's.)
 */
import type { SessionState } from '../contract/messages';
import { t } from '../i18n';
import { actionTitleFor, badgeFor } from './badge';

/** The parts of browser.action the global badge uses. */
export interface ToolbarAction {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
  setTitle(details: { title: string }): Promise<void>;
}

/** Badge for the phase; the tooltip says why captions stopped when `state` ended in an error. */
export async function showPhase(action: ToolbarAction, phase: SessionState['phase'], state?: SessionState): Promise<void> {
  const badge = badgeFor(phase);
  await action.setBadgeText({ text: badge.text });
  if (badge.color) await action.setBadgeBackgroundColor({ color: badge.color });
  await action.setTitle({ title: actionTitleFor(t('extName'), state) });
}
