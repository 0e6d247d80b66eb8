import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, normalizeRetention, sessionsToDelete, type RetainedSession } from '@/lib/persistence/retention';

const DAY = 24 * 3600 * 1000;
const NOW = 1000 * DAY;

function ended(id: string, daysAgo: number): RetainedSession {
  const at = NOW - daysAgo * DAY;
  return { id, startedAt: at - 60_000, endedAt: at, updatedAt: at };
}

describe('retention', () => {
  it('keeps the newest N sessions', () => {
    const sessions = [ended('a', 1), ended('b', 2), ended('c', 3), ended('d', 4)];
    expect(sessionsToDelete(sessions, { maxSessions: 2, maxDays: 365 }, NOW).sort()).toEqual(['c', 'd']);
  });

  it('deletes sessions that ended more than D days ago, even under the count', () => {
    const sessions = [ended('recent', 1), ended('old', 31)];
    expect(sessionsToDelete(sessions, { maxSessions: 50, maxDays: 30 }, NOW)).toEqual(['old']);
  });

  it('never deletes the live session, and counts it among the N kept', () => {
    const live: RetainedSession = { id: 'live', startedAt: NOW - 90 * DAY, endedAt: null, updatedAt: NOW - 90 * DAY };
    const sessions = [live, ended('a', 1), ended('b', 2)];
    expect(sessionsToDelete(sessions, { maxSessions: 2, maxDays: 30 }, NOW, new Set(['live']))).toEqual(['b']);
  });

  it('judges a cut-off session (never ended) by its last write', () => {
    const cut: RetainedSession = { id: 'cut', startedAt: NOW - 40 * DAY, endedAt: null, updatedAt: NOW - 40 * DAY };
    expect(sessionsToDelete([cut], DEFAULT_RETENTION, NOW)).toEqual(['cut']);
  });

  it('falls back to the defaults field by field for damaged settings', () => {
    expect(normalizeRetention(undefined)).toEqual(DEFAULT_RETENTION);
    expect(normalizeRetention({ maxSessions: 5, maxDays: -3 })).toEqual({ maxSessions: 5, maxDays: DEFAULT_RETENTION.maxDays });
    expect(normalizeRetention({ maxSessions: 2.5, maxDays: '7' })).toEqual(DEFAULT_RETENTION);
    expect(normalizeRetention({ maxSessions: 1e9, maxDays: 10 })).toEqual({ maxSessions: DEFAULT_RETENTION.maxSessions, maxDays: 10 });
  });
});
