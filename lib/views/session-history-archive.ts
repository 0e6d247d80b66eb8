/**
 * The side panel's SessionHistory over the saved transcripts (lib/persistence: IndexedDB, written
 * by the offscreen document as finals arrive). Only the origin of a page is saved, never its path.
 */
import type { SearchLine } from '../persistence/search-text';
import { PREVIEW_UTTERANCES, previewOf, type SavedSession, type SessionSummary as SavedSummary } from '../persistence/session-record';
import { sharedArchive, type TranscriptArchive } from '../persistence/transcript-archive';
import type { SessionHistory, SessionSummary, StoredSession } from './session-history';
import { searchSessions } from './session-search';
import type { Utterance } from '../transcript/types';

export function toSummary(saved: SavedSummary): SessionSummary {
  return {
    id: saved.id,
    startedAt: saved.startedAt,
    endedAt: saved.endedAt,
    title: saved.title,
    url: saved.origin || null,
    durationSeconds: saved.durationSeconds,
    wordCount: saved.wordCount,
    preview: saved.preview,
  };
}

export function toStoredSession(saved: SavedSession): StoredSession {
  return { ...toSummary(saved.summary), utterances: saved.transcript.utterances };
}

/** What search needs of a line, as an utterance: its end, channel and words are not read. */
function searchable({ id, start, speaker, text }: SearchLine): Utterance {
  return { id, start, end: start, speaker, text, channel: 0, closed: true, words: [] };
}

/**
 * The list's preview of a session says its first lines as corrected: rewritten when a correction
 * changed one of them. (A running session's is the recorder's to write: lib/persistence/session-recorder.ts.)
 */
async function refreshPreview(archive: TranscriptArchive, sessionId: string): Promise<void> {
  const session = await archive.loadSession(sessionId);
  if (!session) return;
  const preview = previewOf(session.transcript.utterances.slice(0, PREVIEW_UTTERANCES));
  if (preview !== session.summary.preview) await archive.updateSession(sessionId, { preview });
}

export function archiveHistory(archive: () => Promise<TranscriptArchive> = sharedArchive): SessionHistory {
  // Search reads each session's search text (lib/persistence/search-text.ts: a few milliseconds per
  // one-hour session, bench/session-search.ts), once per panel: its lines are kept (text only)
  // while its record is unchanged; a correction drops its session's entry.
  const searchCache = new Map<string, { updatedAt: number; utterances: readonly Utterance[] }>();
  return {
    async listSessions() {
      return (await (await archive()).listSessions()).map(toSummary);
    },
    async loadSession(id) {
      const saved = await (await archive()).loadSession(id);
      return saved ? toStoredSession(saved) : null;
    },
    async deleteSession(id) {
      await (await archive()).deleteSession(id);
    },
    async renameSession(id, title) {
      await (await archive()).renameSession(id, title);
    },
    async correctLine(sessionId, utteranceId, text) {
      searchCache.delete(sessionId);
      const saved = await archive();
      const corrected = await saved.correctUtterance(sessionId, utteranceId, text, Date.now());
      searchCache.delete(sessionId);
      if (corrected) await refreshPreview(saved, sessionId);
      return corrected;
    },
    async searchSessions(query, cancelled) {
      const saved = await archive();
      const records = await saved.listSessions();
      const updatedAt = new Map(records.map((r) => [r.id, r.updatedAt]));
      for (const id of searchCache.keys()) if (!updatedAt.has(id)) searchCache.delete(id);
      // One session read at a time, newest first; only its lines' text is kept.
      const load = async (id: string) => {
        const cached = searchCache.get(id);
        if (cached && cached.updatedAt === updatedAt.get(id)) return cached.utterances;
        const lines = (await saved.searchLines(id))?.map(searchable) ?? null;
        if (lines) searchCache.set(id, { updatedAt: updatedAt.get(id) ?? 0, utterances: lines });
        return lines;
      };
      return searchSessions(records.map(toSummary), load, query, { cancelled });
    },
  };
}
