/**
 * The per-site start's deps (AutoStartDeps, auto-start.ts) from the browser and the session.
 */
import { IS_FIREFOX } from '../browser-kind';
import { autoStartSitesItem } from '../contract/storage/items';
import { isSessionRunning } from '../contract/session-phase';
import { t } from '../i18n';
import { showInvitation, type AutoStartDeps, type TabAction } from './auto-start';
import type { BackgroundSession } from './background-session';
import { shortcutCaptureSource } from './last-source';
import { currentState } from './session-control';

export function browserAutoStart(action: TabAction, session: BackgroundSession): AutoStartDeps {
  return {
    sites: () => autoStartSitesItem.getValue(),
    sessionBusy: async () => isSessionRunning(await currentState(session.deps)),
    // Firefox has no tabCapture: only the microphone can be captioned there.
    startingSource: async () => (IS_FIREFOX ? 'mic' : shortcutCaptureSource()),
    start: (source, tabId) => session.start(source, tabId),
    inviteKeyPress: (tabId) => showInvitation(action, tabId, t('autoStartInvite')),
  };
}
