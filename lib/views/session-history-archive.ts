/**
 * The side panel's SessionHistory over the saved transcripts (lib/persistence: IndexedDB, written
 * by the offscreen document as finals arrive). Only the origin of a page is saved, never its path.
 */
import type { SavedSession, SessionSummary as SavedSummary } from '../persistence/session-record';
import { sharedArchive, type TranscriptArchive } from '../persistence/transcript-archive';
import type { SessionHistory, SessionSummary, StoredSession } from './session-history';
import { searchSessions } from './session-search';

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

export function archiveHistory(archive: () => Promise<TranscriptArchive> = sharedArchive): SessionHistory {
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
      return (await archive()).correctUtterance(sessionId, utteranceId, text, Date.now());
    },
    async searchSessions(query, cancelled) {
      const saved = await archive();
      const sessions = (await saved.listSessions()).map(toSummary);
      // One session read at a time, newest first; each is dropped once searched.
      return searchSessions(sessions, async (id) => (await saved.loadSession(id))?.transcript.utterances ?? null, query, { cancelled });
    },
  };
}
