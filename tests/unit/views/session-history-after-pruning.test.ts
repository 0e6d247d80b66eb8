import { describe, expect, it } from 'vitest';
import { afterPruning, EMPTY_HISTORY, type SessionHistory, type SessionSummary } from '@/lib/views/session-history';

function summary(id: string): SessionSummary {
  return { id, startedAt: 0, endedAt: 1, title: id, url: null, durationSeconds: 1, wordCount: 1, preview: '' };
}

/** A history over a mutable list, so a "pruning" can delete from it. */
function listHistory(ids: string[]): SessionHistory {
  return {
    ...EMPTY_HISTORY,
    listSessions: async () => ids.map(summary),
    loadSession: async () => null,
    deleteSession: async (id) => void ids.splice(ids.indexOf(id), 1),
  };
}

describe('past sessions listed after pruning', () => {
  it('lists only once the pruning has finished, so a session being deleted is never shown', async () => {
    const ids = ['recent', 'expired'];
    let finish: () => void = () => undefined;
    const pruning = new Promise<void>((resolve) => (finish = resolve));
    const history = afterPruning(listHistory(ids), pruning);
    const listed = history.listSessions();
    ids.splice(ids.indexOf('expired'), 1);
    finish();
    expect((await listed).map((s) => s.id)).toEqual(['recent']);
  });

  it('still lists when the pruning failed', async () => {
    const history = afterPruning(listHistory(['a']), Promise.reject(new Error('storage broken')));
    expect((await history.listSessions()).map((s) => s.id)).toEqual(['a']);
  });
});
