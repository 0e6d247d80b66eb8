/**
 * Saved transcripts in IndexedDB (through `idb`). One database per extension origin, shared by
 * every extension page and the service worker: the offscreen document writes as finals arrive,
 * the side panel and the background read.
 *
 *   sessions     key id                        SessionRecord
 *   utterances   key [sessionId, id]           Utterance + sessionId (upserted by id as finals revise it)
 *   corrections  key [sessionId, utteranceId]  a line's text as the user corrected it (version 2)
 *
 * Corrections live apart from the utterances so the live session's writes (which upsert whole
 * utterances) can never overwrite one; loadSession applies them (lib/transcript/corrections.ts).
 *
 * Every write that touches a session first checks that its record still exists, in the same
 * transaction: a session the user deleted while it was live stays deleted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { applyCorrection, cleanCorrection } from '../transcript/corrections';
import type { Utterance } from '../transcript/types';
import { sessionsToDelete, type RetentionPolicy } from './retention';
import { MAX_TITLE_CHARS, plainText, type SavedSession, type SessionRecord, type SessionSummary } from './session-record';

export const TRANSCRIPT_DB_NAME = 'captionist-transcripts';
const DB_VERSION = 2;

interface StoredUtterance extends Omit<Utterance, 'channel'> {
  sessionId: string;
  /** Absent in utterances saved before channels existed. */
  channel?: number;
}

interface StoredCorrection {
  sessionId: string;
  utteranceId: string;
  text: string;
  /** Epoch milliseconds. */
  editedAt: number;
}

interface TranscriptDbSchema extends DBSchema {
  sessions: { key: string; value: SessionRecord };
  utterances: { key: [string, string]; value: StoredUtterance };
  corrections: { key: [string, string]; value: StoredCorrection };
}

type Db = IDBPDatabase<TranscriptDbSchema>;

/** 'missing': the session record is gone (deleted by the user); nothing was written. */
export type WriteResult = 'saved' | 'missing';

export type SessionPatch = Partial<Omit<SessionRecord, 'id' | 'startedAt' | 'source' | 'title' | 'origin'>>;

export interface TranscriptArchive {
  createSession(record: SessionRecord): Promise<void>;
  /** Upserts utterances (by id) and patches the session record, in one transaction. */
  saveUtterances(sessionId: string, utterances: readonly Utterance[], patch: SessionPatch): Promise<WriteResult>;
  updateSession(sessionId: string, patch: SessionPatch): Promise<WriteResult>;
  /** Gives the session the user's name for it (kept through the live session's later writes). */
  renameSession(sessionId: string, title: string): Promise<WriteResult>;
  /**
   * Keeps the user's text for one line; the corrected utterance, or null when the session or the
   * line is gone. Text equal to what was recognized removes the correction.
   */
  correctUtterance(sessionId: string, utteranceId: string, text: string, now: number): Promise<Utterance | null>;
  /** Newest first. */
  listSessions(): Promise<SessionSummary[]>;
  loadSession(id: string): Promise<SavedSession | null>;
  /** The most recently started session, or null when nothing is saved. */
  latestSession(): Promise<SavedSession | null>;
  /** True when something was deleted. */
  deleteSession(id: string): Promise<boolean>;
  /** Deletes what `policy` does not keep; returns the deleted ids. */
  prune(policy: RetentionPolicy, now: number, protect?: ReadonlySet<string>): Promise<string[]>;
  /**
   * Sessions left "live" by a document that was closed without ending them (browser quit, crash,
   * extension reload) are marked ended at their last write, with `reason`. Returns how many.
   */
  closeInterrupted(reason: string, exceptId?: string): Promise<number>;
  close(): void;
}

/** All keys [sessionId, *]: arrays sort after strings, so [id, []] is above every [id, 'u…']. */
function utteranceRange(sessionId: string): IDBKeyRange {
  return IDBKeyRange.bound([sessionId], [sessionId, []]);
}

function idNumber(id: string): number {
  const match = /(\d+)$/.exec(id);
  return match ? Number(match[1]) : 0;
}

/** Utterances saved before channels existed have none: they were all one stream, channel 0. */
function toUtterance(stored: StoredUtterance): Utterance {
  const { sessionId: _sessionId, channel, ...utterance } = stored;
  return { ...utterance, channel: channel ?? 0 };
}

class IdbTranscriptArchive implements TranscriptArchive {
  constructor(private readonly db: Db) {}

  async createSession(record: SessionRecord): Promise<void> {
    await this.db.put('sessions', record);
  }

