/**
 * Retention outside session start and end: transcripts past their days, the speaker names of
 * deleted sessions and the caption positions of sites no kept session was captured on all go,
 * at an injected time, with nothing else touched.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { pruneHistory, type HistoryPrunerDeps } from '@/lib/persistence/history-pruner';
import type { RetentionPolicy } from '@/lib/persistence/retention';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { openTranscriptArchive, type TranscriptArchive } from '@/lib/persistence/transcript-archive';
import { OVERLAY_PLACEMENT_PREFIX, overlayPlacements, SPEAKER_NAMES_STORAGE_KEY, speakerNamesItem } from '@/lib/contract/storage/items';
import { loadOverlayPlacement, saveOverlayPlacement } from '@/lib/overlay-store';
import { prunePlacements } from '@/lib/overlay/placement-retention';
import { createSpeakerNamesStore, speakerNamesKey, type SpeakerNamesStore } from '@/lib/speaker-names-store';
import { freshIndexedDb, utterance } from './persistence-kit';

const DAY = 24 * 3600 * 1000;
const NOW = 2_000 * DAY;
const POLICY: RetentionPolicy = { maxSessions: 50, maxDays: 30 };

let archive: TranscriptArchive;
let names: SpeakerNamesStore;

beforeEach(async () => {
  fakeBrowser.reset();
  freshIndexedDb();
  archive = await openTranscriptArchive('pruner');
  names = createSpeakerNamesStore(speakerNamesItem, () => NOW);
});

/** A session captured on `origin` that started `daysAgo` days before NOW and lasted a minute. */
async function savedSession(id: string, daysAgo: number, origin: string): Promise<number> {
  const startedAt = NOW - daysAgo * DAY;
  await archive.createSession(newSessionRecord(id, startedAt, 'tab', { title: id, origin }));
  await archive.saveUtterances(id, [utterance('u1', 0, ['hello'])], {});
  await archive.updateSession(id, { endedAt: startedAt + 60_000, updatedAt: startedAt + 60_000 });
  return startedAt;
}

function deps(overrides: Partial<HistoryPrunerDeps> = {}): HistoryPrunerDeps {
  return {
    archive: async () => archive,
    loadRetention: async () => POLICY,
    retainSpeakerNames: (startTimes) => names.retainSessions(startTimes),
    prunePlacements: (sites, cutoff, now) => prunePlacements(overlayPlacements, sites, cutoff, now),
    liveStartedAt: async () => null,
    now: () => NOW,
    ...overrides,
  };
}

async function namesKeys(): Promise<string[]> {
  const stored = (await fakeBrowser.storage.local.get(SPEAKER_NAMES_STORAGE_KEY))[SPEAKER_NAMES_STORAGE_KEY] ?? {};
  return Object.keys(stored).sort();
}

describe('pruning history outside a session', () => {
  it('deletes a session past its days with its speaker names and its site\'s position, and keeps the recent ones', async () => {
    const oldStart = await savedSession('old', 45, 'https://old.example');
    const recentStart = await savedSession('recent', 2, 'https://recent.example');
    await names.rename(speakerNamesKey(oldStart), 0, 'Dana');
    await names.rename(speakerNamesKey(recentStart), 0, 'Lee');
    // Both positions were last moved long ago; only the recent session's site still has history.
    await saveOverlayPlacement('https://old.example', { x: 0.1, y: 0.1, width: null }, () => NOW - 45 * DAY);
    await saveOverlayPlacement('https://recent.example', { x: 0.2, y: 0.2, width: null }, () => NOW - 45 * DAY);

    const result = await pruneHistory(deps());

    expect(result).toEqual({ sessions: ['old'], speakerNames: [speakerNamesKey(oldStart)], placements: ['https://old.example'] });
    expect((await archive.listSessions()).map((s) => s.id)).toEqual(['recent']);
    expect(await archive.loadSession('old')).toBeNull();
    expect(await namesKeys()).toEqual([speakerNamesKey(recentStart)]);
    expect(await loadOverlayPlacement('https://old.example')).toBeNull();
    expect(await loadOverlayPlacement('https://recent.example')).toEqual({ x: 0.2, y: 0.2, width: null });
  });

  it('drops the names of sessions pushed out by the count, and names whose session is gone', async () => {
    const starts = [await savedSession('a', 3, ''), await savedSession('b', 2, ''), await savedSession('c', 1, '')];
    for (const start of starts) await names.rename(speakerNamesKey(start), 1, 'Sam');
    await names.rename(speakerNamesKey(NOW - 5 * DAY), 0, 'Orphan'); // its session was deleted without its names

    const result = await pruneHistory(deps({ loadRetention: async () => ({ maxSessions: 2, maxDays: 30 }) }));

    expect(result.sessions).toEqual(['a']);
    expect(await namesKeys()).toEqual([speakerNamesKey(starts[1]!), speakerNamesKey(starts[2]!)].sort());
  });

  it('matches names to a saved start a moment apart, as the side panel resolves them', async () => {
    const start = await savedSession('s', 1, '');
    await names.rename(speakerNamesKey(start + 1500), 0, 'Dana');
    await names.rename(speakerNamesKey(start + 2500), 0, 'Too far');
    await pruneHistory(deps());
    expect(await namesKeys()).toEqual([speakerNamesKey(start + 1500)]);
  });

  it('keeps the live session and its names, even before its record exists', async () => {
    const liveStart = NOW - 60_000;
    await names.rename(speakerNamesKey(liveStart), 0, 'Live speaker');
    const result = await pruneHistory(deps({ liveStartedAt: async () => liveStart }));
    expect(result.speakerNames).toEqual([]);
    expect(await namesKeys()).toEqual([speakerNamesKey(liveStart)]);
  });

  it('keeps a position moved within the period on a site with no saved session, and forgets it after', async () => {
    await saveOverlayPlacement('https://moved.example', { x: 0.3, y: 0.3, width: null }, () => NOW - 29 * DAY);
    expect((await pruneHistory(deps())).placements).toEqual([]);
    expect((await pruneHistory(deps({ now: () => NOW + 2 * DAY }))).placements).toEqual(['https://moved.example']);
    expect(await loadOverlayPlacement('https://moved.example')).toBeNull();
  });

  it('gives a position stored before positions had a time one full period from the first pruning', async () => {
    await fakeBrowser.storage.local.set({ [`${OVERLAY_PLACEMENT_PREFIX}https://legacy.example`]: { x: 0.4, y: 0.4, width: null }, unrelated: 1 });
    expect((await pruneHistory(deps())).placements).toEqual([]);
    expect(await loadOverlayPlacement('https://legacy.example')).toEqual({ x: 0.4, y: 0.4, width: null });
    expect((await pruneHistory(deps({ now: () => NOW + 31 * DAY }))).placements).toEqual(['https://legacy.example']);
    expect(await fakeBrowser.storage.local.get('unrelated')).toEqual({ unrelated: 1 });
  });
});
