import { describe, expect, it, vi } from 'vitest';
import { autoStartOnLoad, clearInvitation, showInvitation, type AutoStartDeps } from '@/lib/background/auto-start';
import type { CaptureSource, StartResult } from '@/lib/contract/messages';

const notInvoked: StartResult = { ok: false, error: { code: 'tab-not-capturable', message: 'Click the Captionist button on the tab' } };

function deps(source: CaptureSource, result: StartResult, busy = false): AutoStartDeps {
  return {
    sites: async () => ['https://meet.example', 'http://127.0.0.1:8080'],
    sessionBusy: async () => busy,
    startingSource: async () => source,
    start: vi.fn(async () => result),
    inviteKeyPress: vi.fn(async () => undefined),
  };
}

describe('per-site start', () => {
  it("starts the last source on a listed site's page once it has loaded, and only there", async () => {
    const d = deps('mic', { ok: true });
    expect(await autoStartOnLoad(d, 5, { status: 'loading' }, 'https://meet.example/weekly')).toBeNull();
    expect(await autoStartOnLoad(d, 5, {}, 'https://meet.example/weekly')).toBeNull();
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, 'https://other.example/')).toBe('not-listed');
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, 'https://meet.example.evil.test/')).toBe('not-listed');
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, 'http://meet.example/')).toBe('not-listed');
    // No URL: the extension has no host permission for the tab (the site was not granted).
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, undefined)).toBe('not-listed');
    expect(d.start).not.toHaveBeenCalled();
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, 'https://meet.example/weekly?x=1')).toBe('started');
    expect(await autoStartOnLoad(d, 6, { status: 'complete' }, 'http://127.0.0.1:8080/call')).toBe('started');
    expect(d.start).toHaveBeenNthCalledWith(1, 'mic', 5);
    expect(d.start).toHaveBeenNthCalledWith(2, 'mic', 6);
    expect(d.inviteKeyPress).not.toHaveBeenCalled();
  });

  it('leaves a running session alone', async () => {
    const d = deps('mic', { ok: true }, true);
    expect(await autoStartOnLoad(d, 5, { status: 'complete' }, 'https://meet.example/')).toBe('busy');
    expect(d.start).not.toHaveBeenCalled();
  });

  it("invites a key press on the tab when Chrome refuses a tab's audio without one; other failures do not", async () => {
    for (const source of ['tab', 'tab-and-mic'] as const) {
      const d = deps(source, notInvoked);
      expect(await autoStartOnLoad(d, 7, { status: 'complete' }, 'https://meet.example/')).toBe('needs-key-press');
      expect(d.inviteKeyPress).toHaveBeenCalledWith(7);
    }
    const micRefused = deps('mic', { ok: false, error: { code: 'mic-permission-needed', message: 'allow' } });
    expect(await autoStartOnLoad(micRefused, 7, { status: 'complete' }, 'https://meet.example/')).toBe('failed');
    const proxyDown = deps('tab', { ok: false, error: { code: 'no-proxy-configured', message: 'set up' } });
    expect(await autoStartOnLoad(proxyDown, 7, { status: 'complete' }, 'https://meet.example/')).toBe('failed');
    expect(micRefused.inviteKeyPress).not.toHaveBeenCalled();
    expect(proxyDown.inviteKeyPress).not.toHaveBeenCalled();
  });
});

describe("the invitation on a tab's toolbar button", () => {
  it('sets the badge and tooltip of that tab only, and gives the tab back the global badge text once captions start', async () => {
    const calls: unknown[] = [];
    const action = {
      setBadgeText: async (details: object) => void calls.push(['text', details]),
      setBadgeBackgroundColor: async (details: object) => void calls.push(['color', details]),
      setTitle: async (details: object) => void calls.push(['title', details]),
    };
    await showInvitation(action, 9, 'Press Alt+Shift+O');
    expect(calls).toEqual([
      ['text', { tabId: 9, text: '▶' }],
      ['color', { tabId: 9, color: '#7a4a00' }],
      ['title', { tabId: 9, title: 'Press Alt+Shift+O' }],
    ]);
    calls.length = 0;
    await clearInvitation(action, 9, 'Captionist');
    expect(calls).toEqual([
      ['text', { tabId: 9 }],
      ['color', { tabId: 9, color: '#b3261e' }],
      ['title', { tabId: 9, title: 'Captionist' }],
    ]);
  });
});