  async saveUtterances(sessionId: string, utterances: readonly Utterance[], patch: SessionPatch): Promise<WriteResult> {
    const tx = this.db.transaction(['sessions', 'utterances'], 'readwrite');
    const sessions = tx.objectStore('sessions');
    const record = await sessions.get(sessionId);
    if (!record) {
      await tx.done;
      return 'missing';
    }
    const store = tx.objectStore('utterances');
    for (const utterance of utterances) void store.put({ ...utterance, sessionId });
    void sessions.put({ ...record, ...patch });
    await tx.done;
    return 'saved';
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<WriteResult> {
    const tx = this.db.transaction('sessions', 'readwrite');
    const record = await tx.store.get(sessionId);
    if (record) void tx.store.put({ ...record, ...patch });
    await tx.done;
    return record ? 'saved' : 'missing';
  }

  async renameSession(sessionId: string, title: string): Promise<WriteResult> {
    const tx = this.db.transaction('sessions', 'readwrite');
    const record = await tx.store.get(sessionId);
    if (record) void tx.store.put({ ...record, title: plainText(title, MAX_TITLE_CHARS) });
    await tx.done;
    return record ? 'saved' : 'missing';
  }

  async correctUtterance(sessionId: string, utteranceId: string, text: string, now: number): Promise<Utterance | null> {
    const tx = this.db.transaction(['sessions', 'utterances', 'corrections'], 'readwrite');
    const exists = (await tx.objectStore('sessions').count(sessionId)) > 0;
    const stored = exists ? await tx.objectStore('utterances').get([sessionId, utteranceId]) : undefined;
    if (!stored) {
      await tx.done;
      return null;
    }
    const original = toUtterance(stored);
    const corrected = cleanCorrection(text);
    const corrections = tx.objectStore('corrections');
    if (corrected === cleanCorrection(original.text)) void corrections.delete([sessionId, utteranceId]);
    else void corrections.put({ sessionId, utteranceId, text: corrected, editedAt: now });
    await tx.done;
    return corrected === cleanCorrection(original.text) ? original : applyCorrection(original, corrected);
  }

  async listSessions(): Promise<SessionSummary[]> {
    const all = await this.db.getAll('sessions');
    return all.sort((a, b) => b.startedAt - a.startedAt);
  }

  async loadSession(id: string): Promise<SavedSession | null> {
    const tx = this.db.transaction(['sessions', 'utterances', 'corrections'], 'readonly');
    const summary = await tx.objectStore('sessions').get(id);
    const stored = summary ? await tx.objectStore('utterances').getAll(utteranceRange(id)) : [];
    const corrections = summary ? await tx.objectStore('corrections').getAll(utteranceRange(id)) : [];
    await tx.done;
    if (!summary) return null;
    const correctedText = new Map(corrections.map((c) => [c.utteranceId, c.text]));
    const utterances = stored
      .map((s) => {
        const utterance = toUtterance(s);
        const text = correctedText.get(utterance.id);
        return text === undefined ? utterance : applyCorrection(utterance, text);
      })
      .sort((a, b) => a.start - b.start || idNumber(a.id) - idNumber(b.id));
    return { summary, transcript: { utterances, interims: [] } };
  }

  async latestSession(): Promise<SavedSession | null> {
    const [newest] = await this.listSessions();
    return newest ? this.loadSession(newest.id) : null;
  }

  async deleteSession(id: string): Promise<boolean> {
    const tx = this.db.transaction(['sessions', 'utterances', 'corrections'], 'readwrite');
    const existed = (await tx.objectStore('sessions').count(id)) > 0;
    void tx.objectStore('sessions').delete(id);
    void tx.objectStore('utterances').delete(utteranceRange(id));
    void tx.objectStore('corrections').delete(utteranceRange(id));
    await tx.done;
    return existed;
  }

  async prune(policy: RetentionPolicy, now: number, protect: ReadonlySet<string> = new Set()): Promise<string[]> {
    const doomed = sessionsToDelete(await this.db.getAll('sessions'), policy, now, protect);
    for (const id of doomed) await this.deleteSession(id);
    return doomed;
  }

  async closeInterrupted(reason: string, exceptId?: string): Promise<number> {
    const tx = this.db.transaction('sessions', 'readwrite');
    let count = 0;
    for (const record of await tx.store.getAll()) {
      if (record.endedAt !== null || record.id === exceptId) continue;
      void tx.store.put({ ...record, endedAt: record.updatedAt, endReason: reason });
      count += 1;
    }
    await tx.done;
    return count;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Opens the archive. `onReplaced` runs when a newer version of the extension wants to upgrade
 * the database: the connection is closed at once so the upgrade is never blocked.
 */
export async function openTranscriptArchive(name = TRANSCRIPT_DB_NAME, onReplaced?: () => void): Promise<TranscriptArchive> {
  const db = await openDB<TranscriptDbSchema>(name, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('sessions', { keyPath: 'id' });
        database.createObjectStore('utterances', { keyPath: ['sessionId', 'id'] });
      }
      if (oldVersion < 2) database.createObjectStore('corrections', { keyPath: ['sessionId', 'utteranceId'] });
    },
    blocking() {
      db.close();
      onReplaced?.();
    },
  });
  return new IdbTranscriptArchive(db);
}

let shared: Promise<TranscriptArchive> | null = null;

/** One connection per context, reopened if it was closed for an upgrade or failed to open. */
export function sharedArchive(): Promise<TranscriptArchive> {
  shared ??= openTranscriptArchive(TRANSCRIPT_DB_NAME, () => {
    shared = null;
  }).catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared;
}
