/**
 * Writes saved sessions into the extension's IndexedDB from one of its pages, in the archive's own
 * format (lib/persistence/transcript-archive.ts): for benchmarks and store screenshots that need a
 * long history without recording it. The page must have opened the archive already (the side
 * panel does when it loads), so the object stores exist. No search text is written: the archive
 * indexes such a session the first time it is searched (lib/persistence/search-text.ts).
 */
import type { Page } from '@playwright/test';
import { newSessionRecord, previewOf, type SessionRecord } from '../../lib/persistence/session-record';
import { TRANSCRIPT_DB_NAME } from '../../lib/persistence/transcript-archive';
import type { Utterance } from '../../lib/transcript/types';

export interface SeededSession {
  id: string;
  title: string;
  origin: string;
  startedAt: number;
  utterances: Utterance[];
}

export function savedRecord(session: SeededSession): SessionRecord {
  const last = session.utterances[session.utterances.length - 1];
  const duration = last?.end ?? 0;
  return {
    ...newSessionRecord(session.id, session.startedAt, 'tab', { title: session.title, origin: session.origin }),
    endedAt: session.startedAt + Math.round(duration * 1000),
    updatedAt: session.startedAt + Math.round(duration * 1000),
    utteranceCount: session.utterances.length,
    wordCount: session.utterances.reduce((sum, u) => sum + u.words.length, 0),
    durationSeconds: duration,
    preview: previewOf(session.utterances.slice(0, 6)),
  };
}

export async function seedSession(page: Page, session: SeededSession): Promise<void> {
  const record = savedRecord(session);
  const rows = session.utterances.map((u) => ({ ...u, sessionId: record.id }));
  await page.evaluate(
    async ({ name, record, rows }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('open failed'));
      });
      const tx = db.transaction(['sessions', 'utterances'], 'readwrite');
      tx.objectStore('sessions').put(record);
      for (const row of rows) tx.objectStore('utterances').put(row);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('write failed'));
      });
      db.close();
    },
    { name: TRANSCRIPT_DB_NAME, record, rows },
  );
}
