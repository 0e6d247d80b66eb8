/**
 * A fresh install opens the welcome (the Options page at #welcome, components/first-run.tsx): the
 * extension cannot caption anything until a proxy is set up, and nothing else would say so until
 * Start fails. An update or a browser start opens nothing: the user has seen it, or chose Options.
 */
import type { CaptureSource } from '../contract/messages';

/** The path of the welcome inside the extension (components/first-run.tsx WELCOME_HASH). */
export const WELCOME_PATH = '/options.html#welcome';

/** The sample a new user captions right after setup (entrypoints/sample/). */
export const SAMPLE_PAGE_PATH = '/sample.html';

/** runtime.onInstalled's details, as far as this needs them. */
export interface InstalledDetails {
  reason: string;
}

/** Opens the welcome for an install only; an update, a Chrome update or a shared module's install opens nothing. */
export async function welcomeOnInstall(details: InstalledDetails, openTab: (path: typeof WELCOME_PATH) => Promise<unknown>): Promise<boolean> {
  if (details.reason !== 'install') return false;
  await openTab(WELCOME_PATH);
  return true;
}

/**
 * Whether `url` is the extension's own sample page (`extensionOrigin` is runtime.getURL('')):
 * the one extension page a session may capture, since the user opened it to try Captionist.
 */
export function isSamplePage(url: string, extensionOrigin: string): boolean {
  try {
    // Not URL.origin: it is "null" for chrome-extension:// and moz-extension:// URLs.
    const parsed = new URL(url);
    const own = new URL(extensionOrigin);
    return parsed.protocol === own.protocol && parsed.host === own.host && parsed.pathname === SAMPLE_PAGE_PATH;
  } catch {
    return false;
  }
}

/**
 * The source a start on `tabUrl` begins from: the sample page is there to be captured as a tab,
 * whatever the user last started (a microphone user trying the sample would otherwise caption the room).
 */
export function sourceForTab(tabUrl: string | undefined, extensionOrigin: string, source: CaptureSource): CaptureSource {
  return tabUrl !== undefined && isSamplePage(tabUrl, extensionOrigin) ? 'tab' : source;
}
