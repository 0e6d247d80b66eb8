/**
 * The search text beside the saved sessions (lib/persistence/search-text.ts): search over it
 * answers exactly what searching the loaded sessions answers, follows corrections and renames,
 * leaves nothing behind a deleted or pruned session, and sessions saved by version 2 (before it
 * existed) are found after the upgrade, which never loses them even when it fails.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_CHUNK_LINES } from '@/lib/persistence/search-text';
import { newSessionRecord, type SessionRecord } from '@/lib/persistence/session-record';
import { openTranscriptArchive, type TranscriptArchive } from '@/lib/persistence/transcript-archive';
import type { Utterance } from '@/lib/transcript/types';
import { archiveHistory } from '@/lib/views/session-history-archive';
import { searchSessions } from '@/lib/views/session-search';
import { toSummary } from '@/lib/views/session-history-archive';
import { freshIndexedDb, utterance } from './persistence-kit';

beforeEach(() => freshIndexedDb());
afterEach(() => vi.restoreAllMocks());

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}

/** Opens `name` as it is (no upgrade), raw. */
function openRaw(name: string): Promise<IDBDatabase> {
  return request(indexedDB.open(name));
}

/** How many search-text records `sessionId` has (0 when the store does not exist). */
async function indexEntries(name: string, sessionId: string): Promise<number> {
  const db = await openRaw(name);
  try {
    if (!db.objectStoreNames.contains('search-text')) return 0;
    return await request(db.transaction('search-text').objectStore('search-text').count(IDBKeyRange.bound([sessionId], [sessionId, []])));
  } finally {
    db.close();
  }
}

/** What search answered before the search text: the loaded sessions searched (lib/views/session-search.ts). */
async function searchLoaded(archive: TranscriptArchive, query: string) {
  const records = await archive.listSessions();
  return searchSessions(records.map(toSummary), async (id) => (await archive.loadSession(id))?.transcript.utterances ?? null, query);
}

/** A version-2 database as the extension left it: sessions, utterances (one line each) and a correction. */
async function seedVersion2(name: string, sessions: { record: SessionRecord; lines: Utterance[] }[], correction?: { sessionId: string; utteranceId: string; text: string }) {
  const open = indexedDB.open(name, 2);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('sessions', { keyPath: 'id' });
    open.result.createObjectStore('utterances', { keyPath: ['sessionId', 'id'] });
    open.result.createObjectStore('corrections', { keyPath: ['sessionId', 'utteranceId'] });
  };
  const db = await request(open);
  const tx = db.transaction(['sessions', 'utterances', 'corrections'], 'readwrite');
  for (const { record, lines } of sessions) {
    tx.objectStore('sessions').put(record);
    for (const line of lines) tx.objectStore('utterances').put({ ...line, sessionId: record.id });
  }
  if (correction) tx.objectStore('corrections').put({ ...correction, editedAt: 1 });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('write failed'));
  });
  db.close();
}

