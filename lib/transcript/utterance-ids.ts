/**
 * Utterance ids name their session: `s<startedAt>-u<n>`, where startedAt is the session's start
 * (epoch ms, the same value as SessionState.startedAt and the saved record's startedAt) and n counts
 * from 1 within the session. Views upsert utterances by id, so ids that restarted at `u1` in every
 * session let a view still open from the last session merge the new lines into the old rows.
 *
 * Sessions saved before this have ids `u<n>`: they name no session, and every reader accepts them
 * (saved sessions are stored under their own session id, and loaded by it).
 */

/** The prefix of a session's utterance ids, for TranscriptStore's `idPrefix`. */
export function utteranceIdPrefix(sessionStartedAt: number): string {
  return `s${sessionStartedAt}-u`;
}

const SESSION_ID = /^s(\d+)-u\d+$/;

/** The start (epoch ms) of the session an utterance id names; null when it names none (`u1`, older saves). */
export function sessionOfUtteranceId(id: string): number | null {
  const match = SESSION_ID.exec(id);
  return match ? Number(match[1]) : null;
}
