/**
 * Start, stop and the end of a session, as the background decides them. Browser calls are
 * injected so the rules can be tested in Node; lib/background/browser-session-deps.ts supplies the real ones.
 *
 * Clean state on every path: a start that fails leaves no offscreen document and no badge; a
 * session that ends (user, tab closed or gone to another site, socket refused, extension update)
 * is saved by the offscreen document, which then says session/ended, and only then is the
 * document closed. What the user needs to know afterwards (why it ended) is kept in
 * storage.session, so a stopped service worker or a closed document loses nothing.
 */
import { t } from '../i18n';
import {
  capturesTab,
  IDLE_STATE,
  type CaptureSettings,
  type CaptureSource,
  type KeytermsChangeResult,
  type LineCorrection,
  type LineCorrectionResult,
  type LiveSession,
  type MessageOf,
  type OffscreenCommand,
  type OffscreenCommandType,
  type OffscreenResponses,
  type SessionState,
  type StartResult,
  type TabPush,
  type UserFacingError,
} from '../contract/messages';
import { isSessionRunning } from '../contract/session-phase';
import type { RetentionPolicy } from '../persistence/retention';
import { originOf } from '../persistence/session-record';
import { checkProxyUrl, type Settings } from '../settings';
import type { TranscriptSnapshot } from '../transcript/types';
import type { BackgroundStateStore } from './background-state';
import { isRestrictedPage, isRestrictedPageRefusal, restrictedPageError, tabCaptureError } from './capture-errors';
import { tabUpdateVerdict, type TabChange } from './tab-watch';

export interface SessionControlDeps {
  loadSettings(): Promise<Settings>;
  loadRetention(): Promise<RetentionPolicy>;
  getTabStreamId(tabId: number): Promise<string>;
  /** The tab's title and URL, when the extension may see them (the user's click grants it). */
  describeTab(tabId: number): Promise<{ title: string; url: string } | null>;
  /** Shows the overlay on the tab; Chrome's reason when the page does not allow it (chrome:// etc.). */
  injectOverlay(tabId: number): Promise<OverlayResult>;
  hasOffscreen(): Promise<boolean>;
  ensureOffscreen(): Promise<void>;
  closeOffscreen(): Promise<void>;
  /** Sends to the offscreen document and returns its answer (undefined when it is not there). */
  askOffscreen<T extends OffscreenCommandType>(message: MessageOf<OffscreenCommand, T>): Promise<OffscreenResponses[T] | undefined>;
  /** Opens the page where the user allows the microphone; it then completes this start (`source` on `tabId`). */
  openMicPermissionPage(source: CaptureSource, tabId: number | null): Promise<void>;
  state: BackgroundStateStore;
  /** The last saved transcript (for views opened when no document is open). */
  latestTranscript(): Promise<TranscriptSnapshot>;
  /** Toolbar badge and tooltip for a phase; `ended` carries why a session stopped. */
  showPhase(phase: SessionState['phase'], ended?: SessionState): Promise<void>;
  /** Sends to the captured tab's overlay (ignores tabs that cannot receive). */
  sendToTab(tabId: number, push: TabPush): void;
  /**
   * The extension's own sample page (lib/background/first-run.ts): captured like a site, though
   * an extension page, and shown without the overlay (no extension may script it; it shows its own captions).
   */
  isSamplePage?(url: string): boolean;
}


export type OverlayResult = { ok: true } | { ok: false; reason: string };

/** How long a stop may take: the socket's bounded close plus the last writes. */
const STOP_TIMEOUT_MS = 15_000;

const EMPTY_TRANSCRIPT: TranscriptSnapshot = { utterances: [], interims: [] };

function fail(error: UserFacingError): StartResult {
  return { ok: false, error };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One start, stop or end at a time within this service worker: two starts in a row must not
 * both reach the offscreen document, and a document must not be closed under a start.
 * (A module variable is fine here: Chrome does not stop a worker while it handles a message.)
 */
let lifecycle: Promise<unknown> = Promise.resolve();

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const run = lifecycle.then(work, work);
  lifecycle = run.catch(() => undefined);
  return run;
}

/** The live session's state, or how the last one ended. */
export async function currentState(deps: SessionControlDeps): Promise<SessionState> {
  if (await deps.hasOffscreen()) {
    const answer = await deps.askOffscreen({ type: 'offscreen/get-state' });
    if (answer) return answer;
  }
  return (await deps.state.load()).lastState ?? IDLE_STATE;
}

/** The live transcript while a document is open, else the last saved one. */
export async function currentTranscript(deps: SessionControlDeps): Promise<TranscriptSnapshot> {
  if (await deps.hasOffscreen()) {
    const answer = await deps.askOffscreen({ type: 'offscreen/get-transcript' });
    if (answer) return answer;
  }
  return deps.latestTranscript();
}

