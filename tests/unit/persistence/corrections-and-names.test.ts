/**
 * Corrections and names given to saved sessions, in the archive: kept apart from the recognized
 * utterances, so the live session's later writes (a revised final, the session's end) never undo
 * them; applied on every load; gone with their session.
 */
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { SessionRecorder } from '@/lib/persistence/session-recorder';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import { freshIndexedDb, utterance } from './persistence-kit';

beforeEach(() => freshIndexedDb());

describe('correcting a saved line', () => {
  it('keeps the speaker and times, rebuilds the words, and survives reopening the database', async () => {
    const archive = await openTranscriptArchive('c1');
    await archive.createSession(newSessionRecord('s1', 1000, 'tab', null));
    await archive.saveUtterances('s1', [{ ...utterance('u1', 2, ['the', 'budge', 'is', 'ready']), speaker: 1 }], {});
    const corrected = await archive.correctUtterance('s1', 'u1', '  the  budget is ready ', 5000);
    expect(corrected).toMatchObject({ id: 'u1', text: 'the budget is ready', speaker: 1, start: 2 });
    archive.close();

    const reopened = await openTranscriptArchive('c1');
    const line = (await reopened.loadSession('s1'))?.transcript.utterances[0];
    expect(line?.text).toBe('the budget is ready');
    expect(line?.speaker).toBe(1);
    expect(line?.start).toBe(2);
    // Same number of words: each keeps its own times; only the changed one is new.
    expect(line?.words.map((w) => [w.text, w.start])).toEqual([
      ['the', 2],
      ['budget', 2.3],
      ['is', 2.6],
      ['ready', 2.9],
    ]);
    expect(line?.words[0]?.confidence).toBe(0.9);
    expect(line?.words[1]?.confidence).toBe(1);
  });

  it('is not overwritten when the live session writes the same utterance again, nor by its end', async () => {
    const archive = await openTranscriptArchive('c2');
    const clock = { t: 10_000 };
    const recorder = new SessionRecorder({
      archive: async () => archive,
      record: newSessionRecord('live', clock.t, 'tab', null),
      retention: { maxSessions: 10, maxDays: 30 },
      now: () => clock.t,
      onProblem: () => undefined,
      interruptedReason: 'cut off',
      problemMessage: (detail) => detail,
    });
    await recorder.begin();
    recorder.record({ changed: [utterance('u1', 0, ['hello', 'wold'])], interims: [] });
    await recorder.flush();
    await archive.correctUtterance('live', 'u1', 'hello world', clock.t);
    await archive.renameSession('live', 'Standup');
    // The live store revises the same final and writes more; then the session ends.
    recorder.record({ changed: [utterance('u1', 0, ['hello', 'wold', 'again']), utterance('u2', 3, ['next'])], interims: [] });
    await recorder.finish(clock.t + 1000, null);
    const saved = await archive.loadSession('live');
    expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['hello world', 'next']);
    expect(saved?.summary.title).toBe('Standup');
    expect(saved?.summary.endedAt).toBe(clock.t + 1000);
  });

  it('putting back the recognized text removes the correction; a missing line or session answers null', async () => {
    const archive = await openTranscriptArchive('c3');
    await archive.createSession(newSessionRecord('s1', 1000, 'mic', null));
    await archive.saveUtterances('s1', [utterance('u1', 0, ['one', 'two'])], {});
    await archive.correctUtterance('s1', 'u1', 'one three four', 1);
    expect((await archive.loadSession('s1'))?.transcript.utterances[0]?.text).toBe('one three four');
    expect((await archive.correctUtterance('s1', 'u1', 'one two', 2))?.text).toBe('one two');
    expect((await archive.loadSession('s1'))?.transcript.utterances[0]?.words.map((w) => w.confidence)).toEqual([0.9, 0.9]);
    expect(await archive.correctUtterance('s1', 'nope', 'x', 3)).toBeNull();
    expect(await archive.correctUtterance('gone', 'u1', 'x', 3)).toBeNull();
  });

  it('deleting a session deletes its corrections, so a new session under the same id starts clean', async () => {
    const archive = await openTranscriptArchive('c4');
    await archive.createSession(newSessionRecord('s1', 1000, 'mic', null));
    await archive.saveUtterances('s1', [utterance('u1', 0, ['one'])], {});
    await archive.correctUtterance('s1', 'u1', 'uno', 1);
    await archive.deleteSession('s1');
    await archive.createSession(newSessionRecord('s1', 2000, 'mic', null));
    await archive.saveUtterances('s1', [utterance('u1', 0, ['fresh'])], {});
    expect((await archive.loadSession('s1'))?.transcript.utterances[0]?.text).toBe('fresh');
  });
});

describe('a database saved by the version before corrections', () => {
  it('is upgraded in place: its sessions load, and its lines can be corrected', async () => {
    const v1 = await openDB('old', 1, {
      upgrade(db) {
        db.createObjectStore('sessions', { keyPath: 'id' });
        db.createObjectStore('utterances', { keyPath: ['sessionId', 'id'] });
      },
    });
    await v1.put('sessions', newSessionRecord('s1', 1000, 'tab', null));
    await v1.put('utterances', { ...utterance('u1', 0, ['kept']), sessionId: 's1' });
    v1.close();
    const archive = await openTranscriptArchive('old');
    expect((await archive.loadSession('s1'))?.transcript.utterances[0]?.text).toBe('kept');
    expect((await archive.correctUtterance('s1', 'u1', 'kept safe', 1))?.text).toBe('kept safe');
  });
});

describe('renaming a saved session', () => {
  it('keeps the name plain and short, and answers missing for a deleted session', async () => {
    const archive = await openTranscriptArchive('n1');
    await archive.createSession(newSessionRecord('s1', 1000, 'tab', { title: 'Page', origin: 'https://a.example' }));
    expect(await archive.renameSession('s1', ' Board\u202e  review\n')).toBe('saved');
    expect((await archive.listSessions())[0]?.title).toBe('Board review');
    expect(await archive.renameSession('s1', 'x'.repeat(500))).toBe('saved');
    expect((await archive.listSessions())[0]?.title).toHaveLength(200);
    expect(await archive.renameSession('nope', 'x')).toBe('missing');
  });
});
