/**
 * The History list's preview (a session's first words) follows a correction of one of its first
 * lines, and is left alone when a later line is corrected.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import { archiveHistory } from '@/lib/views/session-history-archive';
import { freshIndexedDb, utterance } from '../persistence/persistence-kit';

beforeEach(() => freshIndexedDb());

async function savedSession(name: string, lines: number) {
  const archive = await openTranscriptArchive(name);
  await archive.createSession(newSessionRecord('s1', 1000, 'tab', null));
  const utterances = Array.from({ length: lines }, (_, i) => utterance(`u${i + 1}`, i * 2, i === 0 ? ['the', 'budgie'] : [`line${i + 1}`]));
  await archive.saveUtterances('s1', utterances, { preview: 'the budgie line2 line3 line4 line5 line6' });
  return archive;
}

describe('the History preview after a correction', () => {
  it('shows a corrected first line', async () => {
    const archive = await savedSession('p1', 10);
    const history = archiveHistory(async () => archive);
    await history.correctLine('s1', 'u1', 'The budget');
    const [listed] = await history.listSessions();
    expect(listed?.preview).toBe('The budget line2 line3 line4 line5 line6');
  });

  it('is not rewritten for a line it does not show', async () => {
    const archive = await savedSession('p2', 10);
    const update = vi.spyOn(archive, 'updateSession');
    const history = archiveHistory(async () => archive);
    await history.correctLine('s1', 'u9', 'nine');
    expect(update).not.toHaveBeenCalled();
    expect((await history.listSessions())[0]?.preview).toBe('the budgie line2 line3 line4 line5 line6');
  });
});
