/**
 * Saved transcripts in IndexedDB (through `idb`). One database per extension origin, shared by
 * every extension page and the service worker: the offscreen document writes as finals arrive,
 * the side panel and the background read.
 *
 *   sessions     key id                        SessionRecord
 *   utterances   key [sessionId, id]           Utterance + sessionId (upserted by id as finals revise it)
 *   corrections  key [sessionId, utteranceId]  a line's text as the user corrected it (version 2)
 *   search-text  key [sessionId, chunk]        what search reads of each line (version 3, search-text.ts)
 *
 * Corrections live apart from the utterances so the live session's writes (which upsert whole
 * utterances) can never overwrite one; loadSession applies them (lib/transcript/corrections.ts).
 *
 * Every write that touches a session first checks that its record still exists, in the same
 * transaction: a session the user deleted while it was live stays deleted. The search text is
 * written in the same transaction as the lines and corrections it mirrors, and deleted with them.
 *
 * Version 3 only adds the empty `search-text` store: sessions saved before are indexed one at a
 * time when first searched (searchLines), not in the upgrade, whose transaction would hold every
 * context's open (the recorder's, the panel's) for as long as reading the whole history takes.
 * Should the upgrade still fail, the archive opens the database as it is, without the index
 * (searchLines then reads whole sessions as before): saved sessions stay readable.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import { applyCorrection, cleanCorrection } from '../transcript/corrections';
import type { Utterance } from '../transcript/types';
import { sessionsToDelete, type RetentionPolicy } from './retention';
import {
  chunkLines,
  chunkOf,
  chunksOfSession,
  COMPLETE_MARK,
  emptyChunk,
  linesOfChunks,
  toChunk,
  utteranceOrder,
  withRecognized,
  type SearchLine,
  type SearchTextChunk,
} from './search-text';
import { MAX_TITLE_CHARS, plainText, type SavedSession, type SessionRecord, type SessionSummary } from './session-record';

export const TRANSCRIPT_DB_NAME = 'captionist-transcripts';
const DB_VERSION = 3;
const SEARCH_TEXT = 'search-text';

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
  'search-text': { key: [string, number]; value: SearchTextChunk };
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
  /**
   * What search reads of a session: its lines (corrections applied) in the order loadSession
   * gives them, from the search text; a session not indexed yet is read whole and indexed. Null
   * when the session is gone.
   */
  searchLines(id: string): Promise<SearchLine[] | null>;
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

/** Utterances saved before channels existed have none: they were all one stream, channel 0. */
function toUtterance(stored: StoredUtterance): Utterance {
  const { sessionId: _sessionId, channel, ...utterance } = stored;
  return { ...utterance, channel: channel ?? 0 };
}

/** A session's stored lines (in key order) as shown: corrections applied, in time order. */
function shownUtterances(stored: readonly StoredUtterance[], corrections: readonly StoredCorrection[]): Utterance[] {
  const correctedText = new Map(corrections.map((c) => [c.utteranceId, c.text]));
  return stored
    .map((s) => {
      const utterance = toUtterance(s);
      const text = correctedText.get(utterance.id);
      return text === undefined ? utterance : applyCorrection(utterance, text);
    })
    .sort(utteranceOrder);
}

type IndexStore = IDBPObjectStore<TranscriptDbSchema, ('sessions' | 'utterances' | 'search-text')[], 'search-text', 'readwrite'>;

/** The chunks of the search text `utterances` fall in, each with the utterances to write into it. */
async function readChunks(store: IndexStore, sessionId: string, utterances: readonly Utterance[]): Promise<[SearchTextChunk, Utterance[]][]> {
  const byChunk = new Map<number, Utterance[]>();
  for (const utterance of utterances) {
    const chunk = chunkOf(utterance.id);
    const list = byChunk.get(chunk);
    if (list) list.push(utterance);
    else byChunk.set(chunk, [utterance]);
  }
  return Promise.all(
    [...byChunk].map(async ([chunk, changed]): Promise<[SearchTextChunk, Utterance[]]> => [(await store.get([sessionId, chunk])) ?? emptyChunk(sessionId, chunk), changed]),
  );
}

