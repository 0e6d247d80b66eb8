import { describe, expect, it, vi } from 'vitest';
import { startSession, stopSession, type SessionControlDeps } from '@/lib/background/session-control';
import { IDLE_STATE, type Message } from '@/lib/messages';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';

function makeDeps(overrides: Partial<SessionControlDeps> = {}, settings: Partial<Settings> = {}) {
  const sent: Message[] = [];
  const deps: SessionControlDeps = {
    loadSettings: async () => ({ ...DEFAULT_SETTINGS, ...settings }),
    getTabStreamId: vi.fn(async () => 'stream-1'),
    injectOverlay: vi.fn(async () => true),
    ensureOffscreen: vi.fn(async () => undefined),
    closeOffscreen: vi.fn(async () => undefined),
    askOffscreen: vi.fn(async (message: Message) => {
      sent.push(message);
      if (message.type === 'session/get') return IDLE_STATE;
      if (message.type === 'offscreen/start') return { ok: true };
      return undefined;
    }),
    openMicPermissionPage: vi.fn(async () => undefined),
    rememberCaptureTab: vi.fn(async () => undefined),
    ...overrides,
  };
  return { deps, sent };
}

describe('startSession', () => {
  it('gets the tab stream id, shows the overlay and hands both to the offscreen document', async () => {
    const { deps, sent } = makeDeps();
    const result = await startSession(deps, 'tab', 7);
    expect(result).toEqual({ ok: true });
    expect(deps.getTabStreamId).toHaveBeenCalledWith(7);
    expect(deps.injectOverlay).toHaveBeenCalledWith(7);
    expect(deps.rememberCaptureTab).toHaveBeenCalledWith(7);
    const start = sent.find((m) => m.type === 'offscreen/start');
    expect(start).toMatchObject({ type: 'offscreen/start', source: 'tab', tabId: 7, streamId: 'stream-1' });
  });

  it('refuses a proxy URL that would send audio in the clear, before touching the tab', async () => {
    const { deps } = makeDeps({}, { proxyUrl: 'ws://captions.example.com/v1/listen' });
    const result = await startSession(deps, 'tab', 7);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-proxy-url' } });
    expect(deps.getTabStreamId).not.toHaveBeenCalled();
    expect(deps.ensureOffscreen).not.toHaveBeenCalled();
  });

  it('says no proxy is configured when the URL is empty', async () => {
    const { deps } = makeDeps({}, { proxyUrl: '  ' });
    expect(await startSession(deps, 'mic', null)).toMatchObject({ ok: false, error: { code: 'no-proxy-configured' } });
  });

  it('explains that chrome:// pages cannot be captured', async () => {
    const { deps } = makeDeps({
      getTabStreamId: async () => {
        throw new Error('Extension has not been invoked for the current page (see activeTab permission). Chrome pages cannot be captured.');
      },
    });
    const result = await startSession(deps, 'tab', 3);
    expect(result).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(deps.ensureOffscreen).not.toHaveBeenCalled();
  });

  it('does not start twice', async () => {
    const { deps } = makeDeps({
      askOffscreen: async (message: Message) =>
        message.type === 'session/get' ? { ...IDLE_STATE, phase: 'live' } : { ok: true },
    });
    expect(await startSession(deps, 'tab', 1)).toMatchObject({ ok: false, error: { code: 'already-running' } });
  });

  it('opens the permission page when the microphone has not been granted, and forgets the tab', async () => {
    const { deps } = makeDeps({
      askOffscreen: async (message: Message) =>
        message.type === 'offscreen/start'
          ? { ok: false, error: { code: 'mic-permission-needed', message: 'Allow it' } }
          : IDLE_STATE,
    });
    const result = await startSession(deps, 'mic', 5);
    expect(result).toMatchObject({ ok: false, error: { code: 'mic-permission-needed' } });
    expect(deps.openMicPermissionPage).toHaveBeenCalledWith(5);
    expect(deps.rememberCaptureTab).toHaveBeenLastCalledWith(null);
  });

  it('reports a silent offscreen document instead of hanging', async () => {
    const { deps } = makeDeps({ askOffscreen: async () => undefined });
    expect(await startSession(deps, 'mic', null)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('stopSession', () => {
  it('tells the offscreen document to stop and forgets the captured tab', async () => {
    const { deps, sent } = makeDeps();
    await stopSession(deps);
    expect(sent.map((m) => m.type)).toContain('offscreen/stop');
    expect(deps.rememberCaptureTab).toHaveBeenCalledWith(null);
  });
});