/**
 * A page's change of the running session's key terms, answered by the session (the server's
 * ConfigureSuccess or ConfigureFailure); refused here when no session document is open.
 */
export async function changeSessionKeyterms(deps: SessionControlDeps, keyterms: string[]): Promise<KeytermsChangeResult> {
  const answer = (await deps.hasOffscreen()) ? await deps.askOffscreen({ type: 'offscreen/keyterms', keyterms }) : undefined;
  return answer ?? { ok: false, refusedBy: 'extension', message: t('keytermsChangeNotRunning') };
}

/** A page's correction of a live line, made by the session's document; refused when none is open. */
export async function correctLiveLine(deps: SessionControlDeps, correction: LineCorrection): Promise<LineCorrectionResult> {
  const { sessionStartedAt, utteranceId, text } = correction;
  const answer = (await deps.hasOffscreen()) ? await deps.askOffscreen({ type: 'offscreen/correct', sessionStartedAt, utteranceId, text }) : undefined;
  return answer ?? { ok: false, reason: 'not-running', detail: '' };
}

/**
 * The overlay's question, from a content script in `tabId`: the session captioned on that tab, or
 * idle and empty. A content script on any other tab (any site the overlay was ever shown on) learns
 * nothing, not even the last saved transcript.
 */
export async function liveSessionFor(deps: SessionControlDeps, tabId: number): Promise<LiveSession> {
  const nothing: LiveSession = { state: IDLE_STATE, transcript: EMPTY_TRANSCRIPT };
  if ((await deps.state.load()).captureTabId !== tabId || !(await deps.hasOffscreen())) return nothing;
  const state = await deps.askOffscreen({ type: 'offscreen/get-state' });
  if (!state || !isSessionRunning(state)) return nothing;
  const transcript = (await deps.askOffscreen({ type: 'offscreen/get-transcript' })) ?? EMPTY_TRANSCRIPT;
  return { state, transcript };
}

/** What the offscreen document starts a session with, read from storage when it asks. */
export async function captureSettings(deps: SessionControlDeps): Promise<CaptureSettings> {
  const [settings, retention] = await Promise.all([deps.loadSettings(), deps.loadRetention()]);
  return { settings, retention };
}

export function startSession(deps: SessionControlDeps, source: CaptureSource, tabId: number | null): Promise<StartResult> {
  return serialized(() => start(deps, source, tabId));
}

async function start(deps: SessionControlDeps, source: CaptureSource, tabId: number | null): Promise<StartResult> {
  if (isSessionRunning(await currentState(deps))) {
    return fail({ code: 'already-running', message: t('sessionAlreadyRunning') });
  }
  const refuse = async (error: UserFacingError): Promise<StartResult> => {
    // Nothing runs after a refusal: forget the tab too, if it was recorded for this start.
    const lastState: SessionState = { ...IDLE_STATE, phase: 'error', source, tabId, error };
    await deps.state.save({ captureTabId: null, captureSource: null, captureOrigin: null, lastState });
    await deps.showPhase('idle');
    return fail(error);
  };

  const settings = await deps.loadSettings();
  const proxy = checkProxyUrl(settings.proxyUrl);
  if (!proxy.ok) {
    return refuse({ code: settings.proxyUrl.trim() ? 'invalid-proxy-url' : 'no-proxy-configured', message: proxy.message });
  }
  const tabCaptured = capturesTab(source);
  if (tabCaptured && tabId === null) {
    return refuse({ code: 'tab-not-capturable', message: t('sessionNoTab') });
  }

  // Browser pages are refused before anything is captured. The URL is visible only where the
  // user's click granted access; where it is not, Chrome's refusal to script the page says the same.
  const tab = tabId === null ? null : await deps.describeTab(tabId).catch(() => null);
  const sample = tab !== null && deps.isSamplePage?.(tab.url) === true;
  const restricted = tab !== null && !sample && isRestrictedPage(tab.url);
  if (tabCaptured && restricted) return refuse(restrictedPageError());
  const page = tab && !restricted ? { title: tab.title, origin: originOf(tab.url) } : null;
  // Record the tab before the overlay is injected and the document starts: the overlay's first
  // requests (its stored view, lib/background/overlay-view.ts) are answered only for the captured
  // tab, and the document's first states ("starting", "connecting", often "live") are relayed only
  // once the background knows which tab it is on. A refusal below forgets the tab again.
  const before = await deps.state.load();
  await deps.state.save({ captureTabId: tabId, captureSource: source, captureOrigin: page?.origin ?? null, lastState: null });
  const overlay = tabId === null || sample ? null : await deps.injectOverlay(tabId);
  if (tabCaptured && overlay && !overlay.ok && isRestrictedPageRefusal(overlay.reason)) return refuse(restrictedPageError());

  let streamId: string | null = null;
  if (tabCaptured && tabId !== null) {
    try {
      streamId = await deps.getTabStreamId(tabId);
    } catch (error) {
      return refuse(tabCaptureError(error));
    }
  }

  await deps.ensureOffscreen();
  // Settings are not sent: the document asks for them from storage (capture/settings).
  const answer = await deps.askOffscreen({ type: 'offscreen/start', source, tabId, streamId, page });
  if (!answer) {
    await deps.closeOffscreen();
    return refuse({ code: 'internal', message: t('sessionNoAnswer') });
  }
  if (!answer.ok) {
    // "Already running" is about a session that goes on: leave it, its tab and its document alone.
    if (answer.error.code === 'already-running') {
      await deps.state.save(before);
      return answer;
    }
    await deps.closeOffscreen();
    if (answer.error.code === 'mic-permission-needed') await deps.openMicPermissionPage(source, tabId);
    return refuse(answer.error);
  }
  return answer;
}

