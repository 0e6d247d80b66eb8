/**
 * Firefox's sidebar (sidebar_action in the manifest, built by WXT from entrypoints/sidepanel/):
 * the side panel's counterpart. wxt/browser describes Chrome's APIs only, so the one call used is
 * described here.
 */
import { browser } from 'wxt/browser';

interface FirefoxSidebarAction {
  /** Firefox accepts it only while handling a user action (a click in the popup). */
  open(): Promise<void>;
}

export async function openFirefoxSidebar(): Promise<void> {
  const sidebar = (browser as unknown as { sidebarAction?: FirefoxSidebarAction }).sidebarAction;
  if (!sidebar) throw new Error('This browser has no sidebarAction');
  await sidebar.open();
}
