/**
 * "Start captions when I open this site" (lib/auto-start-sites.ts): when a page of a listed site
 * finishes loading in a tab, captions start there with the source the user last started.
 *
 * What Chrome allows without a click: the microphone, once the user has allowed it for Captionist,
 * starts from the background alone. A tab's audio does not: tabCapture.getMediaStreamId refuses
 * any tab the user did not invoke the extension on ("Extension has not been invoked for the current
 * page", seen in Chromium 156 with the site's host permission granted). For a tab or a meeting the
 * start is still tried (it costs nothing and says why it failed in the popup), and the tab's
 * toolbar button then invites the user: its badge and tooltip say Alt+Shift+O starts captions, a
 * key press that Chrome counts as invoking the extension on the tab.
 */
import { capturesTab, type CaptureSource, type StartResult } from '../contract/messages';
import { siteOf } from '../auto-start-sites';
import { badgeFor } from './badge';

export interface AutoStartDeps {
  /** The listed sites (origins). */
  sites(): Promise<readonly string[]>;
  /** A session runs (or is starting or stopping): a page load never takes it over. */
  sessionBusy(): Promise<boolean>;
  /** The source to start: the last one started, else the Options default (lib/background/last-source.ts). */
  startingSource(): Promise<CaptureSource>;
  start(source: CaptureSource, tabId: number): Promise<StartResult>;
  /** Shows on the tab's toolbar button that a key press (Alt+Shift+O) starts its captions. */
  inviteKeyPress(tabId: number): Promise<void>;
}

export type AutoStartOutcome = 'not-listed' | 'busy' | 'started' | 'needs-key-press' | 'failed';

/** Called on every tab update; acts on a listed site's page that just finished loading. */
export async function autoStartOnLoad(deps: AutoStartDeps, tabId: number, change: { status?: string }, url: string | undefined): Promise<AutoStartOutcome | null> {
  if (change.status !== 'complete') return null;
  const site = siteOf(url);
  if (site === null || !(await deps.sites()).includes(site)) return 'not-listed';
  if (await deps.sessionBusy()) return 'busy';
  const source = await deps.startingSource();
  const result = await deps.start(source, tabId);
  if (result.ok) return 'started';
  if (capturesTab(source) && result.error.code === 'tab-not-capturable') {
    await deps.inviteKeyPress(tabId);
    return 'needs-key-press';
  }
  return 'failed';
}

/** Orange, not the live badge's red: nothing is captured yet. */
const INVITE_BADGE = { text: '▶', color: '#7a4a00' };

/**
 * The invitation on one tab's toolbar button (Chrome shows a tab's own badge and tooltip over the
 * global ones, until the tab navigates). `title` says what to press.
 */
export async function showInvitation(action: TabAction, tabId: number, title: string): Promise<void> {
  await action.setBadgeText({ tabId, text: INVITE_BADGE.text });
  await action.setBadgeBackgroundColor({ tabId, color: INVITE_BADGE.color });
  await action.setTitle({ tabId, title });
}

/**
 * Captions started on the tab: its badge text goes back to the global one (no `text` clears a
 * tab's own), in the live badge's colour (lib/background/badge.ts) since the session now runs,
 * and its tooltip to the product name.
 */
export async function clearInvitation(action: TabAction, tabId: number, name: string): Promise<void> {
  await action.setBadgeText({ tabId });
  await action.setBadgeBackgroundColor({ tabId, color: badgeFor('live').color ?? INVITE_BADGE.color });
  await action.setTitle({ tabId, title: name });
}

/** The parts of browser.action used per tab. */
export interface TabAction {
  setBadgeText(details: { tabId: number; text?: string }): Promise<void>;
  setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
  setTitle(details: { tabId: number; title: string }): Promise<void>;
}
