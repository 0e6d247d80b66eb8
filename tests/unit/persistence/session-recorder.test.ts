import { beforeEach, describe, expect, it, vi } from 'vitest';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { SessionRecorder } from '@/lib/persistence/session-recorder';
import { openTranscriptArchive, type TranscriptArchive } from '@/lib/persistence/transcript-archive';
import { freshIndexedDb, utterance } from './persistence-kit';

beforeEach(() => freshIndexedDb());

function recorderOver(archive: TranscriptArchive | (() => Promise<TranscriptArchive>), id = 's1', clock = { t: 10_000 }) {
  const problems: string[] = [];
  const recorder = new SessionRecorder({
    archive: typeof archive === 'function' ? archive : async () => archive,
    record: newSessionRecord(id, clock.t, 'tab', { title: '<b>Weekly</b>\u202e sync', origin: 'https://meet.example' }),
    retention: { maxSessions: 10, maxDays: 30 },
    now: () => clock.t,
    onProblem: (message) => problems.push(message),
    interruptedReason: 'cut off',
    problemMessage: (detail) => `could not save (${detail})`,
  });
  return { recorder, problems, clock };
}

describe('SessionRecorder', () => {
  it('writes each final update as it arrives, before the session ends', async () => {
    const archive = await openTranscriptArchive('r1');
    const { recorder } = recorderOver(archive);
    await recorder.begin();
    recorder.record({ changed: [utterance('u1', 0, ['hello', 'there'])], interims: [] });
    await recorder.flush();
    const midway = await archive.loadSession('s1');
    expect(midway?.transcript.utterances.map((u) => u.text)).toEqual(['hello there']);
    expect(midway?.summary).toMatchObject({ wordCount: 2, utteranceCount: 1, endedAt: null, preview: 'hello there' });
    // The page title is kept as plain text: no control or bidi-override characters.
    expect(midway?.summary.title).toBe('<b>Weekly</b> sync');
  });

  it('ignores interim-only updates: only finals are transcript', async () => {
    const archive = await openTranscriptArchive('r2');
    const save = vi.spyOn(archive, 'saveUtterances');
    const { recorder } = recorderOver(archive);
    recorder.record({ changed: [], interims: [{ words: [], text: 'maybe', start: 0, end: 1, speaker: null, channel: 0 }] });
    await recorder.flush();
    expect(save).not.toHaveBeenCalled();
  });

  it('keeps one write in flight and merges what arrives meanwhile (latest version of each utterance wins)', async () => {
    const archive = await openTranscriptArchive('r3');
    const real = archive.saveUtterances.bind(archive);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const save = vi.spyOn(archive, 'saveUtterances').mockImplementation(async (...args) => {
      if (save.mock.calls.length === 1) await gate; // hold the first write in flight
      return real(...args);
    });
    const { recorder } = recorderOver(archive);
    await recorder.begin();
    recorder.record({ changed: [utterance('u1', 0, ['a'])], interims: [] });
    await vi.waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    recorder.record({ changed: [utterance('u1', 0, ['a', 'b'])], interims: [] });
    recorder.record({ changed: [utterance('u2', 2, ['c'])], interims: [] });
    release();
    await recorder.flush();
    expect(save).toHaveBeenCalledTimes(2);
    expect(save.mock.calls[1]?.[1].map((u) => u.id)).toEqual(['u1', 'u2']);
    const saved = await archive.loadSession('s1');
    expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['a b', 'c']);
    expect(saved?.summary.wordCount).toBe(3);
  });

  it('finish marks the session ended with the reason and applies retention', async () => {
    const archive = await openTranscriptArchive('r4');
    const { recorder, clock } = recorderOver(archive);
    recorder.record({ changed: [utterance('u1', 0, ['bye'])], interims: [] });
    clock.t = 20_000;
    await recorder.finish(clock.t, 'The tab went to another site.');
    expect((await archive.loadSession('s1'))?.summary).toMatchObject({ endedAt: 20_000, endReason: 'The tab went to another site.', wordCount: 1 });
  });

  it('stops writing once the user deleted the live session', async () => {
    const archive = await openTranscriptArchive('r5');
    const { recorder } = recorderOver(archive);
    recorder.record({ changed: [utterance('u1', 0, ['one'])], interims: [] });
    await recorder.flush();
    await archive.deleteSession('s1');
    recorder.record({ changed: [utterance('u2', 1, ['two'])], interims: [] });
    await recorder.finish(30_000, null);
    expect(recorder.deleted).toBe(true);
    expect(await archive.listSessions()).toEqual([]);
  });

  it('closes sessions a crash left live when a new one begins', async () => {
    const archive = await openTranscriptArchive('r6');
    await archive.createSession({ ...newSessionRecord('crashed', 1, 'tab', null), updatedAt: 500 });
    const { recorder } = recorderOver(archive, 'next');
    await recorder.begin();
    expect((await archive.loadSession('crashed'))?.summary).toMatchObject({ endedAt: 500, endReason: 'cut off' });
    expect((await archive.loadSession('next'))?.summary.endedAt).toBeNull();
  });

  it('reports a storage failure once and never throws into the session', async () => {
    const archive = await openTranscriptArchive('r7');
    vi.spyOn(archive, 'saveUtterances').mockRejectedValue(new DOMException('full', 'QuotaExceededError'));
    const { recorder, problems } = recorderOver(archive);
    recorder.record({ changed: [utterance('u1', 0, ['a'])], interims: [] });
    await recorder.flush();
    recorder.record({ changed: [utterance('u2', 1, ['b'])], interims: [] });
    await recorder.flush();
    expect(problems).toEqual(['could not save (QuotaExceededError)']);
  });

  it('goes on without saving when the database cannot be opened', async () => {
    const { recorder, problems } = recorderOver(() => Promise.reject(new Error('no IndexedDB here')));
    recorder.record({ changed: [utterance('u1', 0, ['a'])], interims: [] });
    await expect(recorder.finish(1, null)).resolves.toBeUndefined();
    expect(problems).toHaveLength(1);
  });
});

