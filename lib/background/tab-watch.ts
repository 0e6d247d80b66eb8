/**
 * What a change to the captured tab means for the session (a privacy rule): a tab capture (alone or
 * in a meeting) ends when the tab leaves the site it was started on. Audio from another site was never agreed to.
 *
 * The extension has no `tabs` permission: it sees the tab's URL only through the activeTab grant
 * the user's click gave it, and Chrome withdraws that grant when the tab goes to another origin.
 * So "the URL is no longer visible on a new navigation" also means the tab left the site.
 */
import { capturesTab } from '../contract/messages';
import { originOf } from '../persistence/session-record';
import type { BackgroundState } from './background-state';

export interface TabChange {
  url?: string;
  status?: string;
}

export type TabVerdict = 'ignore' | 'stop' | 'reinject-overlay';

export function tabUpdateVerdict(
  state: Pick<BackgroundState, 'captureTabId' | 'captureSource' | 'captureOrigin'>,
  tabId: number,
  change: TabChange,
  /** `tab.url` as the event delivered it; undefined when the extension may not see it. */
  visibleUrl: string | undefined,
): TabVerdict {
  if (state.captureTabId !== tabId || state.captureSource === null) return 'ignore';
  const url = change.url ?? visibleUrl;
  const origin = url === undefined ? null : originOf(url);
  const sameSite = origin !== null && origin === (state.captureOrigin ?? '');
  const navigating = change.url !== undefined || change.status === 'loading';

  if (capturesTab(state.captureSource) && navigating && !sameSite) return 'stop';
  // The new document has no overlay yet; the grant still covers the same site, so show it again.
  if (change.status === 'complete' && sameSite) return 'reinject-overlay';
  return 'ignore';
}
