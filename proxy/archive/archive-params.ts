/**
 * The listen URL's archive parameters (see archive-rows.ts for what they mean). They are the
 * proxy's own, not Deepgram's: proxy/listen-params.ts takes them out before the upstream URL is built.
 */
export const ARCHIVE_SESSION_PARAM = 'captionist_session';
export const ARCHIVE_OFFSET_PARAM = 'captionist_offset';
export const ARCHIVE_PARAMS: readonly string[] = [ARCHIVE_SESSION_PARAM, ARCHIVE_OFFSET_PARAM];

export interface ArchiveParams {
  /** The client's id for the whole capture, across reconnects; absent: this stream alone. */
  session: string | undefined;
  /** Stream seconds at which this connection's audio starts. */
  offsetSeconds: number;
}

export const NO_ARCHIVE_PARAMS: ArchiveParams = { session: undefined, offsetSeconds: 0 };

const SESSION_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
/** Seconds with at most millisecond precision, under a week (lib/listen/protocol.ts MAX_SERVER_SECONDS). */
const OFFSET_PATTERN = /^\d{1,6}(\.\d{1,3})?$/;

/** The problem with one archive parameter's value, said for the client, or undefined. */
export function archiveParamProblem(name: string, value: string): string | undefined {
  if (name === ARCHIVE_SESSION_PARAM && !SESSION_PATTERN.test(value)) {
    return `"${ARCHIVE_SESSION_PARAM}" must be 8-128 letters, digits, "-" or "_".`;
  }
  if (name === ARCHIVE_OFFSET_PARAM && (!OFFSET_PATTERN.test(value) || Number(value) > 7 * 24 * 3600)) {
    return `"${ARCHIVE_OFFSET_PARAM}" must be seconds from 0 to 604800 (at most 3 decimals), not "${value.slice(0, 40)}".`;
  }
  return undefined;
}
