import { beforeEach, describe, expect, it } from 'vitest';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import { newSessionRecord } from '@/lib/persistence/session-record';
import type { Utterance } from '@/lib/transcript/types';
import { freshIndexedDb, utterance } from './persistence-kit';

const DAY = 24 * 3600 * 1000;

beforeEach(() => freshIndexedDb());

describe('transcript archive (IndexedDB)', () => {
  it('saves utterances as they come, upserts a revised one by id, and loads them in time order', async () => {
    const archive = await openTranscriptArchive('t1');
    await archive.createSession(newSessionRecord('s1', 1000, 'tab', { title: 'Meeting', origin: 'https://meet.example' }));
    await archive.saveUtterances('s1', [utterance('u2', 5, ['second'])], { wordCount: 1 });
    await archive.saveUtterances('s1', [utterance('u1', 1, ['first']), utterance('u10', 9, ['tenth'])], { wordCount: 3 });
    await archive.saveUtterances('s1', [utterance('u1', 1, ['first', 'revised'])], { wordCount: 4 });
    const saved = await archive.loadSession('s1');
    expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['first revised', 'second', 'tenth']);
    expect(saved?.transcript.interims).toEqual([]);
    expect(saved?.summary).toMatchObject({ id: 's1', title: 'Meeting', origin: 'https://meet.example', wordCount: 4, endedAt: null });
    expect(saved?.transcript.utterances[0]).not.toHaveProperty('sessionId');
  });

  it('keeps the channel of a meeting utterance, and reads one saved before channels existed as channel 0', async () => {
    const archive = await openTranscriptArchive('t-channels');
    await archive.createSession(newSessionRecord('m1', 1000, 'tab-and-mic', null));
    const { channel: _none, ...saveBeforeChannels } = utterance('u1', 0, ['old']);
    // What an older version stored: an utterance without the field.
    await archive.saveUtterances('m1', [saveBeforeChannels as unknown as Utterance, { ...utterance('u2', 1, ['mine']), channel: 1 }], {});
    const saved = await archive.loadSession('m1');
    expect(saved?.transcript.utterances.map((u) => [u.id, u.channel])).toEqual([
      ['u1', 0],
      ['u2', 1],
    ]);
  });

  it("loads sessions saved before ids named their session (u1...) beside ones whose ids do (s<startedAt>-u1...)", async () => {
    const archive = await openTranscriptArchive('t-ids');
    await archive.createSession(newSessionRecord('before', 1000, 'tab', null));
    await archive.createSession(newSessionRecord('after', 2000, 'tab', null));
    await archive.saveUtterances('before', [utterance('u1', 0, ['old', 'one']), utterance('u2', 1, ['old', 'two'])], {});
    // Same start: ties go by the number after the session, 2 before 10.
    await archive.saveUtterances('after', [utterance('s2000-u10', 3, ['tenth']), utterance('s2000-u2', 3, ['second']), utterance('s2000-u1', 0, ['first'])], {});
    expect((await archive.loadSession('before'))?.transcript.utterances.map((u) => [u.id, u.text])).toEqual([['u1', 'old one'], ['u2', 'old two']]);
    expect((await archive.loadSession('after'))?.transcript.utterances.map((u) => u.text)).toEqual(['first', 'second', 'tenth']);
    expect((await archive.latestSession())?.summary.id).toBe('after');
  });

  it('lists newest first and answers the latest session with its transcript', async () => {
    const archive = await openTranscriptArchive('t2');
    for (const [id, at] of [['old', 1000], ['new', 3000], ['mid', 2000]] as const) {
      await archive.createSession(newSessionRecord(id, at, 'mic', null));
      await archive.saveUtterances(id, [utterance('u1', 0, [id])], {});
    }
    expect((await archive.listSessions()).map((s) => s.id)).toEqual(['new', 'mid', 'old']);
    expect((await archive.latestSession())?.transcript.utterances[0]?.text).toBe('new');
  });

  it('deletes one session and all its utterances, and nothing of the others', async () => {
    const archive = await openTranscriptArchive('t3');
    await archive.createSession(newSessionRecord('a', 1, 'tab', null));
    await archive.createSession(newSessionRecord('ab', 2, 'tab', null)); // a prefix of another id must not match
    await archive.saveUtterances('a', [utterance('u1', 0, ['x']), utterance('u2', 1, ['y'])], {});
    await archive.saveUtterances('ab', [utterance('u1', 0, ['z'])], {});
    expect(await archive.deleteSession('a')).toBe(true);
    expect(await archive.deleteSession('a')).toBe(false);
    expect(await archive.loadSession('a')).toBeNull();
    expect((await archive.loadSession('ab'))?.transcript.utterances.map((u) => u.text)).toEqual(['z']);
  });

  it('writes nothing for a session deleted while it was live, and says so', async () => {
    const archive = await openTranscriptArchive('t4');
    await archive.createSession(newSessionRecord('live', 1, 'tab', null));
    await archive.deleteSession('live');
    expect(await archive.saveUtterances('live', [utterance('u1', 0, ['secret'])], {})).toBe('missing');
    expect(await archive.updateSession('live', { endedAt: 5 })).toBe('missing');
    expect(await archive.loadSession('live')).toBeNull();
    expect(await archive.listSessions()).toEqual([]);
  });

  it('prunes past the newest N and older than D days, never the protected live session', async () => {
    const archive = await openTranscriptArchive('t5');
    const now = 100 * DAY;
    for (let i = 0; i < 6; i++) {
      const record = { ...newSessionRecord(`s${i}`, now - (6 - i) * DAY, 'tab', null), endedAt: now - (6 - i) * DAY + 1000 };
      await archive.createSession(record);
    }
    await archive.createSession(newSessionRecord('ancient-live', now - 50 * DAY, 'tab', null));
    const deleted = await archive.prune({ maxSessions: 3, maxDays: 4 }, now, new Set(['ancient-live']));
    expect(deleted.sort()).toEqual(['s0', 's1', 's2', 's3']);
    expect((await archive.listSessions()).map((s) => s.id)).toEqual(['s5', 's4', 'ancient-live']);
  });

  it('marks sessions a closed document left live as ended at their last write', async () => {
    const archive = await openTranscriptArchive('t6');
    await archive.createSession({ ...newSessionRecord('cut', 1000, 'tab', null), updatedAt: 7000 });
    await archive.createSession(newSessionRecord('current', 9000, 'tab', null));
    expect(await archive.closeInterrupted('cut off', 'current')).toBe(1);
    const sessions = await archive.listSessions();
    expect(sessions.find((s) => s.id === 'cut')).toMatchObject({ endedAt: 7000, endReason: 'cut off' });
    expect(sessions.find((s) => s.id === 'current')?.endedAt).toBeNull();
  });

  it('is shared: a second connection (another extension page) reads what the first wrote', async () => {
    const writer = await openTranscriptArchive('t7');
    const reader = await openTranscriptArchive('t7');
    await writer.createSession(newSessionRecord('s', 1, 'tab', null));
    await writer.saveUtterances('s', [utterance('u1', 0, ['hello'])], { wordCount: 1 });
    expect((await reader.loadSession('s'))?.transcript.utterances[0]?.text).toBe('hello');
    writer.close();
    reader.close();
  });
});
