/**
 * Past sessions as the side panel sees them: a list (date, page, length), and one session to open,
 * export or delete. The panel depends on this interface only; session-history-archive.ts binds it
 * to the saved transcripts (lib/persistence, IndexedDB).
 */
import type { Utterance } from '../transcript/types';
import type { SessionSearchResults } from './session-search';

export interface SessionSummary {
  id: string;
  /** Epoch milliseconds when capture began; also the key of the session's speaker names. */
  startedAt: number;
  /** Epoch milliseconds of the last saved words, or null while unknown. */
  endedAt: number | null;
  /** The captured page's title (may be ''). */
  title: string;
  /** The captured page's address, or null (microphone sessions, or not recorded). */
  url: string | null;
  /** Meeting time covered by the transcript, seconds. */
  durationSeconds: number;
  wordCount: number;
  /** The first words, to recognize the session by ('' when unknown). */
  preview: string;
}

export interface StoredSession extends SessionSummary {
  utterances: Utterance[];
}

export interface SessionHistory {
  /** Newest first. */
  listSessions(): Promise<SessionSummary[]>;
  loadSession(id: string): Promise<StoredSession | null>;
  deleteSession(id: string): Promise<void>;
  /** The user's name for a session (shown as its title). */
  renameSession(id: string, title: string): Promise<void>;
  /** Keeps the user's text for one line; the corrected line, or null when it is gone. */
  correctLine(sessionId: string, utteranceId: string, text: string): Promise<Utterance | null>;
  /** Every saved session's lines searched for `query` (lib/views/session-search.ts). */
  searchSessions(query: string, cancelled?: () => boolean): Promise<SessionSearchResults>;
}

/** `history` whose list waits for `pruning` (failed or not), so it never shows what retention is deleting. */
export function afterPruning(history: SessionHistory, pruning: Promise<unknown>): SessionHistory {
  const settled = pruning.then(
    () => undefined,
    () => undefined,
  );
  return {
    async listSessions() {
      await settled;
      return history.listSessions();
    },
    loadSession: (id) => history.loadSession(id),
    deleteSession: (id) => history.deleteSession(id),
    renameSession: (id, title) => history.renameSession(id, title),
    correctLine: (sessionId, utteranceId, text) => history.correctLine(sessionId, utteranceId, text),
    async searchSessions(query, cancelled) {
      await settled;
      return history.searchSessions(query, cancelled);
    },
  };
}

/** What a history with no saved sessions (or no persistence yet) answers. */
export const EMPTY_HISTORY: SessionHistory = {
  listSessions: () => Promise.resolve([]),
  loadSession: () => Promise.resolve(null),
  deleteSession: () => Promise.resolve(),
  renameSession: () => Promise.resolve(),
  correctLine: () => Promise.resolve(null),
  searchSessions: (query) => Promise.resolve({ query, groups: [], totalMatches: 0, complete: true }),
};

/** Length and word count of a transcript, for a summary. */
export function summarizeUtterances(utterances: readonly Utterance[]): { durationSeconds: number; wordCount: number } {
  let first = Infinity;
  let last = 0;
  let wordCount = 0;
  for (const u of utterances) {
    if (Number.isFinite(u.start)) first = Math.min(first, u.start);
    if (Number.isFinite(u.end)) last = Math.max(last, u.end);
    wordCount += u.words.length > 0 ? u.words.length : u.text.split(/\s+/).filter(Boolean).length;
  }
  return { durationSeconds: Number.isFinite(first) ? Math.max(0, last) : 0, wordCount };
}

/** The length shown in the list, as a clock ("1:02:05", "12:30", "0:45"): no words to translate. */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
