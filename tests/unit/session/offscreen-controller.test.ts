import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ListenEvent } from '@/lib/listen/protocol';
import { inputsOf, type CaptureSettings, type OffscreenCommand, type SessionState, type TranscriptUpdate } from '@/lib/contract/messages';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import type { OpenCaptureOptions } from '@/lib/session/audio-capture';
import type { SocketHandlers } from '@/lib/session/capture-session';
import { OffscreenController, type OffscreenDeps } from '@/lib/session/offscreen-controller';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { freshIndexedDb } from '../persistence/persistence-kit';

beforeEach(() => freshIndexedDb());

const TEXT = {
  alreadyRunning: () => 'already running',
  noSettings: () => 'no settings',
  interrupted: () => 'cut off',
  saveFailed: (detail: string) => `save failed: ${detail}`,
  captureEnded: (reason: string) => `ended: ${reason}`,
};

function final(words: [string, number, number][], speechFinal = true): ListenEvent {
  return {
    kind: 'results',
    isFinal: true,
    speechFinal,
    fromFinalize: false,
    start: words[0]![1],
    duration: words.at(-1)![2] - words[0]![1],
    transcript: words.map((w) => w[0]).join(' '),
    words: words.map(([text, start, end]) => ({ text, start, end, confidence: 0.9, speaker: null })),
    timed: true,
    channel: 0,
  };
}

const STORED: CaptureSettings = { settings: { ...DEFAULT_SETTINGS, vadEnabled: false, proxyUrl: 'wss://stored.example/v1/listen' }, retention: { maxSessions: 2, maxDays: 30 } };

async function harness(options: { captureFails?: boolean; settings?: CaptureSettings | undefined } = {}) {
  const archive = await openTranscriptArchive(`c${Math.random()}`);
  const events: string[] = [];
  const states: SessionState[] = [];
  const ended: SessionState[] = [];
  const updates: TranscriptUpdate[] = [];
  let handlers: SocketHandlers | null = null;
  const socketSettings: string[] = [];
  let captureOptions: Omit<OpenCaptureOptions, 'workletUrl'> | null = null;
  const captureStop = vi.fn(async () => {
    events.push('capture stopped');
  });
  const socketClose = vi.fn(async () => {
    // The server's last words arrive while the socket closes.
    handlers?.onEvent(final([['last', 9, 9.4]]));
    events.push('socket closed');
  });
  let clock = 1_000_000;
  let ids = 0;
  const deps: OffscreenDeps = {
    openCapture: async (opts) => {
      captureOptions = opts;
      if (options.captureFails) return { ok: false, error: { code: 'mic-permission-denied', message: 'Blocked' } };
      return { ok: true, capture: { contextSampleRate: 48_000, inputs: inputsOf(opts.source), notice: null, stop: captureStop } };
    },
    openSocket: (settings, h) => {
      socketSettings.push(settings.proxyUrl);
      handlers = h;
      return { sendAudio: () => undefined, finalize: () => undefined, close: socketClose };
    },
    emitState: (s) => states.push(s),
    emitUpdate: (u) => updates.push(u),
    emitLevel: () => undefined,
    emitEnded: (s) => {
      events.push('ended');
      ended.push(s);
    },
    loadCaptureSettings: vi.fn(async () => ('settings' in options ? options.settings : STORED)),
    archive: async () => archive,
    newSessionId: () => `session-${++ids}`,
    now: () => (clock += 1000),
    text: TEXT,
  };
  const controller = new OffscreenController(deps);
  const start = (source: 'tab' | 'mic' = 'tab') =>
    controller.start({
      type: 'offscreen/start',
      source,
      tabId: 3,
      streamId: source === 'tab' ? 'sid' : null,
      page: { title: 'A talk', origin: 'https://talks.example/path?q=1' },
    } satisfies OffscreenCommand);
  return {
    controller,
    deps,
    socketSettings,
    archive,
    start,
    server: () => handlers!,
    capture: () => captureOptions!,
    events,
    states,
    ended,
    updates,
    captureStop,
    socketClose,
  };
}

