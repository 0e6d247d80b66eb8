/**
 * Every message between the extension's contexts, typed by who sends it to whom. Each type is
 * named `area/verb`, and each request names its answer. lib/contract/messaging.ts is the only
 * code that sends or receives them; lib/contract/senders.ts says who may send each direction.
 *
 *   extension page -> background   PageRequest     session/start, session/stop, session/get,
 *     (popup, side panel, options,                  transcript/get, permission/mic-granted,
 *      permission page)                             overlay/toggle, session/keyterms,
 *                                                   transcript/correct
 *   content script -> background   OverlayRequest  overlay/live-session, overlay/view-get,
 *     (the captured tab's top                       overlay/names-get, overlay/appearance-save,
 *      frame only)                                  overlay/placement-save, overlay/hidden-save
 *                                                   (the overlay reads no storage: storage.local
 *                                                   and .sync are closed to content scripts,
 *                                                   lib/contract/storage/access.ts)
 *   background -> offscreen        OffscreenCommand offscreen/start, offscreen/stop,
 *                                                   offscreen/get-state, offscreen/get-transcript,
 *                                                   offscreen/keyterms, offscreen/correct
 *   offscreen -> background        CaptureQuery    capture/settings (what offscreen/start needs
 *                                                   from storage, which an offscreen document cannot read)
 *   offscreen -> every extension   OffscreenEvent  session/state, transcript/update, audio/level,
 *     page and the background                      session/ended (background only acts on it)
 *   background -> captured tab     TabPush         tab/session-state, tab/transcript-update,
 *                                                   tab/overlay-toggle, tab/overlay-focus,
 *                                                   tab/overlay-view-changed
 *
 * The background is the only context that answers pages: it asks the offscreen document, which
 * owns the live session, with requests of its own (offscreen/get-*), so no page request has two
 * answerers racing. The background owns nothing that is lost when Chrome stops it.
 */
import type { OverlayPlacement } from '../overlay/placement';
import type { OverlayAppearance } from '../overlay-settings';
import type { RetentionPolicy } from '../persistence/retention';
import type { ListenSettings } from '../settings';
import type { SpeakerNames } from '../transcript/speaker-names';
import type { Segment, TranscriptSnapshot, Utterance } from '../transcript/types';

/**
 * What a session captures: the tab, the microphone, or both at once for a meeting (the tab plays
 * the others, the microphone hears "You"; one channel each on one listen connection).
 */
export type CaptureSource = 'tab' | 'mic' | 'tab-and-mic';
export const CAPTURE_SOURCES: readonly CaptureSource[] = ['tab', 'mic', 'tab-and-mic'];

/** One audio input of a session: a meeting has both, each with its own level, gate and channel. */
export type AudioInput = 'tab' | 'mic';

export function isCaptureSource(value: unknown): value is CaptureSource {
  return CAPTURE_SOURCES.includes(value as CaptureSource);
}

/** The inputs a source opens, in channel order (channel 0 first). */
export function inputsOf(source: CaptureSource): readonly AudioInput[] {
  return source === 'tab-and-mic' ? ['tab', 'mic'] : [source];
}

/** A tab's audio is captured (tab or meeting): the tab must be capturable, and its end ends the session. */
export function capturesTab(source: CaptureSource | null): boolean {
  return source !== null && inputsOf(source).includes('tab');
}

/** Expected failures carry a code the UI can act on and a sentence a person can read. */
export type ErrorCode =
  | 'no-proxy-configured'
  | 'invalid-proxy-url'
  | 'tab-not-capturable'
  | 'mic-permission-needed'
  | 'mic-permission-denied'
  | 'capture-failed'
  | 'proxy-unreachable'
  | 'proxy-rejected'
  | 'proxy-closed'
  | 'already-running'
  /** Capture ended on its own: the captured tab went to another site, closed, or the extension updated. */
  | 'tab-navigated'
  | 'tab-closed'
  | 'extension-updated'
  | 'internal';

export interface UserFacingError {
  code: ErrorCode;
  message: string;
}

export type SessionPhase = 'idle' | 'starting' | 'connecting' | 'live' | 'stopping' | 'error';

export interface SessionState {
  phase: SessionPhase;
  source: CaptureSource | null;
  /** The captured tab (tab source), or the tab the overlay is shown on (mic source); null if none. */
  tabId: number | null;
  /** Epoch milliseconds when capture began, for the elapsed-time display. */
  startedAt: number | null;
  error: UserFacingError | null;
  /** A problem worth showing while capture goes on (e.g. the source has been silent for 10 s). */
  warning: string | null;
}

