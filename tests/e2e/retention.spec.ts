/**
 * Retention when no session runs: a saved transcript past its days (with its speaker names and its
 * site's caption position) is gone once the side panel opens, while a recent one stays. The saved
 * history is written straight into the extension's IndexedDB and storage.local, as an earlier
 * browser run would have left it.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { openSidePanel } from './support/side-panel';

const DAY = 24 * 3600 * 1000;

/** The slice of chrome.storage.local these page scripts use (the e2e code has no chrome typings). */
interface LocalArea { get(keys: null): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> }

interface SeedSession {
  id: string;
  title: string;
  origin: string;
  startedAt: number;
}

/** Writes sessions (one utterance each), names and positions where lib/persistence and lib/overlay-settings keep them. */
async function seedHistory(page: Page, sessions: SeedSession[]): Promise<void> {
  await page.evaluate(async (seeds) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('captionist-transcripts'); // whatever version the extension made it: the seed only adds rows
      open.onupgradeneeded = () => {
        open.result.createObjectStore('sessions', { keyPath: 'id' });
        open.result.createObjectStore('utterances', { keyPath: ['sessionId', 'id'] });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error('IndexedDB open failed'));
    });
    const tx = db.transaction(['sessions', 'utterances'], 'readwrite');
    for (const s of seeds) {
      const endedAt = s.startedAt + 60_000;
      tx.objectStore('sessions').put({
        id: s.id, startedAt: s.startedAt, updatedAt: endedAt, endedAt, source: 'tab', title: s.title, origin: s.origin,
        utteranceCount: 1, wordCount: 1, durationSeconds: 1, preview: s.title, endReason: null,
      });
      tx.objectStore('utterances').put({ sessionId: s.id, id: 'u1', start: 0, end: 1, text: s.title, speaker: 0, closed: true, words: [] });
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    });
    db.close();
    const speakerNames: Record<string, unknown> = {};
    const positions: Record<string, unknown> = {};
    for (const s of seeds) {
      speakerNames[`session-${s.startedAt}`] = { names: { 0: `${s.title} speaker` }, updatedAt: s.startedAt };
      positions[`overlayPlacement:${s.origin}`] = { x: 0.2, y: 0.2, width: null, savedAt: s.startedAt };
    }
    await (globalThis as unknown as { chrome: { storage: { local: LocalArea } } }).chrome.storage.local.set({ speakerNames, ...positions });
  }, sessions);
}

test('opening the side panel prunes a saved session past its days, with its names and its site\'s position', async ({ app }, testInfo) => {
  const now = Date.now();
  const expired: SeedSession = { id: 'expired', title: 'Expired talk', origin: 'https://old.example', startedAt: now - 45 * DAY };
  const recent: SeedSession = { id: 'recent', title: 'Recent talk', origin: 'https://recent.example', startedAt: now - 2 * DAY };

  // Seed from an extension page that is not the side panel, so nothing prunes before the panel opens.
  const seeder = await app.context.newPage();
  await seeder.goto(`chrome-extension://${app.extensionId}/options.html`);
  await seedHistory(seeder, [expired, recent]);

  const panel = await openSidePanel(app.context, app.extensionId);
  await panel.locator('[data-testid=tab-history]').click();
  const items = panel.locator('[data-testid=history-item]');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(recent.title);
  await saveScreenshot(panel, testInfo, 'side-panel-history-after-pruning');

  const stored = await seeder.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: LocalArea } } }).chrome.storage.local.get(null));
  expect(Object.keys((stored.speakerNames ?? {}))).toEqual([`session-${recent.startedAt}`]);
  expect(Object.keys(stored).filter((key) => key.startsWith('overlayPlacement:'))).toEqual([`overlayPlacement:${recent.origin}`]);
  await panel.close();
  await seeder.close();
});