/** Writes `utterances` (as recognized) into their chunks. */
function writeChunks(store: IndexStore, chunks: readonly [SearchTextChunk, Utterance[]][]): void {
  for (const [chunk, changed] of chunks) {
    const lines = chunkLines(chunk);
    for (const utterance of changed) withRecognized(lines, utterance);
    void store.put(toChunk(chunk.sessionId, chunk.chunk, lines.values()));
  }
}

class IdbTranscriptArchive implements TranscriptArchive {
  /** False when the database could not be upgraded to have the search text (see the header). */
  private readonly indexed: boolean;

  constructor(private readonly db: Db) {
    this.indexed = db.objectStoreNames.contains(SEARCH_TEXT);
  }

  async createSession(record: SessionRecord): Promise<void> {
    if (!this.indexed) {
      await this.db.put('sessions', record);
      return;
    }
    // A new session has no lines: its (empty) index is complete from the start. (Lines already
    // saved under this id, which only a writer other than this archive leaves, get indexed when searched.)
    const tx = this.db.transaction(['sessions', 'utterances', SEARCH_TEXT], 'readwrite');
    void tx.objectStore('sessions').put(record);
    if ((await tx.objectStore('utterances').count(utteranceRange(record.id))) === 0) void tx.objectStore(SEARCH_TEXT).put(emptyChunk(record.id, COMPLETE_MARK));
    await tx.done;
  }

  async saveUtterances(sessionId: string, utterances: readonly Utterance[], patch: SessionPatch): Promise<WriteResult> {
    const tx = this.db.transaction(this.indexed ? ['sessions', 'utterances', SEARCH_TEXT] : ['sessions', 'utterances'], 'readwrite');
    const sessions = tx.objectStore('sessions');
    // The chunks are asked for with the record, not after it: one round trip fewer per write.
    const index = this.indexed ? tx.objectStore(SEARCH_TEXT) : null;
    const chunks = index ? readChunks(index, sessionId, utterances) : null;
    const [record, read] = await Promise.all([sessions.get(sessionId), chunks]);
    if (!record) {
      await tx.done;
      return 'missing';
    }
    const store = tx.objectStore('utterances');
    for (const utterance of utterances) void store.put({ ...utterance, sessionId });
    void sessions.put({ ...record, ...patch });
    if (index && read) writeChunks(index, read);
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
    const tx = this.db.transaction(
      this.indexed ? ['sessions', 'utterances', 'corrections', SEARCH_TEXT] : ['sessions', 'utterances', 'corrections'],
      'readwrite',
    );
    const exists = (await tx.objectStore('sessions').count(sessionId)) > 0;
    const stored = exists ? await tx.objectStore('utterances').get([sessionId, utteranceId]) : undefined;
    if (!stored) {
      await tx.done;
      return null;
    }
    const original = toUtterance(stored);
    const corrected = cleanCorrection(text);
    const corrections = tx.objectStore('corrections');
    const reverted = corrected === cleanCorrection(original.text);
    if (reverted) void corrections.delete([sessionId, utteranceId]);
    else void corrections.put({ sessionId, utteranceId, text: corrected, editedAt: now });
    if (this.indexed) {
      const index = tx.objectStore(SEARCH_TEXT);
      const chunk = await index.get([sessionId, chunkOf(utteranceId)]);
      const lines = chunk ? chunkLines(chunk) : null;
      // A line not in the index belongs to a session not indexed yet: indexing it will read the correction.
      if (lines?.has(utteranceId)) {
        lines.set(utteranceId, { id: utteranceId, start: original.start, speaker: original.speaker, text: reverted ? original.text : corrected, corrected: !reverted });
        void index.put(toChunk(sessionId, chunkOf(utteranceId), lines.values()));
      }
    }
    await tx.done;
    return reverted ? original : applyCorrection(original, corrected);
  }

  async searchLines(id: string): Promise<SearchLine[] | null> {
    if (this.indexed) {
      const tx = this.db.transaction(['sessions', SEARCH_TEXT], 'readonly');
      const exists = (await tx.objectStore('sessions').count(id)) > 0;
      const chunks = exists ? await tx.objectStore(SEARCH_TEXT).getAll(utteranceRange(id)) : [];
      await tx.done;
      if (!exists) return null;
      const lines = linesOfChunks(chunks);
      if (lines) return lines;
    }
    const lines = this.indexed ? await this.indexSession(id) : (await this.loadSession(id))?.transcript.utterances;
    return lines ? lines.map(({ id: lineId, start, speaker, text }) => ({ id: lineId, start, speaker, text })) : null;
  }

