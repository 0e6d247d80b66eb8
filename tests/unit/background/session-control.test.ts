import { describe, expect, it, vi } from 'vitest';
import { backgroundStateStore, EMPTY_BACKGROUND_STATE, type BackgroundStateItem } from '@/lib/background/background-state';
import {
  captureSettings,
  clearEndedError,
  currentState,
  currentTranscript,
  liveSessionFor,
  sessionEnded,
  startSession,
  stopSession,
  tabRemoved,
  tabUpdated,
  type SessionControlDeps,
} from '@/lib/background/session-control';
import { IDLE_STATE, type OffscreenCommand, type SessionState, type TabPush } from '@/lib/contract/messages';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { isSamplePage as isSamplePageOf } from '@/lib/background/first-run';

function memoryArea(): BackgroundStateItem {
  let stored = structuredClone(EMPTY_BACKGROUND_STATE);
  return {
    getValue: async () => structuredClone(stored),
    setValue: async (value) => {
      stored = structuredClone(value);
    },
  };
}

/**
 * A fake world: an offscreen document that exists or not, answers like the real controller, and a
 * badge. `offscreen.state` is what the document reports.
 */
function makeDeps(overrides: Partial<SessionControlDeps> = {}, settings: Partial<Settings> = {}) {
  const sent: OffscreenCommand[] = [];
  const tabMessages: { tabId: number; message: TabPush }[] = [];
  const offscreen = { open: false, state: IDLE_STATE, startAnswer: { ok: true } as unknown };
  const badge = { phase: 'idle' as SessionState['phase'], ended: undefined as SessionState | undefined };
  const deps: SessionControlDeps = {
    loadSettings: async () => ({ ...DEFAULT_SETTINGS, ...settings }),
    loadRetention: async () => ({ maxSessions: 50, maxDays: 30 }),
    getTabStreamId: vi.fn(async () => 'stream-1'),
    describeTab: vi.fn(async () => ({ title: 'Talk', url: 'https://talks.example/watch?v=1' })),
    injectOverlay: vi.fn(async () => ({ ok: true as const })),
    hasOffscreen: async () => offscreen.open,
    ensureOffscreen: vi.fn(async () => {
      offscreen.open = true;
    }),
    closeOffscreen: vi.fn(async () => {
      offscreen.open = false;
    }),
    // The fake document answers each command as lib/session/offscreen-controller.ts does.
    askOffscreen: vi.fn(async (message: OffscreenCommand) => {
      sent.push(message);
      if (!offscreen.open) return undefined;
      switch (message.type) {
        case 'offscreen/get-state':
          return offscreen.state;
        case 'offscreen/get-transcript':
          return { utterances: [{ id: 'live' }], interims: [] };
        case 'offscreen/start':
          if (offscreen.state.phase === 'live') return { ok: false, error: { code: 'already-running', message: 'running' } };
          if ((offscreen.startAnswer as { ok: boolean }).ok) offscreen.state = { ...IDLE_STATE, phase: 'live', source: message.source, tabId: message.tabId };
          return offscreen.startAnswer;
        case 'offscreen/stop':
          offscreen.state = message.reason ? { ...offscreen.state, phase: 'error', error: message.reason } : { ...offscreen.state, phase: 'idle' };
          return { ok: true };
      }
    }) as SessionControlDeps['askOffscreen'],
    openMicPermissionPage: vi.fn(async () => undefined),
    state: backgroundStateStore(memoryArea()),
    latestTranscript: async () => ({ utterances: [], interims: [] }),
    showPhase: vi.fn(async (phase: SessionState['phase'], ended?: SessionState) => {
      badge.phase = phase;
      badge.ended = ended;
    }),
    sendToTab: (tabId, message) => tabMessages.push({ tabId, message }),
    ...overrides,
  };
  return { deps, sent, offscreen, badge, tabMessages };
}