describe('SessionRecorder.correct (a live line corrected by the user)', () => {
  it("keeps the user's text through the line's later writes, in the saved session and its preview", async () => {
    const archive = await openTranscriptArchive('rc1');
    const { recorder } = recorderOver(archive);
    await recorder.begin();
    recorder.record({ changed: [utterance('u1', 0, ['the', 'budgie', 'is', 'ready']), utterance('u2', 2, ['thanks'])], interims: [] });
    // Not flushed: the correction writes what is pending first, so the line is there to correct.
    const outcome = await recorder.correct('u1', '  The budget   is ready. ');
    expect(outcome).toMatchObject({ ok: true, utterance: { id: 'u1', text: 'The budget is ready.' } });
    expect(recorder.corrections.textOf('u1')).toBe('The budget is ready.');
    expect((await archive.loadSession('s1'))?.summary.preview).toBe('The budget is ready. thanks');
    // The engine writes the line again (a late word): the correction and the preview stay.
    recorder.record({ changed: [utterance('u1', 0, ['the', 'budgie', 'is', 'ready', 'now'])], interims: [] });
    await recorder.flush();
    const saved = await archive.loadSession('s1');
    expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['The budget is ready.', 'thanks']);
    expect(saved?.summary.preview).toBe('The budget is ready. thanks');
    expect(saved?.summary.wordCount).toBe(6);
  });

  it('text equal to what was recognized removes the correction', async () => {
    const archive = await openTranscriptArchive('rc2');
    const { recorder } = recorderOver(archive);
    recorder.record({ changed: [utterance('u1', 0, ['hello', 'there'])], interims: [] });
    await recorder.correct('u1', 'hello Dana');
    const back = await recorder.correct('u1', 'hello there');
    expect(back).toMatchObject({ ok: true, utterance: { text: 'hello there' } });
    expect(recorder.corrections.size).toBe(0);
    expect((await archive.loadSession('s1'))?.summary.preview).toBe('hello there');
  });

  it('a line never recorded, or a session the user deleted, is gone; a failing store says so', async () => {
    const archive = await openTranscriptArchive('rc3');
    const { recorder } = recorderOver(archive);
    recorder.record({ changed: [utterance('u1', 0, ['a'])], interims: [] });
    expect(await recorder.correct('u9', 'x')).toMatchObject({ ok: false, reason: 'gone' });
    vi.spyOn(archive, 'correctUtterance').mockRejectedValueOnce(Object.assign(new Error('full'), { name: 'QuotaExceededError' }));
    expect(await recorder.correct('u1', 'x')).toEqual({ ok: false, reason: 'failed', detail: 'QuotaExceededError' });
    await archive.deleteSession('s1');
    recorder.record({ changed: [utterance('u2', 1, ['b'])], interims: [] });
    expect(await recorder.correct('u1', 'x')).toMatchObject({ ok: false, reason: 'gone' });
    expect(recorder.corrections.size).toBe(0);
  });
});