export const IDLE_STATE: SessionState = {
  phase: 'idle',
  source: null,
  tabId: null,
  startedAt: null,
  error: null,
  warning: null,
};

export interface TranscriptUpdate {
  /** Utterances added or changed since the last update, keyed by `id` (upsert). */
  changed: Utterance[];
  /** Every channel's interim tail as it now stands (TranscriptSnapshot.interims), not only those that changed. */
  interims: Segment[];
}

/** The page a session captured (or showed its overlay on), for the saved session's record. */
export interface PageInfo {
  title: string;
  /** URL origin only (scheme://host:port): the saved history never keeps paths or queries. */
  origin: string;
}

export type StartResult = { ok: true } | { ok: false; error: UserFacingError };

/**
 * How a change of key terms during a session ended: the terms the server now uses, or who refused
 * it and why: the extension (a limit, checked before sending; no session), the server
 * (ConfigureFailure), or nobody (no answer in time: a server that cannot change them mid-stream).
 */
export type KeytermsChangeResult =
  | { ok: true; keyterms: string[] }
  | { ok: false; refusedBy: 'extension' | 'server' | 'no-answer'; message: string };
export interface Done { ok: true }

/**
 * A line of the running session corrected by the user (its words are the text's): the line as it
 * now reads, which every view was also sent as a transcript/update; or why not: no session to
 * correct ('not-running', the session ended or is another one), the line or session is not saved
 * ('gone'), or storage failed ('failed', with what it said).
 */
export type LineCorrectionResult = { ok: true; utterance: Utterance } | { ok: false; reason: 'not-running' | 'gone' | 'failed'; detail: string };

/** What a correction names: the session (by its start, as SessionState.startedAt), the line, its new text. */
export interface LineCorrection {
  sessionStartedAt: number;
  utteranceId: string;
  text: string;
}

// ---- extension page -> background ----------------------------------------------------------

export type PageRequest =
  | { type: 'session/start'; source: CaptureSource; tabId: number | null }
  | { type: 'session/stop' }
  | { type: 'session/get' }
  | { type: 'transcript/get' }
  /**
   * From the permission page once the microphone is allowed; its URL carries the start it
   * completes, the source and the tab (lib/background/permission-start.ts).
   */
  | { type: 'permission/mic-granted' }
  /** Show or hide the captured tab's overlay; `visible` sets it, without it the overlay toggles. */
  | { type: 'overlay/toggle'; visible?: boolean }
  /** Replace the running session's key terms (Deepgram's Configure); the answer says what the server did. */
  | { type: 'session/keyterms'; keyterms: string[] }
  /** Correct a finished line of the running session (lib/transcript/live-corrections.ts). */
  | ({ type: 'transcript/correct' } & LineCorrection);

export interface PageResponses {
  'session/start': StartResult;
  'session/stop': Done;
  /** The live session's state, or how the last one ended. */
  'session/get': SessionState;
  /** The live transcript, or the last saved one when nothing runs. */
  'transcript/get': TranscriptSnapshot;
  'permission/mic-granted': StartResult;
  'overlay/toggle': Done;
  'session/keyterms': KeytermsChangeResult;
  'transcript/correct': LineCorrectionResult;
}

// ---- content script (the overlay) -> background --------------------------------------------

export type OverlayRequest =
  | { type: 'overlay/live-session' }
  /** What the overlay shows from storage: appearance, this site's position, hidden captions. */
  | { type: 'overlay/view-get' }
  /** The running session's speaker names (renamed in the side panel); other sessions' are history. */
  | { type: 'overlay/names-get'; sessionStartedAt: number }
  | { type: 'overlay/appearance-save'; patch: Partial<OverlayAppearance> }
  /** Saved for the asking frame's own site (its URL, as the browser reports it), never a claimed one. */
  | { type: 'overlay/placement-save'; placement: OverlayPlacement }
  | { type: 'overlay/hidden-save'; sessionStartedAt: number; hidden: boolean };

/** What the overlay shows from storage, as the background serves it. */
export interface OverlayView {
  appearance: OverlayAppearance;
  /** This site's remembered position, or null. */
  placement: OverlayPlacement | null;
  /** The start of the session whose captions the user hid, or null. */
  hiddenSession: number | null;
}