describe('startSession', () => {
  it('gets the tab stream id, shows the overlay and hands stream and page (no settings) to the offscreen document', async () => {
    const { deps, sent } = makeDeps();
    expect(await startSession(deps, 'tab', 7)).toEqual({ ok: true });
    expect(deps.getTabStreamId).toHaveBeenCalledWith(7);
    expect(deps.injectOverlay).toHaveBeenCalledWith(7);
    const start = sent.find((m) => m.type === 'offscreen/start');
    expect(start).toMatchObject({
      source: 'tab',
      tabId: 7,
      streamId: 'stream-1',
      page: { title: 'Talk', origin: 'https://talks.example' },
    });
    // Where the audio goes is read from storage by the document (capture/settings), never sent.
    expect(start).not.toHaveProperty('settings');
    expect(start).not.toHaveProperty('retention');
    expect(await deps.state.load()).toMatchObject({ captureTabId: 7, captureSource: 'tab', captureOrigin: 'https://talks.example' });
  });

  it('refuses a proxy URL that would send audio in the clear, before touching the tab or creating a document', async () => {
    const { deps, offscreen } = makeDeps({}, { proxyUrl: 'ws://captions.example.com/v1/listen' });
    expect(await startSession(deps, 'tab', 7)).toMatchObject({ ok: false, error: { code: 'invalid-proxy-url' } });
    expect(deps.getTabStreamId).not.toHaveBeenCalled();
    expect(offscreen.open).toBe(false);
    // The reason stays visible to the popup and side panel; the badge shows nothing running.
    expect((await currentState(deps)).error?.code).toBe('invalid-proxy-url');
  });

  it('says no proxy is configured when the URL is empty', async () => {
    const { deps, offscreen, badge } = makeDeps({}, { proxyUrl: '  ' });
    expect(await startSession(deps, 'mic', null)).toMatchObject({ ok: false, error: { code: 'no-proxy-configured' } });
    expect(offscreen.open).toBe(false);
    expect(badge.phase).toBe('idle');
  });

  it('explains that chrome:// pages cannot be captured and creates no document', async () => {
    const { deps, offscreen } = makeDeps({
      getTabStreamId: async () => {
        throw new Error('Extension has not been invoked for the current page (see activeTab permission). Chrome pages cannot be captured.');
      },
    });
    expect(await startSession(deps, 'tab', 3)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(deps.ensureOffscreen).not.toHaveBeenCalled();
    expect(offscreen.open).toBe(false);
  });

  it('records the captured tab before injecting the overlay, whose first request is answered for that tab only', async () => {
    const seenByOverlay: (number | null)[] = [];
    const { deps } = makeDeps();
    deps.injectOverlay = vi.fn(async () => {
      seenByOverlay.push((await deps.state.load()).captureTabId);
      return { ok: true as const };
    });
    expect(await startSession(deps, 'tab', 7)).toEqual({ ok: true });
    expect(seenByOverlay).toEqual([7]);
  });

  it('forgets the recorded tab when the start is refused after the overlay was injected', async () => {
    const { deps } = makeDeps({
      getTabStreamId: async () => {
        throw new Error('Extension has not been invoked for the current page (see activeTab permission). Chrome pages cannot be captured.');
      },
    });
    expect(await startSession(deps, 'tab', 3)).toMatchObject({ ok: false });
    expect((await deps.state.load()).captureTabId).toBeNull();
  });

  it('refuses a chrome:// page itself, even where Chrome would hand out a stream for it', async () => {
    const { deps, offscreen } = makeDeps({ describeTab: async () => ({ title: 'About Version', url: 'chrome://version/' }) });
    expect(await startSession(deps, 'tab', 3)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(deps.getTabStreamId).not.toHaveBeenCalled();
    expect(offscreen.open).toBe(false);
  });

  it("captures the extension's own sample page, without injecting the overlay, but no other extension page", async () => {
    const origin = 'chrome-extension://abc/';
    const isSamplePage = (url: string) => isSamplePageOf(url, origin);
    const sample = makeDeps({ describeTab: async () => ({ title: 'Try Captionist', url: `${origin}sample.html` }), isSamplePage });
    expect(await startSession(sample.deps, 'tab', 3)).toEqual({ ok: true });
    expect(sample.deps.injectOverlay).not.toHaveBeenCalled();
    expect(sample.sent.find((m) => m.type === 'offscreen/start')).toMatchObject({ page: { title: 'Try Captionist' } });
    const options = makeDeps({ describeTab: async () => ({ title: 'Options', url: `${origin}options.html` }), isSamplePage });
    expect(await startSession(options.deps, 'tab', 3)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(options.deps.getTabStreamId).not.toHaveBeenCalled();
  });

  it('refuses a browser page whose URL it may not see, by Chrome refusing to script it', async () => {
    const { deps, offscreen } = makeDeps({
      describeTab: async () => null,
      injectOverlay: vi.fn(async () => ({ ok: false as const, reason: 'Cannot access a chrome:// URL' })),
    });
    expect(await startSession(deps, 'tab', 3)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(deps.getTabStreamId).not.toHaveBeenCalled();
    expect(offscreen.open).toBe(false);
  });

  it('captions a page where only the overlay is refused for another reason, and a mic session on a browser page', async () => {
    const { deps } = makeDeps({ injectOverlay: vi.fn(async () => ({ ok: false as const, reason: 'Frame with ID 0 is showing error page' })) });
    expect(await startSession(deps, 'tab', 3)).toEqual({ ok: true });
    await stopSession(deps);
    const mic = makeDeps({ describeTab: async () => null, injectOverlay: vi.fn(async () => ({ ok: false as const, reason: 'Cannot access a chrome:// URL' })) });
    expect(await startSession(mic.deps, 'mic', 3)).toEqual({ ok: true });
  });

  it('does not start twice: the second start says so and leaves the running session and its document alone', async () => {
    const { deps, offscreen } = makeDeps();
    const [first, second] = await Promise.all([startSession(deps, 'tab', 1), startSession(deps, 'tab', 1)]);
    expect(first).toEqual({ ok: true });
    expect(second).toMatchObject({ ok: false, error: { code: 'already-running' } });
    expect(offscreen.open).toBe(true);
    expect(deps.closeOffscreen).not.toHaveBeenCalled();
    expect((await deps.state.load()).captureTabId).toBe(1);
  });

  it('records the captured tab before the document starts, so the first states reach its overlay', async () => {
    const { deps } = makeDeps();
    const askOffscreen = deps.askOffscreen;
    let tabWhenStarting: number | null | undefined;
    deps.askOffscreen = (async (message: OffscreenCommand) => {
      if (message.type === 'offscreen/start') tabWhenStarting = (await deps.state.load()).captureTabId;
      return askOffscreen(message);
    }) as SessionControlDeps['askOffscreen'];
    expect(await startSession(deps, 'tab', 7)).toEqual({ ok: true });
    expect(tabWhenStarting).toBe(7);
  });

  it('when the document says a session already runs, the running session keeps its tab', async () => {
    const { deps, offscreen } = makeDeps();
    await deps.state.save({ captureTabId: 1, captureSource: 'tab', captureOrigin: 'https://one.example' });
    offscreen.open = true;
    // The document reports idle to the background's check but has started meanwhile (a race).
    offscreen.startAnswer = { ok: false, error: { code: 'already-running', message: 'running' } };
    expect(await startSession(deps, 'tab', 2)).toMatchObject({ ok: false, error: { code: 'already-running' } });
    expect(await deps.state.load()).toMatchObject({ captureTabId: 1, captureSource: 'tab', captureOrigin: 'https://one.example' });
    expect(deps.closeOffscreen).not.toHaveBeenCalled();
  });

  it('closes the document when the microphone is denied, and keeps the reason', async () => {
    const { deps, offscreen } = makeDeps();
    offscreen.startAnswer = { ok: false, error: { code: 'mic-permission-denied', message: 'Blocked' } };
    expect(await startSession(deps, 'mic', 5)).toMatchObject({ ok: false, error: { code: 'mic-permission-denied' } });
    expect(offscreen.open).toBe(false);
    expect(await deps.state.load()).toMatchObject({ captureTabId: null, lastState: { phase: 'error', error: { code: 'mic-permission-denied' } } });
    expect(deps.openMicPermissionPage).not.toHaveBeenCalled();
  });

  it('opens the permission page when the microphone has not been granted yet, with no document left open', async () => {
    const { deps, offscreen } = makeDeps();
    offscreen.startAnswer = { ok: false, error: { code: 'mic-permission-needed', message: 'Allow it' } };
    expect(await startSession(deps, 'mic', 5)).toMatchObject({ ok: false, error: { code: 'mic-permission-needed' } });
    expect(deps.openMicPermissionPage).toHaveBeenCalledWith('mic', 5);
    expect(offscreen.open).toBe(false);
  });

  it('a meeting gets the tab stream as a tab capture does, and its permission page completes the meeting on that tab', async () => {
    const { deps, offscreen, sent } = makeDeps();
    offscreen.startAnswer = { ok: false, error: { code: 'mic-permission-needed', message: 'Allow it' } };
    expect(await startSession(deps, 'tab-and-mic', 5)).toMatchObject({ ok: false, error: { code: 'mic-permission-needed' } });
    expect(deps.getTabStreamId).toHaveBeenCalledWith(5);
    expect(sent.find((m) => m.type === 'offscreen/start')).toMatchObject({ source: 'tab-and-mic', tabId: 5, streamId: 'stream-1' });
    expect(deps.openMicPermissionPage).toHaveBeenCalledWith('tab-and-mic', 5);
    expect(offscreen.open).toBe(false);
  });

  it('a meeting needs a capturable tab like a tab capture', async () => {
    const { deps, sent } = makeDeps({ describeTab: async () => ({ title: 'Settings', url: 'chrome://settings/' }) });
    expect(await startSession(deps, 'tab-and-mic', 5)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(await startSession(deps, 'tab-and-mic', null)).toMatchObject({ ok: false, error: { code: 'tab-not-capturable' } });
    expect(deps.getTabStreamId).not.toHaveBeenCalled();
    expect(sent.some((m) => m.type === 'offscreen/start')).toBe(false);
  });

  it('reports a silent offscreen document instead of hanging, and closes it', async () => {
    const { deps, offscreen } = makeDeps({ askOffscreen: async () => undefined });
    expect(await startSession(deps, 'mic', null)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(offscreen.open).toBe(false);
    expect(await deps.state.load()).toMatchObject({ captureTabId: null, captureSource: null, captureOrigin: null });
  });
});

describe('stopSession and the end of a session', () => {
  it('stops, keeps the final state, and closes the document once it is over', async () => {
    const { deps, offscreen, badge } = makeDeps();
    await startSession(deps, 'tab', 7);
    await stopSession(deps);
    expect(offscreen.open).toBe(false);
    expect(badge.phase).toBe('idle');
    expect(await deps.state.load()).toMatchObject({ captureTabId: null, lastState: { phase: 'idle' } });
    expect(await currentState(deps)).toMatchObject({ phase: 'idle' });
  });

  it('session/ended from the document (socket refused, capture ended) tells the tab why and closes the document', async () => {
    const { deps, offscreen, badge, tabMessages } = makeDeps();
    await startSession(deps, 'tab', 7);
    const final: SessionState = { ...offscreen.state, phase: 'error', error: { code: 'proxy-unreachable', message: 'Could not connect' } };
    offscreen.state = final;
    await sessionEnded(deps, final);
    expect(offscreen.open).toBe(false);
    expect(tabMessages).toContainEqual({ tabId: 7, message: { type: 'tab/session-state', state: final } });
    expect(badge).toMatchObject({ phase: 'idle', ended: final });
    expect(await currentState(deps)).toEqual(final);
  });

  it('does not close a document in which a new session already runs', async () => {
    const { deps, offscreen } = makeDeps();
    await startSession(deps, 'tab', 7);
    await sessionEnded(deps, { ...IDLE_STATE, phase: 'idle' }); // late, from the previous session
    expect(offscreen.open).toBe(true);
  });

  it('with no document at all, a stop still leaves a clean state', async () => {
    const { deps, offscreen, badge } = makeDeps();
    await stopSession(deps, { code: 'tab-navigated', message: 'left the site' });
    expect(offscreen.open).toBe(false);
    expect(badge.phase).toBe('idle');
    expect((await currentState(deps)).error?.code).toBe('tab-navigated');
  });
});

describe('the captured tab', () => {
  it('a tab capture ends, with the reason, when the tab goes to another site', async () => {
    const { deps, offscreen, sent } = makeDeps();
    await startSession(deps, 'tab', 7);
    await tabUpdated(deps, 7, { status: 'loading', url: 'https://other.example/' }, 'https://other.example/');
    expect(sent.find((m) => m.type === 'offscreen/stop')).toMatchObject({ reason: { code: 'tab-navigated' } });
    expect(offscreen.open).toBe(false);
    expect((await currentState(deps)).error?.code).toBe('tab-navigated');
  });

  it('the same site keeps capturing and gets its overlay back when the new page has loaded', async () => {
    const { deps, offscreen } = makeDeps();
    await startSession(deps, 'tab', 7);
    await tabUpdated(deps, 7, { status: 'loading', url: 'https://talks.example/next' }, 'https://talks.example/next');
    await tabUpdated(deps, 7, { status: 'complete' }, 'https://talks.example/next');
    expect(offscreen.state.phase).toBe('live');
    expect(deps.injectOverlay).toHaveBeenCalledTimes(2);
  });

  it('ignores other tabs', async () => {
    const { deps, offscreen } = makeDeps();
    await startSession(deps, 'tab', 7);
    await tabUpdated(deps, 8, { status: 'loading', url: 'https://other.example/' }, undefined);
    await tabRemoved(deps, 8);
    expect(offscreen.state.phase).toBe('live');
  });

  it('closing the captured tab ends a tab capture', async () => {
    const { deps, offscreen } = makeDeps();
    await startSession(deps, 'tab', 7);
    await tabRemoved(deps, 7);
    expect(offscreen.open).toBe(false);
    expect((await currentState(deps)).error?.code).toBe('tab-closed');
  });

  it("closing a meeting's tab ends the meeting, and leaving its site does too", async () => {
    const closed = makeDeps();
    await startSession(closed.deps, 'tab-and-mic', 7);
    await tabRemoved(closed.deps, 7);
    expect(closed.offscreen.open).toBe(false);
    expect((await currentState(closed.deps)).error?.code).toBe('tab-closed');

    const left = makeDeps();
    await startSession(left.deps, 'tab-and-mic', 7);
    await tabUpdated(left.deps, 7, { status: 'loading', url: 'https://other.example/' }, 'https://other.example/');
    expect((await currentState(left.deps)).error?.code).toBe('tab-navigated');
  });

  it('closing the overlay tab of a microphone session does not stop the microphone', async () => {
    const { deps, offscreen } = makeDeps();
    await startSession(deps, 'mic', 7);
    await tabRemoved(deps, 7);
    expect(offscreen.state.phase).toBe('live');
    expect((await deps.state.load()).captureTabId).toBeNull();
  });
});

describe('answers for views', () => {
  it('read from the document while it is open, else from storage and the saved transcript', async () => {
    const saved = { utterances: [{ id: 'saved' }], interims: [] } as never;
    const { deps } = makeDeps({ latestTranscript: async () => saved });
    expect(await currentState(deps)).toEqual(IDLE_STATE);
    expect(await currentTranscript(deps)).toBe(saved);
    await startSession(deps, 'tab', 7);
    expect((await currentState(deps)).phase).toBe('live');
    expect((await currentTranscript(deps)).utterances[0]?.id).toBe('live');
  });
});

describe('the overlay and the offscreen document ask the background', () => {
  it('a content script hears of the session only on the captured tab, and only while it runs', async () => {
    const saved = { utterances: [{ id: 'saved' }], interims: [] } as never;
    const { deps, offscreen } = makeDeps({ latestTranscript: async () => saved });
    // Nothing runs: even the captured-tab-to-be learns nothing, not the last saved transcript.
    expect(await liveSessionFor(deps, 7)).toEqual({ state: IDLE_STATE, transcript: { utterances: [], interims: [] } });
    await startSession(deps, 'tab', 7);
    const live = await liveSessionFor(deps, 7);
    expect(live.state.phase).toBe('live');
    expect(live.transcript.utterances[0]?.id).toBe('live');
    // Another tab (any other site the overlay was ever injected into) gets idle and empty.
    expect(await liveSessionFor(deps, 8)).toEqual({ state: IDLE_STATE, transcript: { utterances: [], interims: [] } });
    await stopSession(deps);
    expect(offscreen.open).toBe(false);
    expect(await liveSessionFor(deps, 7)).toEqual({ state: IDLE_STATE, transcript: { utterances: [], interims: [] } });
  });

  it('the document gets its settings and retention from storage', async () => {
    const { deps } = makeDeps({}, { proxyUrl: 'wss://stored.example/v1/listen' });
    expect(await captureSettings(deps)).toMatchObject({ settings: { proxyUrl: 'wss://stored.example/v1/listen' }, retention: { maxSessions: 50, maxDays: 30 } });
  });
});

describe("an ended session's error clears when the settings change or a check passes", () => {
  it("the stored state goes idle, the badge forgets the error and the session's tab hears idle", async () => {
    const { deps, offscreen, badge, tabMessages } = makeDeps();
    await startSession(deps, 'tab', 7);
    const final: SessionState = { ...offscreen.state, phase: 'error', error: { code: 'proxy-unreachable', message: 'Could not connect' } };
    offscreen.state = final;
    await sessionEnded(deps, final);
    tabMessages.length = 0;
    await clearEndedError(deps);
    expect(await currentState(deps)).toEqual(IDLE_STATE);
    expect(badge).toMatchObject({ phase: 'idle', ended: undefined });
    expect(tabMessages).toEqual([{ tabId: 7, message: { type: 'tab/session-state', state: IDLE_STATE } }]);
  });

  it("a refused start's error clears too", async () => {
    const { deps, offscreen } = makeDeps();
    offscreen.startAnswer = { ok: false, error: { code: 'proxy-rejected', message: 'refused' } };
    await startSession(deps, 'tab', 7);
    expect(await currentState(deps)).toMatchObject({ phase: 'error' });
    await clearEndedError(deps);
    expect(await currentState(deps)).toEqual(IDLE_STATE);
  });

  it('a running session and a clean end are left alone', async () => {
    const { deps, offscreen, tabMessages, badge } = makeDeps();
    await startSession(deps, 'tab', 7);
    tabMessages.length = 0;
    await clearEndedError(deps);
    expect(offscreen.state.phase).toBe('live');
    expect(await currentState(deps)).toMatchObject({ phase: 'live' });
    expect(tabMessages).toEqual([]);
    await stopSession(deps);
    const afterStop = await deps.state.load();
    const badgeAfterStop = { ...badge };
    await clearEndedError(deps);
    expect(await deps.state.load()).toEqual(afterStop);
    expect(badge).toEqual(badgeAfterStop);
  });
});
