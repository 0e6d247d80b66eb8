import { describe, expect, it } from 'vitest';
import type { Utterance } from '@/lib/transcript/types';
import type { SessionSummary } from '@/lib/views/session-history';
import { contextOf, searchSessions } from '@/lib/views/session-search';

function summary(id: string): SessionSummary {
  return { id, startedAt: 0, endedAt: 1, title: id, url: null, durationSeconds: 1, wordCount: 1, preview: '' };
}

function line(id: string, start: number, text: string): Utterance {
  return { id, start, end: start + 1, text, words: [], speaker: 0, channel: 0, closed: true };
}

const SESSIONS: Record<string, Utterance[]> = {
  newest: [line('u1', 0, 'Nothing to see'), line('u2', 5, 'The Café budget is ready, the budget is final')],
  middle: [line('u1', 0, 'no match here')],
  oldest: [line('u1', 1, 'budget'), line('u2', 2, 'budget'), line('u3', 3, 'budget')],
};

describe('search across saved sessions', () => {
  it('finds every match, newest session first, with where it is in the line', async () => {
    const loaded: string[] = [];
    const results = await searchSessions(
      ['newest', 'middle', 'oldest'].map(summary),
      async (id) => {
        loaded.push(id);
        return SESSIONS[id] ?? null;
      },
      'BUDGET',
    );
    expect(loaded).toEqual(['newest', 'middle', 'oldest']);
    expect(results.totalMatches).toBe(5);
    expect(results.groups.map((g) => [g.session.id, g.total])).toEqual([
      ['newest', 2],
      ['oldest', 3],
    ]);
    const first = results.groups[0]?.hits[0];
    expect(first).toMatchObject({ utteranceId: 'u2', start: 5, matchStart: 9, match: 'budget', before: 'The Café ', after: ' is ready, the budget is final' });
    expect(results.complete).toBe(true);
  });

  it('folds accents like the in-session search, and lists at most the caps while counting all', async () => {
    const cafe = await searchSessions([summary('newest')], async (id) => SESSIONS[id] ?? null, 'cafe');
    expect(cafe.groups[0]?.hits[0]?.match).toBe('Café');
    const capped = await searchSessions(['newest', 'oldest'].map(summary), async (id) => SESSIONS[id] ?? null, 'budget', { hitsPerSession: 1, maxHits: 1 });
    expect(capped.groups.map((g) => [g.hits.length, g.total])).toEqual([
      [1, 2],
      [0, 3],
    ]);
  });

  it('stops between sessions when cancelled, skips one that cannot be read, and searches nothing for a blank query', async () => {
    let reads = 0;
    const cancelled = await searchSessions(
      ['newest', 'oldest'].map(summary),
      async (id) => {
        reads += 1;
        return SESSIONS[id] ?? null;
      },
      'budget',
      { cancelled: () => reads >= 1 },
    );
    expect(cancelled.complete).toBe(false);
    expect(cancelled.groups.map((g) => g.session.id)).toEqual(['newest']);
    const broken = await searchSessions(['middle', 'oldest'].map(summary), async (id) => (id === 'middle' ? Promise.reject(new Error('gone')) : (SESSIONS[id] ?? null)), 'budget');
    expect(broken.totalMatches).toBe(3);
    expect((await searchSessions([summary('oldest')], () => Promise.reject(new Error('not called')), '   ')).groups).toEqual([]);
  });

  it('gives the words around a match, cut at word boundaries', () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve';
    const at = text.indexOf('six');
    expect(contextOf(text, at, at + 3, 10)).toEqual({ before: '…four five ', match: 'six', after: ' seven…' });
    expect(contextOf('short budget', 6, 12, 40)).toEqual({ before: 'short ', match: 'budget', after: '' });
  });
});