/** Pushed to the captured tab when a stored part of its view changed elsewhere. */
export interface OverlayViewChange {
  appearance?: OverlayAppearance;
  /** The running session's speaker names (renamed in the side panel). */
  names?: { sessionStartedAt: number; names: SpeakerNames };
}

/** The session captioned on the asking tab; idle and empty for any other tab or when none runs. */
export interface LiveSession {
  state: SessionState;
  transcript: TranscriptSnapshot;
}

/** null or { ok: false }: refused (not the captured tab's top frame, or not the running session). */
export interface OverlayResponses {
  'overlay/live-session': LiveSession;
  'overlay/view-get': OverlayView | null;
  'overlay/names-get': SpeakerNames | null;
  'overlay/appearance-save': OverlayAppearance | null;
  'overlay/placement-save': { ok: boolean };
  'overlay/hidden-save': { ok: boolean };
}

// ---- background -> offscreen document ------------------------------------------------------

export type OffscreenCommand =
  | {
      type: 'offscreen/start';
      source: CaptureSource;
      tabId: number | null;
      /** From tabCapture.getMediaStreamId; null for the microphone. */
      streamId: string | null;
      page: PageInfo | null;
    }
  /** `reason` set: capture ended for that reason (shown to the user), not because they pressed Stop. */
  | { type: 'offscreen/stop'; reason?: UserFacingError }
  | { type: 'offscreen/get-state' }
  | { type: 'offscreen/get-transcript' }
  | { type: 'offscreen/keyterms'; keyterms: string[] }
  | ({ type: 'offscreen/correct' } & LineCorrection);

export interface OffscreenResponses {
  'offscreen/start': StartResult;
  'offscreen/stop': Done;
  'offscreen/get-state': SessionState;
  'offscreen/get-transcript': TranscriptSnapshot;
  'offscreen/keyterms': KeytermsChangeResult;
  'offscreen/correct': LineCorrectionResult;
}

// ---- offscreen document -> background (its one question) ------------------------------------

export interface CaptureQuery { type: 'capture/settings' }

/** What a session starts with, read from storage by the background when the document asks. */
export interface CaptureSettings {
  settings: ListenSettings;
  /** How many saved sessions to keep; applied when this one starts and ends. */
  retention: RetentionPolicy;
}

export interface CaptureQueryResponses {
  'capture/settings': CaptureSettings;
}

// ---- offscreen document -> background and extension pages (events, no answer) ---------------

export type OffscreenEvent =
  | { type: 'session/state'; state: SessionState }
  | { type: 'transcript/update'; update: TranscriptUpdate }
  /** About ten a second per input; a meeting sends one for the tab and one for the microphone. */
  | { type: 'audio/level'; input: AudioInput; rms: number; peak: number }
  /** Capture stopped and the transcript is saved: the background may close the document. */
  | { type: 'session/ended'; state: SessionState };

// ---- background -> the captured tab's content script (pushes, no answer) --------------------

export type TabPush =
  | { type: 'tab/session-state'; state: SessionState }
  | { type: 'tab/transcript-update'; update: TranscriptUpdate }
  | { type: 'tab/overlay-toggle'; visible?: boolean }
  /** The focus-captions shortcut: show the box if hidden and move keyboard focus into it. */
  | { type: 'tab/overlay-focus' }
  | { type: 'tab/overlay-view-changed'; change: OverlayViewChange };

export type PageRequestType = PageRequest['type'];
export type OverlayRequestType = OverlayRequest['type'];
export type OffscreenCommandType = OffscreenCommand['type'];
export type CaptureQueryType = CaptureQuery['type'];
export type OffscreenEventType = OffscreenEvent['type'];
export type TabPushType = TabPush['type'];
export type MessageOf<M extends { type: string }, T extends M['type']> = Extract<M, { type: T }>;

// ---- shape checks, run by every receiver on what it receives --------------------------------
// Hand-written and small (no schema library): the content script's bundle has a tight budget.

type Fields = Record<string, unknown>;
export type ShapeCheck = (message: Fields) => boolean;

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isSource = (value: unknown): boolean => isCaptureSource(value);
const isInput = (value: unknown): boolean => value === 'tab' || value === 'mic';
const isTabIdOrNull = (value: unknown): boolean => value === null || (Number.isSafeInteger(value) && (value as number) >= 0);
const isNumberOrNull = (value: unknown): boolean => value === null || typeof value === 'number';
const PHASES: ReadonlySet<unknown> = new Set<SessionPhase>(['idle', 'starting', 'connecting', 'live', 'stopping', 'error']);

