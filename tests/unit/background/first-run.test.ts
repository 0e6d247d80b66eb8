import { describe, expect, it, vi } from 'vitest';
import { isSamplePage, SAMPLE_PAGE_PATH, sourceForTab, welcomeOnInstall, WELCOME_PATH } from '@/lib/background/first-run';

describe('first run', () => {
  it('opens the welcome on a fresh install only: not on an update, a browser update or a shared module', async () => {
    const opened: string[] = [];
    const openTab = vi.fn(async (path: string) => opened.push(path));
    expect(await welcomeOnInstall({ reason: 'install' }, openTab)).toBe(true);
    for (const reason of ['update', 'chrome_update', 'browser_update', 'shared_module_update']) {
      expect(await welcomeOnInstall({ reason }, openTab)).toBe(false);
    }
    expect(opened).toEqual([WELCOME_PATH]);
    expect(WELCOME_PATH).toBe('/options.html#welcome');
  });

  it("knows the extension's own sample page from its other pages and from other extensions'", () => {
    const origin = 'chrome-extension://abc/';
    expect(SAMPLE_PAGE_PATH).toBe('/sample.html');
    expect(isSamplePage('chrome-extension://abc/sample.html', origin)).toBe(true);
    expect(isSamplePage('chrome-extension://abc/sample.html?x=1#y', origin)).toBe(true);
    expect(isSamplePage('chrome-extension://abc/options.html', origin)).toBe(false);
    expect(isSamplePage('chrome-extension://other/sample.html', origin)).toBe(false);
    expect(isSamplePage('https://abc/sample.html', origin)).toBe(false);
    expect(isSamplePage('not a url', origin)).toBe(false);
  });

  it('starts the sample page as a tab capture whatever source was last used; any other page keeps it', () => {
    const origin = 'chrome-extension://abc/';
    expect(sourceForTab('chrome-extension://abc/sample.html', origin, 'mic')).toBe('tab');
    expect(sourceForTab('chrome-extension://abc/sample.html', origin, 'tab-and-mic')).toBe('tab');
    expect(sourceForTab('https://meet.example/x', origin, 'mic')).toBe('mic');
    expect(sourceForTab(undefined, origin, 'tab-and-mic')).toBe('tab-and-mic');
  });
});