/** Stops the session (the user's Stop, or `reason` when capture must end) and cleans up. */
export function stopSession(deps: SessionControlDeps, reason?: UserFacingError): Promise<void> {
  return serialized(async () => {
    const answer = await withTimeout(deps.askOffscreen(reason ? { type: 'offscreen/stop', reason } : { type: 'offscreen/stop' }), STOP_TIMEOUT_MS);
    if (answer === undefined && reason) {
      // No document answered: nothing ran, or it hung. Say why anyway.
      await deps.state.save({ lastState: { ...IDLE_STATE, phase: 'error', error: reason } });
    }
    await cleanUpAfterEnd(deps, answer === undefined ? null : undefined);
  });
}

/** The offscreen document saved the ended session's transcript: tell the tab, close the document. */
export function sessionEnded(deps: SessionControlDeps, final: SessionState): Promise<void> {
  return serialized(() => cleanUpAfterEnd(deps, final));
}

/**
 * `final`: the ended state to keep; undefined = ask the document; null = nothing ran. Closes the
 * document unless a new session already runs in it.
 */
async function cleanUpAfterEnd(deps: SessionControlDeps, final: SessionState | null | undefined): Promise<void> {
  const open = await deps.hasOffscreen();
  let ended = final;
  if (open) {
    const now = (await deps.askOffscreen({ type: 'offscreen/get-state' })) ?? null;
    // A session runs in the document: this end was an older session's, or a start won the race.
    if (isSessionRunning(now)) return;
    if (ended === undefined) ended = now;
  }
  const saved = await deps.state.load();
  if (ended && ended.phase !== 'idle' && saved.captureTabId !== null) {
    deps.sendToTab(saved.captureTabId, { type: 'tab/session-state', state: ended });
  }
  const lastState = ended ?? saved.lastState;
  await deps.state.save({ captureTabId: null, captureSource: null, captureOrigin: null, lastState });
  await deps.showPhase('idle', lastState ?? undefined);
  if (open) await deps.closeOffscreen();
}

/**
 * The settings or the token changed, or a connection check passed: an ended session's error spoke
 * of what was, so it goes, and the popup, the badge and the overlay left on the session's tab show
 * idle. A running session keeps its state (its lastState is already null).
 */
export function clearEndedError(deps: SessionControlDeps): Promise<void> {
  return serialized(async () => {
    const { lastState } = await deps.state.load();
    if (!lastState?.error) return;
    await deps.state.save({ lastState: null });
    if (lastState.tabId !== null) deps.sendToTab(lastState.tabId, { type: 'tab/session-state', state: IDLE_STATE });
    await deps.showPhase('idle');
  });
}

/** The captured tab changed: end a tab capture that left its site, or show the overlay again. */
export async function tabUpdated(deps: SessionControlDeps, tabId: number, change: TabChange, visibleUrl: string | undefined): Promise<void> {
  const state = await deps.state.load();
  switch (tabUpdateVerdict(state, tabId, change, visibleUrl)) {
    case 'stop':
      await stopSession(deps, { code: 'tab-navigated', message: t('sessionTabNavigated') });
      return;
    case 'reinject-overlay':
      await deps.injectOverlay(tabId);
      return;
    case 'ignore':
      return;
  }
}

export async function tabRemoved(deps: SessionControlDeps, tabId: number): Promise<void> {
  const state = await deps.state.load();
  if (state.captureTabId !== tabId) return;
  // A closed tab takes a tab capture (and a meeting's) with it; a mic session goes on without its overlay.
  if (capturesTab(state.captureSource)) await stopSession(deps, { code: 'tab-closed', message: t('sessionTabClosed') });
  else await deps.state.save({ captureTabId: null });
}
