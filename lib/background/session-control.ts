/**
 * Start and stop, as the background decides them. Browser calls are injected so the rules can be
 * tested in Node; entrypoints/background.ts supplies the real ones.
 */
import type { CaptureSource, Message, Responses, SessionState, UserFacingError } from '../messages';
import { checkProxyUrl, type Settings } from '../settings';
import { tabCaptureError } from './capture-errors';

export interface SessionControlDeps {
  loadSettings(): Promise<Settings>;
  getTabStreamId(tabId: number): Promise<string>;
  /** Shows the overlay on the tab; false when the page does not allow it (chrome:// etc.). */
  injectOverlay(tabId: number): Promise<boolean>;
  ensureOffscreen(): Promise<void>;
  closeOffscreen(): Promise<void>;
  /** Sends to the offscreen document and returns its answer (undefined when it is not there). */
  askOffscreen(message: Message): Promise<unknown>;
  openMicPermissionPage(tabId: number | null): Promise<void>;
  rememberCaptureTab(tabId: number | null): Promise<void>;
}

export type StartResult = Responses['session/start'];

function fail(error: UserFacingError): StartResult {
  return { ok: false, error };
}

export async function startSession(
  deps: SessionControlDeps,
  source: CaptureSource,
  tabId: number | null,
): Promise<StartResult> {
  const current = (await deps.askOffscreen({ type: 'session/get' })) as SessionState | undefined;
  if (current && (current.phase === 'live' || current.phase === 'connecting' || current.phase === 'starting')) {
    return fail({ code: 'already-running', message: 'Captions are already running. Stop them first.' });
  }

  const settings = await deps.loadSettings();
  const proxy = checkProxyUrl(settings.proxyUrl);
  if (!proxy.ok) {
    return fail({ code: settings.proxyUrl.trim() ? 'invalid-proxy-url' : 'no-proxy-configured', message: proxy.message });
  }
  if (source === 'tab' && tabId === null) {
    return fail({ code: 'tab-not-capturable', message: 'There is no tab to capture. Open the page with the audio first.' });
  }

  let streamId: string | null = null;
  if (source === 'tab' && tabId !== null) {
    try {
      streamId = await deps.getTabStreamId(tabId);
    } catch (error) {
      return fail(tabCaptureError(error));
    }
  }

  if (tabId !== null) await deps.injectOverlay(tabId);
  await deps.ensureOffscreen();
  await deps.rememberCaptureTab(tabId);
  const answer = (await deps.askOffscreen({ type: 'offscreen/start', source, tabId, streamId, settings })) as
    | StartResult
    | undefined;
  if (!answer) {
    await deps.rememberCaptureTab(null);
    return fail({ code: 'internal', message: 'The capture page did not answer. Try again; if it persists, reload the extension.' });
  }
  if (!answer.ok) {
    await deps.rememberCaptureTab(null);
    if (answer.error.code === 'mic-permission-needed') await deps.openMicPermissionPage(tabId);
  }
  return answer;
}

export async function stopSession(deps: SessionControlDeps): Promise<void> {
  await deps.askOffscreen({ type: 'offscreen/stop' });
  await deps.rememberCaptureTab(null);
}
