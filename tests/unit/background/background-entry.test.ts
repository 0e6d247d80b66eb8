/**
 * The background's wiring, with WXT's fake browser: what Chrome events lead to. It keeps nothing
 * in memory: every test starts a fresh instance (as after Chrome stopped the worker) with only
 * storage.session to go on.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '@/entrypoints/background';
import type { OffscreenCommand } from '@/lib/contract/messages';

type Message = OffscreenCommand;
import { newSessionRecord } from '@/lib/persistence/session-record';
import { openTranscriptArchive, TRANSCRIPT_DB_NAME } from '@/lib/persistence/transcript-archive';
import { SPEAKER_NAMES_STORAGE_KEY } from '@/lib/contract/storage/items';
import { speakerNamesKey } from '@/lib/speaker-names-store';
import '../persistence/persistence-kit';

let sent: Message[];

beforeEach(() => {
  fakeBrowser.reset();
  sent = [];
  // APIs the fake does not implement, stubbed as Chrome behaves with no capture document open.
  vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation(() => undefined);
  vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation(async (message: unknown) => {
    sent.push(message as Message);
    return undefined;
  });
  const runtime = fakeBrowser.runtime as unknown as Record<string, unknown>;
  runtime.getContexts = vi.fn(async () => []);
  runtime.ContextType = { OFFSCREEN_DOCUMENT: 'OFFSCREEN_DOCUMENT' };
  const action = { setBadgeText: vi.fn(async () => undefined), setBadgeBackgroundColor: vi.fn(async () => undefined), setTitle: vi.fn(async () => undefined) };
  (fakeBrowser as unknown as Record<string, unknown>).action = action;
});

async function seedCapture(tabId: number, source: 'tab' | 'mic', origin: string): Promise<void> {
  await fakeBrowser.storage.session.set({ backgroundState: { captureTabId: tabId, captureSource: source, captureOrigin: origin, lastState: null } });
}

describe('background wiring', () => {
  it("a changed token, changed settings or a passing check clear the last session's error; a failing check does not", async () => {
    const failed = { phase: 'error', source: 'tab', tabId: 4, startedAt: null, warning: null, error: { code: 'proxy-rejected', message: 'refused' } };
    const lastState = async () => ((await fakeBrowser.storage.session.get('backgroundState')).backgroundState as { lastState: unknown }).lastState;
    const seedError = () => fakeBrowser.storage.session.set({ backgroundState: { captureTabId: null, captureSource: null, captureOrigin: null, lastState: failed } });
    background.main();
    await seedError();
    await fakeBrowser.storage.local.set({ connectionCheck: { proxyUrl: 'ws://127.0.0.1:8797/v1/listen', ok: false, engine: null, checkedAt: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lastState()).toEqual(failed);
    await fakeBrowser.storage.local.set({ proxyToken: 'fixed' });
    await vi.waitFor(async () => expect(await lastState()).toBeNull());
    await seedError();
    await fakeBrowser.storage.sync.set({ settings: { proxyUrl: 'ws://127.0.0.1:8798/v1/listen' } });
    await vi.waitFor(async () => expect(await lastState()).toBeNull());
    await seedError();
    await fakeBrowser.storage.local.set({ connectionCheck: { proxyUrl: 'ws://127.0.0.1:8797/v1/listen', ok: true, engine: 'local', checkedAt: 2 } });
    await vi.waitFor(async () => expect(await lastState()).toBeNull());
  });

  it('an extension update stops the session with the reason first, then reloads', async () => {
    const order: string[] = [];
    const reload = vi.spyOn(fakeBrowser.runtime, 'reload').mockImplementation(() => void order.push('reload'));
    vi.mocked(fakeBrowser.runtime.sendMessage).mockImplementation(async (message: unknown) => {
      sent.push(message as Message);
      order.push((message as Message).type);
      return undefined;
    });
    background.main();
    await fakeBrowser.runtime.onUpdateAvailable.trigger({ version: '9.9.9' });
    await vi.waitFor(() => expect(reload).toHaveBeenCalled());
    expect(sent.find((m) => m.type === 'offscreen/stop')).toMatchObject({ type: 'offscreen/stop', reason: { code: 'extension-updated' } });
    expect(order.indexOf('offscreen/stop')).toBeLessThan(order.indexOf('reload'));
  });

  it('a new worker instance knows the captured tab from storage.session: leaving the site stops capture', async () => {
    await seedCapture(5, 'tab', 'https://a.example');
    background.main();
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'loading', url: 'https://b.example/' }, { id: 5, url: 'https://b.example/' } as never);
    await vi.waitFor(() => expect(sent.find((m) => m.type === 'offscreen/stop')).toMatchObject({ reason: { code: 'tab-navigated' } }));
    await vi.waitFor(async () => {
      const stored = (await fakeBrowser.storage.session.get('backgroundState')).backgroundState as Record<string, unknown>;
      expect(stored).toMatchObject({ captureTabId: null, lastState: { phase: 'error', error: { code: 'tab-navigated' } } });
    });
  });

  it('closing the captured tab stops a tab capture', async () => {
    await seedCapture(6, 'tab', 'https://a.example');
    background.main();
    await fakeBrowser.tabs.onRemoved.trigger(6, { windowId: 1, isWindowClosing: false });
    await vi.waitFor(() => expect(sent.find((m) => m.type === 'offscreen/stop')).toMatchObject({ reason: { code: 'tab-closed' } }));
  });

  it.each(['onStartup', 'onInstalled'] as const)('%s prunes saved history past its days, with its speaker names, though no session runs', async (event) => {
    // One IndexedDB for the file (persistence-kit installs it): the background keeps its archive
    // connection for the life of the module, as it does in Chrome. Each case writes both sessions anew.
    const day = 24 * 3600 * 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(1_000 * day);
      const seed = await openTranscriptArchive(TRANSCRIPT_DB_NAME);
      const oldStart = Date.now() - 40 * day; // the default retention keeps 30 days
      const recentStart = Date.now() - 1 * day;
      for (const [id, startedAt] of [['old', oldStart], ['recent', recentStart]] as const) {
        await seed.createSession({ ...newSessionRecord(id, startedAt, 'tab', null), endedAt: startedAt + 1000, updatedAt: startedAt + 1000 });
      }
      seed.close();
      await fakeBrowser.storage.local.set({
        [SPEAKER_NAMES_STORAGE_KEY]: {
          [speakerNamesKey(oldStart)]: { names: { 0: 'Dana' }, updatedAt: oldStart },
          [speakerNamesKey(recentStart)]: { names: { 0: 'Lee' }, updatedAt: recentStart },
        },
      });

      background.main();
      if (event === 'onStartup') await fakeBrowser.runtime.onStartup.trigger();
      else await fakeBrowser.runtime.onInstalled.trigger({ reason: 'update' } as never);

      await vi.waitFor(async () => {
        const stored = (await fakeBrowser.storage.local.get(SPEAKER_NAMES_STORAGE_KEY))[SPEAKER_NAMES_STORAGE_KEY] as object;
        expect(Object.keys(stored)).toEqual([speakerNamesKey(recentStart)]);
      });
      const check = await openTranscriptArchive(TRANSCRIPT_DB_NAME);
      expect((await check.listSessions()).map((s) => s.id)).toEqual(['recent']);
      check.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a fresh install opens the welcome in a tab; an update and a browser start open nothing', async () => {
    background.main();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'update' } as never);
    await fakeBrowser.runtime.onStartup.trigger();
    const urls = async () => (await fakeBrowser.tabs.query({})).flatMap((tab) => (tab.url ? [tab.url] : []));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await urls()).toEqual([]);
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' } as never);
    await vi.waitFor(async () => expect(await urls()).toEqual([fakeBrowser.runtime.getURL('/options.html#welcome')]));
  });
});