  /**
   * A session saved before the search text existed: reads it whole (as loadSession) and writes its
   * search text, in one transaction so no write to it comes between. The lines, or null when the
   * session is gone; a failed write is reported and the lines still answered.
   */
  private async indexSession(id: string): Promise<Utterance[] | null> {
    const tx = this.db.transaction(['sessions', 'utterances', 'corrections', SEARCH_TEXT], 'readwrite');
    const exists = (await tx.objectStore('sessions').count(id)) > 0;
    const stored = exists ? await tx.objectStore('utterances').getAll(utteranceRange(id)) : [];
    const corrections = exists ? await tx.objectStore('corrections').getAll(utteranceRange(id)) : [];
    const lines = exists ? shownUtterances(stored, corrections) : null;
    if (lines) {
      const index = tx.objectStore(SEARCH_TEXT);
      void index.delete(utteranceRange(id));
      for (const chunk of chunksOfSession(id, lines, new Set(corrections.map((c) => c.utteranceId)))) void index.put(chunk);
    }
    try {
      await tx.done;
    } catch (error) {
      console.warn('[captionist] indexing a saved session for search failed:', error);
    }
    return lines;
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
    return { summary, transcript: { utterances: shownUtterances(stored, corrections), interims: [] } };
  }

  async latestSession(): Promise<SavedSession | null> {
    const [newest] = await this.listSessions();
    return newest ? this.loadSession(newest.id) : null;
  }

  async deleteSession(id: string): Promise<boolean> {
    const tx = this.db.transaction(
      this.indexed ? ['sessions', 'utterances', 'corrections', SEARCH_TEXT] : ['sessions', 'utterances', 'corrections'],
      'readwrite',
    );
    const existed = (await tx.objectStore('sessions').count(id)) > 0;
    void tx.objectStore('sessions').delete(id);
    void tx.objectStore('utterances').delete(utteranceRange(id));
    void tx.objectStore('corrections').delete(utteranceRange(id));
    if (this.indexed) void tx.objectStore(SEARCH_TEXT).delete(utteranceRange(id));
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

/** The stores this archive cannot work without (version 2); the search text is optional. */
const REQUIRED_STORES = ['sessions', 'utterances', 'corrections'] as const;

/**
 * Opens the archive. `onReplaced` runs when a newer version of the extension wants to upgrade
 * the database: the connection is closed at once so the upgrade is never blocked. When upgrading
 * to this version fails (the upgrade's transaction is then undone whole), the database is opened
 * at the version it has, without the search text, if it has every other store.
 */
export async function openTranscriptArchive(name = TRANSCRIPT_DB_NAME, onReplaced?: () => void): Promise<TranscriptArchive> {
  const whenReplaced = (db: () => Db) => () => {
    db().close();
    onReplaced?.();
  };
  let db: Db;
  try {
    db = await openDB<TranscriptDbSchema>(name, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        // A failed upgrade rejects the open (handled below); its transaction's own promise too.
        transaction.done.catch(() => undefined);
        if (oldVersion < 1) {
          database.createObjectStore('sessions', { keyPath: 'id' });
          database.createObjectStore('utterances', { keyPath: ['sessionId', 'id'] });
        }
        if (oldVersion < 2) database.createObjectStore('corrections', { keyPath: ['sessionId', 'utteranceId'] });
        if (oldVersion < 3) database.createObjectStore(SEARCH_TEXT, { keyPath: ['sessionId', 'chunk'] });
      },
      blocking: whenReplaced(() => db),
    });
  } catch (error) {
    // A newer version's database is not ours to read.
    if (error instanceof Error && error.name === 'VersionError') throw error;
    const existing: Db | null = await openDB<TranscriptDbSchema>(name, undefined, { blocking: whenReplaced(() => existing as Db) }).catch(() => null);
    if (!existing || !REQUIRED_STORES.every((store) => existing.objectStoreNames.contains(store))) {
      existing?.close();
      throw error;
    }
    console.warn('[captionist] upgrading the saved transcripts failed; searching them reads each session whole:', error);
    db = existing;
  }
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
