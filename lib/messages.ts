/**
 * Every message between the extension's contexts, in one place. Each type is named `area/verb`.
 *
 *   popup / side panel / permission page  -> background : session/start, session/stop, permission/mic-granted
 *   background                             -> offscreen  : offscreen/start, offscreen/stop
 *   offscreen -> everyone (background relays to the captured tab's overlay)
 *                                                       : session/state, transcript/update, audio/level
 *   any extension page                     -> offscreen  : session/get, transcript/get
 *       (the background answers these too: from the offscreen document while it is open, else
 *        from storage.session and the saved transcripts, so a closed document loses nothing)
 *   offscreen -> background                              : session/ended (transcript saved; close me)
 *   overlay (content script) -> background : overlay/view-get, overlay/names-get, overlay/appearance-save,
 *                                            overlay/placement-save, overlay/hidden-save
 *   background -> the captured tab's overlay               : overlay/view-changed
 *       (the overlay reads no storage: storage.local and .sync are closed to content scripts, see
 *        lib/contract/storage/access.ts; the background answers the captured tab's top frame only)
 *
 * The offscreen document owns the live session; the background owns nothing that is lost when
 * Chrome stops it, and asks the offscreen document whenever it needs the state.
 */
import type { OverlayAppearance } from './overlay-settings';
import type { OverlayPlacement } from './overlay/placement';
import type { RetentionPolicy } from './persistence/retention';
import type { ListenSettings } from './settings';
import type { SpeakerNames } from './transcript/speaker-names';
import type { Segment, TranscriptSnapshot, Utterance } from './transcript/types';

export type CaptureSource = 'tab' | 'mic';

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
  interim: Segment | null;
}

/** The page a session captured (or showed its overlay on), for the saved session's record. */
export interface PageInfo {
  title: string;
  /** URL origin only (scheme://host:port): the saved history never keeps paths or queries. */
  origin: string;
}

// --- The overlay's stored view, served by the background (storage messages, one group) ---------

/** What the overlay shows from storage, as the background serves it. */
export interface OverlayView {
  appearance: OverlayAppearance;
  /** This site's remembered position (the site is the asking frame's origin), or null. */
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

export type OverlayStorageMessage =
  | { type: 'overlay/view-get' }
  | { type: 'overlay/names-get'; sessionStartedAt: number }
  | { type: 'overlay/appearance-save'; patch: Partial<OverlayAppearance> }
  | { type: 'overlay/placement-save'; placement: OverlayPlacement }
  | { type: 'overlay/hidden-save'; sessionStartedAt: number; hidden: boolean }
  | { type: 'overlay/view-changed'; change: OverlayViewChange };

/** Answers to the overlay's storage requests; null: refused (not the captured tab's top frame). */
export interface OverlayStorageResponses {
  'overlay/view-get': OverlayView | null;
  'overlay/names-get': SpeakerNames | null;
  'overlay/appearance-save': OverlayAppearance | null;
  'overlay/placement-save': { ok: boolean };
  'overlay/hidden-save': { ok: boolean };
}

const OVERLAY_STORAGE_MESSAGE_TYPES = [
  'overlay/view-get',
  'overlay/names-get',
  'overlay/appearance-save',
  'overlay/placement-save',
  'overlay/hidden-save',
  'overlay/view-changed',
] as const satisfies readonly OverlayStorageMessage['type'][];

// ------------------------------------------------------------------------------------------------

export type Message =
  | OverlayStorageMessage
  | { type: 'session/start'; source: CaptureSource; tabId: number | null }
  | { type: 'session/stop' }
  | { type: 'session/get' }
  | { type: 'session/state'; state: SessionState }
  | { type: 'permission/mic-granted' }
  | {
      type: 'offscreen/start';
      source: CaptureSource;
      tabId: number | null;
      /** From tabCapture.getMediaStreamId; null for the microphone. */
      streamId: string | null;
      settings: ListenSettings;
      page: PageInfo | null;
      /** How many saved sessions to keep; applied when this one starts and ends. */
      retention: RetentionPolicy;
    }
  /** `reason` set: capture ended for that reason (shown to the user), not because they pressed Stop. */
  | { type: 'offscreen/stop'; reason?: UserFacingError }
  /** Offscreen -> background, once capture stopped and the transcript is saved: the document may close. */
  | { type: 'session/ended'; state: SessionState }
  | { type: 'transcript/get' }
  | { type: 'transcript/update'; update: TranscriptUpdate }
  | { type: 'audio/level'; rms: number; peak: number }
  /**
   * Show or hide the caption overlay (keyboard command, or an extension page) -> background ->
   * the captured tab's overlay. `visible` sets it; without it the overlay toggles.
   */
  | { type: 'overlay/toggle'; visible?: boolean };

export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** What a request answers with; messages not listed here are fire-and-forget. */
export interface Responses extends OverlayStorageResponses {
  'session/start': { ok: true } | { ok: false; error: UserFacingError };
  'session/stop': { ok: true };
  'session/get': SessionState;
  'transcript/get': TranscriptSnapshot;
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'session/start',
  'session/stop',
  'session/get',
  'session/state',
  'session/ended',
  'permission/mic-granted',
  'offscreen/start',
  'offscreen/stop',
  'transcript/get',
  'transcript/update',
  'audio/level',
  'overlay/toggle',
  ...OVERLAY_STORAGE_MESSAGE_TYPES,
]);

/** Narrows an unknown runtime message to one of ours; anything else is ignored by receivers. */
export function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    MESSAGE_TYPES.has((value as { type: string }).type)
  );
}