export function isUserFacingError(value: unknown): value is UserFacingError {
  return isFields(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

export function isSessionState(value: unknown): value is SessionState {
  return (
    isFields(value) &&
    PHASES.has(value.phase) &&
    (value.source === null || isSource(value.source)) &&
    isTabIdOrNull(value.tabId) &&
    isNumberOrNull(value.startedAt) &&
    (value.error === null || isUserFacingError(value.error)) &&
    (value.warning === null || typeof value.warning === 'string')
  );
}

const areSegments = (value: unknown): boolean => Array.isArray(value) && value.every(isFields);

export function isTranscriptSnapshot(value: unknown): value is TranscriptSnapshot {
  return isFields(value) && Array.isArray(value.utterances) && areSegments(value.interims);
}

function isTranscriptUpdate(value: unknown): value is TranscriptUpdate {
  return isFields(value) && Array.isArray(value.changed) && areSegments(value.interims);
}

export function isStartResult(value: unknown): value is StartResult {
  return isFields(value) && (value.ok === true || (value.ok === false && isUserFacingError(value.error)));
}

const REFUSERS: ReadonlySet<unknown> = new Set(['extension', 'server', 'no-answer']);
const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');

export function isKeytermsChangeResult(value: unknown): value is KeytermsChangeResult {
  if (!isFields(value)) return false;
  if (value.ok === true) return isStringList(value.keyterms);
  return value.ok === false && REFUSERS.has(value.refusedBy) && typeof value.message === 'string';
}

/** Longer than any line's text (lib/transcript/corrections.ts keeps at most 5,000 characters of it), so nothing real is refused. */
const MAX_CORRECTION_MESSAGE_CHARS = 20_000;
const isLineCorrection = (m: Fields): boolean =>
  typeof m.sessionStartedAt === 'number' &&
  Number.isFinite(m.sessionStartedAt) &&
  typeof m.utteranceId === 'string' &&
  m.utteranceId.length > 0 &&
  m.utteranceId.length <= 100 &&
  typeof m.text === 'string' &&
  m.text.length <= MAX_CORRECTION_MESSAGE_CHARS;
const CORRECTION_REFUSALS: ReadonlySet<unknown> = new Set(['not-running', 'gone', 'failed']);

export function isLineCorrectionResult(value: unknown): value is LineCorrectionResult {
  if (!isFields(value)) return false;
  if (value.ok === true) return isFields(value.utterance) && typeof value.utterance.id === 'string' && typeof value.utterance.text === 'string' && Array.isArray(value.utterance.words);
  return value.ok === false && CORRECTION_REFUSALS.has(value.reason) && typeof value.detail === 'string';
}

const isDone = (value: unknown): value is Done => isFields(value) && value.ok === true;
const isVisibility = (message: Fields) => message.visible === undefined || typeof message.visible === 'boolean';
const noFields: ShapeCheck = () => true;

export const PAGE_REQUEST_SHAPES: Readonly<Record<PageRequestType, ShapeCheck>> = {
  'session/start': (m) => isSource(m.source) && isTabIdOrNull(m.tabId),
  'session/stop': noFields,
  'session/get': noFields,
  'transcript/get': noFields,
  'permission/mic-granted': noFields,
  'overlay/toggle': isVisibility,
  'session/keyterms': (m) => isStringList(m.keyterms),
  'transcript/correct': isLineCorrection,
};

export const PAGE_RESPONSE_SHAPES: { readonly [T in PageRequestType]: (value: unknown) => value is PageResponses[T] } = {
  'session/start': isStartResult,
  'session/stop': isDone,
  'session/get': isSessionState,
  'transcript/get': isTranscriptSnapshot,
  'permission/mic-granted': isStartResult,
  'overlay/toggle': isDone,
  'session/keyterms': isKeytermsChangeResult,
  'transcript/correct': isLineCorrectionResult,
};

const isStartedAt = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

// Field-level checks of appearance and placement are the stores' parse step (lib/overlay-store.ts),
// which repairs or refuses what does not fit; here only the message's outline is checked.
export const OVERLAY_REQUEST_SHAPES: Readonly<Record<OverlayRequestType, ShapeCheck>> = {
  'overlay/live-session': noFields,
  'overlay/view-get': noFields,
  'overlay/names-get': (m) => isStartedAt(m.sessionStartedAt),
  'overlay/appearance-save': (m) => isFields(m.patch),
  'overlay/placement-save': (m) => isFields(m.placement),
  'overlay/hidden-save': (m) => isStartedAt(m.sessionStartedAt) && typeof m.hidden === 'boolean',
};

const isOk = (value: unknown): value is { ok: boolean } => isFields(value) && typeof value.ok === 'boolean';
const isFieldsOrNull = (value: unknown): boolean => value === null || isFields(value);

export const OVERLAY_RESPONSE_SHAPES: { readonly [T in OverlayRequestType]: (value: unknown) => value is OverlayResponses[T] } = {
  'overlay/live-session': isLiveSession,
  'overlay/view-get': (value): value is OverlayView | null =>
    value === null || (isFields(value) && isFields(value.appearance) && isFieldsOrNull(value.placement) && isNumberOrNull(value.hiddenSession)),
  'overlay/names-get': (value): value is SpeakerNames | null => isFieldsOrNull(value),
  'overlay/appearance-save': (value): value is OverlayAppearance | null => isFieldsOrNull(value),
  'overlay/placement-save': isOk,
  'overlay/hidden-save': isOk,
};

export function isLiveSession(value: unknown): value is LiveSession {
  return isFields(value) && isSessionState(value.state) && isTranscriptSnapshot(value.transcript);
}

export const OFFSCREEN_COMMAND_SHAPES: Readonly<Record<OffscreenCommandType, ShapeCheck>> = {
  'offscreen/start': (m) =>
    isSource(m.source) &&
    isTabIdOrNull(m.tabId) &&
    (m.streamId === null || typeof m.streamId === 'string') &&
    (m.page === null || (isFields(m.page) && typeof m.page.title === 'string' && typeof m.page.origin === 'string')),
  'offscreen/stop': (m) => m.reason === undefined || isUserFacingError(m.reason),
  'offscreen/get-state': noFields,
  'offscreen/get-transcript': noFields,
  'offscreen/keyterms': (m) => isStringList(m.keyterms),
  'offscreen/correct': isLineCorrection,
};

export const OFFSCREEN_RESPONSE_SHAPES: { readonly [T in OffscreenCommandType]: (value: unknown) => value is OffscreenResponses[T] } = {
  'offscreen/start': isStartResult,
  'offscreen/stop': isDone,
  'offscreen/get-state': isSessionState,
  'offscreen/get-transcript': isTranscriptSnapshot,
  'offscreen/keyterms': isKeytermsChangeResult,
  'offscreen/correct': isLineCorrectionResult,
};

export const CAPTURE_QUERY_SHAPES: Readonly<Record<CaptureQueryType, ShapeCheck>> = {
  'capture/settings': noFields,
};

export function isCaptureSettings(value: unknown): value is CaptureSettings {
  return (
    isFields(value) &&
    isFields(value.settings) &&
    typeof value.settings.proxyUrl === 'string' &&
    isFields(value.retention) &&
    typeof value.retention.maxSessions === 'number' &&
    typeof value.retention.maxDays === 'number'
  );
}

export const OFFSCREEN_EVENT_SHAPES: Readonly<Record<OffscreenEventType, ShapeCheck>> = {
  'session/state': (m) => isSessionState(m.state),
  'transcript/update': (m) => isTranscriptUpdate(m.update),
  'audio/level': (m) => isInput(m.input) && typeof m.rms === 'number' && typeof m.peak === 'number',
  'session/ended': (m) => isSessionState(m.state),
};

export const TAB_PUSH_SHAPES: Readonly<Record<TabPushType, ShapeCheck>> = {
  'tab/session-state': (m) => isSessionState(m.state),
  'tab/transcript-update': (m) => isTranscriptUpdate(m.update),
  'tab/overlay-toggle': isVisibility,
  'tab/overlay-focus': () => true,
  'tab/overlay-view-changed': (m) => isFields(m.change),
};

/**
 * Narrows a received value to a message of one direction: an object whose `type` is one of
 * `shapes`' keys and whose fields pass that type's check. Anything else is dropped unanswered.
 */
export function messageIn<M extends { type: string }>(value: unknown, shapes: Readonly<Record<M['type'], ShapeCheck>>): M | null {
  if (!isFields(value) || typeof value.type !== 'string' || !Object.hasOwn(shapes, value.type)) return null;
  const check = (shapes as Partial<Record<string, ShapeCheck>>)[value.type];
  return check?.(value) ? (value as M) : null;
}
