/**
 * The panel's search over the real archive: a session's lines are read once and kept for later
 * searches, but a correction, a session's new lines or its deletion are seen by the next search.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import { archiveHistory } from '@/lib/views/session-history-archive';
import { freshIndexedDb, utterance } from './persistence-kit';

beforeEach(() => freshIndexedDb());

describe('search across the saved archive', () => {
  it('reads each session once, and sees corrections, new lines and deletions', async () => {
    const archive = await openTranscriptArchive('hs1');
    await archive.createSession(newSessionRecord('a', 1000, 'tab', { title: 'A', origin: '' }));
    await archive.createSession(newSessionRecord('b', 2000, 'tab', { title: 'B', origin: '' }));
    await archive.saveUtterances('a', [utterance('u1', 0, ['the', 'budgie', 'is', 'ready'])], { updatedAt: 1001 });
    await archive.saveUtterances('b', [utterance('u1', 0, ['budgie', 'again'])], { updatedAt: 2001 });
    const load = vi.spyOn(archive, 'searchLines');
    const loadWhole = vi.spyOn(archive, 'loadSession');
    const history = archiveHistory(async () => archive);

    expect((await history.searchSessions('budgie')).groups.map((g) => g.session.id)).toEqual(['b', 'a']);
    expect((await history.searchSessions('ready')).totalMatches).toBe(1);
    expect(load).toHaveBeenCalledTimes(2);
    // The search text is read, never a whole session.
    expect(loadWhole).not.toHaveBeenCalled();

    await history.correctLine('a', 'u1', 'the budget is ready');
    expect((await history.searchSessions('budgie')).groups.map((g) => g.session.id)).toEqual(['b']);
    expect((await history.searchSessions('budget')).groups[0]?.hits[0]).toMatchObject({ utteranceId: 'u1', match: 'budget' });

    await archive.saveUtterances('b', [utterance('u2', 3, ['budget', 'too'])], { updatedAt: 2002 });
    expect((await history.searchSessions('budget')).totalMatches).toBe(2);
    await history.deleteSession('a');
    expect((await history.searchSessions('budget')).groups.map((g) => g.session.id)).toEqual(['b']);
  });
});