describe('OffscreenController', () => {
  it('saves finals while live: the transcript is in the database before the session ends', async () => {
    const h = await harness();
    expect(await h.start()).toEqual({ ok: true });
    h.server().onOpen();
    h.server().onEvent(final([['hello', 0.1, 0.4], ['world', 0.5, 0.9]]));
    await vi.waitFor(async () => {
      const saved = await h.archive.loadSession('session-1');
      expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['hello world']);
    });
    const saved = await h.archive.loadSession('session-1');
    expect(saved?.summary).toMatchObject({ title: 'A talk', origin: 'https://talks.example', source: 'tab', endedAt: null });
  });

  it('a stop ends in order: capture, socket (last words in), saved, then session/ended', async () => {
    const h = await harness();
    await h.start();
    h.server().onOpen();
    h.server().onEvent(final([['one', 0.1, 0.4]]));
    await h.controller.stop();
    expect(h.events).toEqual(['capture stopped', 'socket closed', 'ended']);
    expect(h.ended[0]).toMatchObject({ phase: 'idle', error: null });
    const saved = await h.archive.loadSession('session-1');
    expect(saved?.transcript.utterances.map((u) => u.text)).toEqual(['one', 'last']);
    expect(saved?.summary.endedAt).not.toBeNull();
    expect(saved?.summary.endReason).toBeNull();
  });

  it('a stop with a reason (tab left the site) ends in error with that reason, saved with the session', async () => {
    const h = await harness();
    await h.start();
    await h.controller.stop({ code: 'tab-navigated', message: 'The tab left the site.' });
    expect(h.ended[0]).toMatchObject({ phase: 'error', error: { code: 'tab-navigated' } });
    expect((await h.archive.loadSession('session-1'))?.summary.endReason).toBe('The tab left the site.');
  });

  it('a socket that gives up ends the session by itself: capture released, no stuck live state', async () => {
    const h = await harness();
    await h.start();
    h.server().onFailure({ code: 'proxy-unreachable', message: 'Could not connect to the captions proxy' });
    await vi.waitFor(() => expect(h.ended).toHaveLength(1));
    expect(h.captureStop).toHaveBeenCalled();
    expect(h.ended[0]).toMatchObject({ phase: 'error', error: { code: 'proxy-unreachable' } });
    expect(h.controller.state().phase).toBe('error');
  });

  it('a capture that ends on its own (tab closed) ends the session with the reason', async () => {
    const h = await harness();
    await h.start();
    h.capture().onEnded('The captured tab was closed.');
    await vi.waitFor(() => expect(h.ended).toHaveLength(1));
    expect(h.ended[0]?.error).toEqual({ code: 'tab-closed', message: 'ended: The captured tab was closed.' });
  });

  it('a failed start saves nothing and does not say session/ended (the background closes the document)', async () => {
    const h = await harness({ captureFails: true });
    expect(await h.start('mic')).toMatchObject({ ok: false, error: { code: 'mic-permission-denied' } });
    expect(h.ended).toEqual([]);
    expect(await h.archive.listSessions()).toEqual([]);
  });

  it('refuses a second start while one runs, then allows one after it ended', async () => {
    const h = await harness();
    await h.start();
    expect(await h.start()).toEqual({ ok: false, error: { code: 'already-running', message: 'already running' } });
    await h.controller.stop();
    expect(await h.start()).toEqual({ ok: true });
    await vi.waitFor(async () => expect((await h.archive.listSessions()).map((s) => s.id)).toEqual(['session-2', 'session-1']));
  });

  it('a stop while a stop is in progress waits for the same end (one session/ended)', async () => {
    const h = await harness();
    await h.start();
    await Promise.all([h.controller.stop(), h.controller.stop()]);
    expect(h.ended).toHaveLength(1);
  });

  it('the transcript with no session in this document answers the last saved session', async () => {
    const first = await harness();
    await first.start();
    first.server().onEvent(final([['kept', 0.1, 0.4]]));
    await first.controller.stop();
    // A new document (after the old one closed, or a browser restart) over the same database.
    const fresh = new OffscreenController({ ...({} as OffscreenDeps), archive: async () => first.archive, text: TEXT });
    const snapshot = await fresh.transcript();
    expect(snapshot.utterances.map((u) => u.text)).toEqual(['kept', 'last']);
  });

  it('starts with the settings read from storage, not from the command, and refuses a start without them', async () => {
    const h = await harness();
    expect(await h.start()).toEqual({ ok: true });
    expect(h.deps.loadCaptureSettings).toHaveBeenCalledTimes(1);
    expect(h.socketSettings).toEqual(['wss://stored.example/v1/listen']);
    const none = await harness({ settings: undefined });
    expect(await none.start()).toEqual({ ok: false, error: { code: 'internal', message: 'no settings' } });
    expect(none.socketSettings).toEqual([]);
    expect(none.states).toEqual([]);
  });

  it('retention runs at start and end: with a limit of 2 the oldest session goes', async () => {
    const h = await harness();
    for (let i = 0; i < 3; i++) {
      await h.start();
      await h.controller.stop();
    }
    expect((await h.archive.listSessions()).map((s) => s.id)).toEqual(['session-3', 'session-2']);
  });
  it("corrects a finished line of its session: saved, sent to every view, kept in later updates and snapshots", async () => {
    const h = await harness();
    await h.start();
    h.server().onOpen();
    h.server().onEvent(final([['the', 0.1, 0.4], ['budgie', 0.5, 0.9]]));
    const startedAt = h.states[0]!.startedAt!;
    const lineId = h.updates.at(-1)!.changed[0]!.id;
    // Another session's start is refused: the panel was showing an older session.
    expect(await h.controller.correctLine({ sessionStartedAt: startedAt - 1, utteranceId: lineId, text: 'x' })).toMatchObject({ ok: false, reason: 'not-running' });
    const sent = h.updates.length;
    const result = await h.controller.correctLine({ sessionStartedAt: startedAt, utteranceId: lineId, text: 'The budget' });
    expect(result).toMatchObject({ ok: true, utterance: { id: lineId, text: 'The budget' } });
    // Every view (the panels, and through the background the page's overlay) is sent the corrected line.
    expect(h.updates.slice(sent).map((u) => u.changed.map((c) => c.text))).toEqual([['The budget']]);
    expect((await h.controller.transcript()).utterances.map((u) => u.text)).toEqual(['The budget']);
    // A late word for that line: the views still get the user's text; the recognized words are saved under it.
    h.server().onEvent(final([['later', 3, 3.4]]));
    const beforeLate = h.updates.length;
    h.server().onEvent(final([['now', 0.95, 1]]));
    const late = h.updates.slice(beforeLate).flatMap((u) => u.changed).filter((u) => u.id === lineId);
    expect(late.map((u) => u.text)).toEqual(['The budget']);
    await h.controller.stop();
    const saved = await h.archive.loadSession('session-1');
    expect(saved?.transcript.utterances.find((u) => u.id === lineId)?.text).toBe('The budget');
    expect(saved?.summary.preview.startsWith('The budget')).toBe(true);
    // Until its document closes, a just-ended session's lines can still be corrected.
    expect(await h.controller.correctLine({ sessionStartedAt: startedAt, utteranceId: lineId, text: 'The budget, yes' })).toMatchObject({ ok: true });
  });

  it('refuses a correction when no session ran in this document', async () => {
    const h = await harness();
    expect(await h.controller.correctLine({ sessionStartedAt: 1, utteranceId: 's1-u1', text: 'x' })).toEqual({ ok: false, reason: 'not-running', detail: '' });
  });
});
