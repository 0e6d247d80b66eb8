/**
 * Alt+Shift+O (the 'toggle-captions' command) starts the source the user last started, not always
 * the tab. Checked through the background's real wiring with WXT's fake browser: the command
 * that goes to the capture document names the source.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '@/entrypoints/background';
import { defaultSourceChanged, rememberCaptureSource, shortcutCaptureSource, startingSource } from '@/lib/background/last-source';
import { permissionPageQuery } from '@/lib/background/permission-start';
import type { OffscreenCommand } from '@/lib/contract/messages';
import { lastCaptureSourceItem } from '@/lib/contract/storage/items';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { saveSettings } from '@/lib/storage';

type CommandListener = (command: string, tab?: Browser.tabs.Tab) => void;
let commandListeners: CommandListener[];
let sent: OffscreenCommand[];

beforeEach(() => {
  fakeBrowser.reset();
  commandListeners = [];
  sent = [];
  // APIs the fake does not implement, stubbed as Chrome behaves with a capture document that
  // never answers (the start then fails, after its command was sent).
  vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation((listener) => void commandListeners.push(listener));
  vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation(async (message: unknown) => {
    sent.push(message as OffscreenCommand);
    return undefined;
  });
  const offscreen = { Reason: { USER_MEDIA: 'USER_MEDIA' }, createDocument: vi.fn(async () => undefined), closeDocument: vi.fn(async () => undefined) };
  (fakeBrowser as unknown as Record<string, unknown>).offscreen = offscreen;
  (fakeBrowser as unknown as Record<string, unknown>).tabCapture = { getMediaStreamId: vi.fn(async () => 'stream-1') };
  (fakeBrowser as unknown as Record<string, unknown>).scripting = { executeScript: vi.fn(async () => [{ result: undefined }]) };
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const runtime = fakeBrowser.runtime as unknown as Record<string, unknown>;
  runtime.getContexts = vi.fn(async () => []);
  runtime.ContextType = { OFFSCREEN_DOCUMENT: 'OFFSCREEN_DOCUMENT' };
  const action = { setBadgeText: vi.fn(async () => undefined), setBadgeBackgroundColor: vi.fn(async () => undefined), setTitle: vi.fn(async () => undefined) };
  (fakeBrowser as unknown as Record<string, unknown>).action = action;
});

describe('the source the shortcut starts', () => {
  it('is the tab before anything was started', async () => {
    expect(await shortcutCaptureSource()).toBe('tab');
  });

  it('is the last source started', async () => {
    await rememberCaptureSource('mic');
    expect(await shortcutCaptureSource()).toBe('mic');
    await rememberCaptureSource('tab');
    expect(await shortcutCaptureSource()).toBe('tab');
  });

  it('is a meeting for someone whose last start was a meeting', async () => {
    await rememberCaptureSource('tab-and-mic');
    expect(await shortcutCaptureSource()).toBe('tab-and-mic');
  });

  it("is the default from Options before any start, and again once a new default is saved", async () => {
    await saveSettings({ ...DEFAULT_SETTINGS, defaultCaptureSource: 'mic' });
    expect(await shortcutCaptureSource()).toBe('mic');
    await rememberCaptureSource('tab');
    expect(await shortcutCaptureSource()).toBe('tab');
    await saveSettings({ ...DEFAULT_SETTINGS, defaultCaptureSource: 'tab-and-mic' });
    await defaultSourceChanged();
    expect(await shortcutCaptureSource()).toBe('tab-and-mic');
  });

  it('prefers the last start to the default', () => {
    expect(startingSource('mic', 'tab')).toBe('mic');
    expect(startingSource(null, 'tab-and-mic')).toBe('tab-and-mic');
  });

  it('is the tab when the stored value is not a source', async () => {
    await fakeBrowser.storage.local.set({ lastCaptureSource: 'camera' });
    expect(await shortcutCaptureSource()).toBe('tab');
  });
});

describe('Alt+Shift+O in the background', () => {
  async function pressShortcut(): Promise<string | null> {
    background.main();
    expect(commandListeners).toHaveLength(1);
    for (const listener of commandListeners) listener('toggle-captions', { id: 3 } as Browser.tabs.Tab);
    const start = await vi.waitFor(() => {
      const command = sent.find((message) => message.type === 'offscreen/start');
      if (!command) throw new Error('no offscreen/start yet');
      return command;
    });
    return start.source;
  }

  it('starts the microphone for someone whose last start was the microphone', async () => {
    await lastCaptureSourceItem.setValue('mic');
    expect(await pressShortcut()).toBe('mic');
  });

  it('starts a meeting for someone whose last start was a meeting', async () => {
    await lastCaptureSourceItem.setValue('tab-and-mic');
    expect(await pressShortcut()).toBe('tab-and-mic');
  });

  it('starts the tab when nothing was started before', async () => {
    expect(await pressShortcut()).toBe('tab');
  });

  it('remembers a start asked for by the popup', async () => {
    background.main();
    const popup = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') };
    const answers = await fakeBrowser.runtime.onMessage.trigger({ type: 'session/start', source: 'mic', tabId: 3 }, popup);
    await Promise.all(answers.map((answer) => Promise.resolve(answer)));
    await vi.waitFor(async () => expect(await lastCaptureSourceItem.getValue()).toBe('mic'));
  });

  it('the permission page completes a meeting on the tab it was started from, and remembers it', async () => {
    background.main();
    const permission = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/permission.html') + permissionPageQuery('tab-and-mic', 9) };
    void fakeBrowser.runtime.onMessage.trigger({ type: 'permission/mic-granted' }, permission);
    const start = await vi.waitFor(() => {
      const command = sent.find((message) => message.type === 'offscreen/start');
      if (!command) throw new Error('no offscreen/start yet');
      return command;
    });
    expect(start).toMatchObject({ source: 'tab-and-mic', tabId: 9, streamId: 'stream-1' });
    await vi.waitFor(async () => expect(await lastCaptureSourceItem.getValue()).toBe('tab-and-mic'));
  });
});