describe('search text', () => {
  it('answers what searching the loaded sessions answers: order, ties, chunks, revisions and corrections', async () => {
    const archive = await openTranscriptArchive('st-same');
    await archive.createSession(newSessionRecord('a', 1000, 'tab', { title: 'A', origin: '' }));
    await archive.createSession(newSessionRecord('b', 2000, 'tab', { title: 'B', origin: '' }));
    // Lines in several chunks, saved out of order, some at the same start (ties go by the id's number).
    const many = Array.from({ length: SEARCH_CHUNK_LINES * 2 + 5 }, (_, i) => utterance(`s1-u${i}`, Math.floor(i / 3), ['budget', `line${i}`]));
    await archive.saveUtterances('a', many.slice(70), {});
    await archive.saveUtterances('a', many.slice(0, 70).reverse(), {});
    await archive.saveUtterances('b', [utterance('u1', 0, ['the', 'budget']), { ...utterance('u2', 1, ['Café', 'BUDGET']), speaker: 2 }], {});
    // A revision by the live session, a correction, then the live session writing the corrected line again.
    await archive.saveUtterances('a', [utterance('s1-u3', 1, ['budget', 'revised'])], {});
    await archive.correctUtterance('a', 's1-u100', 'no money here', 5);
    await archive.saveUtterances('a', [utterance('s1-u100', 33, ['budget', 'recognized', 'again'])], {});

    for (const id of ['a', 'b']) {
      const loaded = (await archive.loadSession(id))?.transcript.utterances.map(({ id: u, start, speaker, text }) => ({ id: u, start, speaker, text }));
      expect(await archive.searchLines(id)).toEqual(loaded);
    }
    const history = archiveHistory(async () => archive);
    for (const query of ['budget', 'cafe', 'money', 'line1', 'recognized']) {
      expect(await history.searchSessions(query)).toEqual(await searchLoaded(archive, query));
    }
    expect((await history.searchSessions('money')).groups[0]?.hits[0]).toMatchObject({ utteranceId: 's1-u100', match: 'money' });
    expect((await history.searchSessions('recognized')).totalMatches).toBe(0);
  });

  it('finds a correction in a fresh panel, and the recognized words again once it is put back', async () => {
    const archive = await openTranscriptArchive('st-correct');
    await archive.createSession(newSessionRecord('s', 1000, 'tab', { title: 'Standup', origin: '' }));
    await archive.saveUtterances('s', [utterance('u1', 0, ['the', 'budgie', 'is', 'ready'])], {});
    await archive.correctUtterance('s', 'u1', 'the budget is ready', 2);
    // A new panel (no lines kept from before) reads the search text.
    expect((await archiveHistory(async () => archive).searchSessions('budget')).groups[0]?.hits[0]).toMatchObject({ utteranceId: 'u1', before: 'the ', match: 'budget', after: ' is ready' });
    expect((await archiveHistory(async () => archive).searchSessions('budgie')).totalMatches).toBe(0);
    await archive.correctUtterance('s', 'u1', 'the budgie is ready', 3);
    expect((await archiveHistory(async () => archive).searchSessions('budgie')).totalMatches).toBe(1);
    expect((await archiveHistory(async () => archive).searchSessions('budget')).totalMatches).toBe(0);
  });

  it('answers a renamed session under its new title', async () => {
    const archive = await openTranscriptArchive('st-rename');
    await archive.createSession(newSessionRecord('s', 1000, 'tab', { title: 'Page title', origin: '' }));
    await archive.saveUtterances('s', [utterance('u1', 0, ['quarterly', 'numbers'])], { updatedAt: 1001 });
    const history = archiveHistory(async () => archive);
    expect((await history.searchSessions('quarterly')).groups[0]?.session.title).toBe('Page title');
    await history.renameSession('s', 'Q3 review');
    const groups = (await history.searchSessions('quarterly')).groups;
    expect(groups.map((g) => [g.session.id, g.session.title])).toEqual([['s', 'Q3 review']]);
    expect(groups[0]?.hits[0]?.utteranceId).toBe('u1');
  });

  it('leaves no entry behind a deleted or a pruned session', async () => {
    const archive = await openTranscriptArchive('st-delete');
    for (const [id, at] of [['old', 1000], ['mid', 2000], ['new', 3000]] as const) {
      await archive.createSession({ ...newSessionRecord(id, at, 'tab', null), endedAt: at + 1 });
      await archive.saveUtterances(id, [utterance('u1', 0, ['budget', id]), utterance(`u${SEARCH_CHUNK_LINES + 1}`, 1, ['more'])], {});
    }
    await archive.correctUtterance('mid', 'u1', 'budget corrected', 5);
    expect(await indexEntries('st-delete', 'mid')).toBe(3); // the complete mark and two chunks

    expect(await archive.deleteSession('mid')).toBe(true);
    expect(await indexEntries('st-delete', 'mid')).toBe(0);
    expect(await archive.prune({ maxSessions: 1, maxDays: 3650 }, 4000)).toEqual(['old']);
    expect(await indexEntries('st-delete', 'old')).toBe(0);
    expect(await indexEntries('st-delete', 'new')).toBe(3);
    expect((await archiveHistory(async () => archive).searchSessions('budget')).groups.map((g) => g.session.id)).toEqual(['new']);
    // A session deleted while it was live gets no search text from its next write.
    expect(await archive.saveUtterances('mid', [utterance('u2', 2, ['budget'])], {})).toBe('missing');
    expect(await indexEntries('st-delete', 'mid')).toBe(0);
  });

  it('upgrades a version-2 database: its sessions and corrections are found, and indexed once', async () => {
    const lines = [utterance('u1', 0, ['the', 'budgie', 'plan']), utterance('u2', 2, ['zurich', 'office'])];
    await seedVersion2(
      'st-v2',
      [
        { record: { ...newSessionRecord('older', 1000, 'tab', { title: 'Older', origin: '' }), endedAt: 1500 }, lines },
        { record: { ...newSessionRecord('newer', 2000, 'mic', null), endedAt: 2500 }, lines: [utterance('u1', 0, ['budget', 'talk'])] },
      ],
      { sessionId: 'older', utteranceId: 'u1', text: 'the budget plan' },
    );
    const archive = await openTranscriptArchive('st-v2');
    const history = archiveHistory(async () => archive);
    const results = await history.searchSessions('budget');
    expect(results.groups.map((g) => g.session.id)).toEqual(['newer', 'older']);
    expect(results.groups[1]?.hits[0]).toMatchObject({ utteranceId: 'u1', match: 'budget', after: ' plan' });
    expect(results).toEqual(await searchLoaded(archive, 'budget'));
    expect(await indexEntries('st-v2', 'older')).toBe(2);

    // Indexed now: a fresh panel reads the search text, never the whole session.
    const loadWhole = vi.spyOn(archive, 'loadSession');
    expect((await archiveHistory(async () => archive).searchSessions('zurich')).totalMatches).toBe(1);
    expect(loadWhole).not.toHaveBeenCalled();
    // The live session's writes and corrections keep an upgraded session's text current.
    await archive.saveUtterances('older', [utterance('u3', 4, ['budget', 'again'])], {});
    await archive.correctUtterance('older', 'u2', 'geneva office', 9);
    expect(await archive.searchLines('older')).toEqual(
      (await archive.loadSession('older'))?.transcript.utterances.map(({ id, start, speaker, text }) => ({ id, start, speaker, text })),
    );
  });

  it('indexes a session another writer saved without search text (a seeded history) when it is first searched', async () => {
    const archive = await openTranscriptArchive('st-seeded');
    archive.close();
    const db = await openRaw('st-seeded');
    const tx = db.transaction(['sessions', 'utterances'], 'readwrite');
    tx.objectStore('sessions').put(newSessionRecord('seeded', 1000, 'tab', { title: 'Seeded', origin: '' }));
    tx.objectStore('utterances').put({ ...utterance('u1', 0, ['seeded', 'budget']), sessionId: 'seeded' });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();

    const reopened = await openTranscriptArchive('st-seeded');
    expect(await indexEntries('st-seeded', 'seeded')).toBe(0);
    expect((await archiveHistory(async () => reopened).searchSessions('budget')).groups.map((g) => g.session.title)).toEqual(['Seeded']);
    expect(await indexEntries('st-seeded', 'seeded')).toBe(2);
  });

  it('keeps version-2 data readable and searchable when the upgrade fails', async () => {
    await seedVersion2('st-fail', [{ record: newSessionRecord('kept', 1000, 'tab', { title: 'Kept', origin: '' }), lines: [utterance('u1', 0, ['budget', 'kept'])] }], {
      sessionId: 'kept',
      utteranceId: 'u1',
      text: 'budget kept corrected',
    });
    const create = IDBDatabase.prototype.createObjectStore;
    const failing = vi.spyOn(IDBDatabase.prototype, 'createObjectStore').mockImplementation(function (this: IDBDatabase, name, options) {
      if (name === 'search-text') throw new DOMException('disk full', 'QuotaExceededError');
      return create.call(this, name, options);
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const archive = await openTranscriptArchive('st-fail');
    failing.mockRestore();

    expect((await archive.loadSession('kept'))?.transcript.utterances.map((u) => u.text)).toEqual(['budget kept corrected']);
    expect((await archiveHistory(async () => archive).searchSessions('corrected')).groups.map((g) => g.session.id)).toEqual(['kept']);
    await archive.correctUtterance('kept', 'u1', 'budget kept twice', 3);
    await archive.saveUtterances('kept', [utterance('u2', 1, ['more'])], {});
    expect((await archive.loadSession('kept'))?.transcript.utterances.map((u) => u.text)).toEqual(['budget kept twice', 'more']);
    archive.close();

    // The next open upgrades it after all, and finds everything.
    const upgraded = await openTranscriptArchive('st-fail');
    expect((await archiveHistory(async () => upgraded).searchSessions('twice')).groups.map((g) => g.session.id)).toEqual(['kept']);
    expect(await indexEntries('st-fail', 'kept')).toBe(2);
  });
});
