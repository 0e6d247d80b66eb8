import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import englishMessages from '@/public/_locales/en/messages.json';
import { useMessageCatalog } from '@/lib/i18n';
import type { ListenEvent } from '@/lib/listen/protocol';
import type { SessionState, TranscriptUpdate } from '@/lib/contract/messages';
import { CaptureSession, type SessionPorts, type SocketHandlers } from '@/lib/session/capture-session';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { frames, render } from '@/testkit/vad/synthetic-audio';
import { installEnglishMessages } from '../settings-english-messages';

/** A socket port that records what it was sent and lets the test speak as the server. */
function harness(settings = { ...DEFAULT_SETTINGS, vadEnabled: false }) {
  const states: SessionState[] = [];
  const updates: TranscriptUpdate[] = [];
  const sent: number[] = [];
  /** Audio bytes and Finalize, in the order the session handed them to the socket. */
  const wire: (number | 'Finalize')[] = [];
  let handlers: SocketHandlers | null = null;
  let closed = 0;
  const ports: SessionPorts = {
    emitState: (s) => states.push(s),
    emitUpdate: (u) => updates.push(u),
    emitLevel: () => undefined,
    now: () => 1000,
    openSocket: (_settings, h) => {
      handlers = h;
      return {
        sendAudio: (pcm) => {
          sent.push(pcm.byteLength);
          wire.push(pcm.byteLength);
        },
        finalize: () => wire.push('Finalize'),
        close: async () => {
          closed++;
        },
      };
    },
  };
  const session = new CaptureSession(ports, settings, 'tab', 4);
  return { session, states, updates, sent, wire, server: () => handlers!, closed: () => closed };
}

// The warnings are the English messages a user reads (public/_locales/en/messages.json).
beforeEach(installEnglishMessages);

const frame = () => new Int16Array(320).fill(1000);

function finalWords(words: [string, number, number][], speechFinal = true): ListenEvent {
  return {
    kind: 'results',
    isFinal: true,
    speechFinal,
    fromFinalize: false,
    start: words[0]![1],
    duration: words.at(-1)![2] - words[0]![1],
    transcript: words.map((w) => w[0]).join(' '),
    words: words.map(([text, start, end]) => ({ text, start, end, confidence: 0.9, speaker: null })),
  } as ListenEvent;
}

describe('CaptureSession', () => {
  it('goes connecting -> live and sends 100 ms batches of the 20 ms frames', () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    for (let i = 0; i < 10; i++) h.session.handleFrame(frame(), 0.1, 0.2);
    expect(h.states.map((s) => s.phase)).toEqual(['connecting', 'live']);
    expect(h.sent).toEqual([3200, 3200]);
  });

  it('turns server results into transcript updates for the views', () => {
    const h = harness();
    h.session.connect();
    for (let i = 0; i < 50; i++) h.session.handleFrame(frame(), 0.1, 0.2);
    h.server().onEvent(finalWords([['hello', 0.2, 0.5], ['world', 0.6, 0.9]]));
    expect(h.updates.at(-1)?.changed[0]?.text).toBe('hello world');
    expect(h.session.snapshot.utterances).toHaveLength(1);
  });

  it("names the session in its utterance ids, so two sessions' ids never meet", () => {
    const h = harness(); // now() is 1000: the session's start
    h.session.connect();
    for (let i = 0; i < 50; i++) h.session.handleFrame(frame(), 0.1, 0.2);
    h.server().onEvent(finalWords([['hello', 0.2, 0.5]]));
    h.server().onEvent(finalWords([['again', 0.6, 0.9]]));
    expect(h.session.snapshot.utterances.map((u) => u.id)).toEqual(['s1000-u1', 's1000-u2']);
  });

  it('reports a reconnect as connecting with the reason, then live again', () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    h.server().onReconnecting({ code: 'proxy-closed', message: 'The proxy went away' }, 500);
    expect(h.session.currentState).toMatchObject({ phase: 'connecting', error: { code: 'proxy-closed' } });
    h.server().onOpen();
    expect(h.session.currentState).toMatchObject({ phase: 'live', error: null });
  });

  it('stop flushes, closes the socket and ends idle; a failure stays visible after stop', async () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    h.session.handleFrame(frame(), 0.1, 0.2);
    await h.session.stop();
    expect(h.sent).toEqual([640]);
    expect(h.closed()).toBe(1);
    expect(h.session.currentState.phase).toBe('idle');

    const failed = harness();
    failed.session.connect();
    failed.server().onFailure({ code: 'proxy-rejected', message: 'The proxy refused the token (401).' });
    await failed.session.stop();
    expect(failed.session.currentState).toMatchObject({ phase: 'error', error: { code: 'proxy-rejected' } });
  });

  it('when the VAD gate closes after speech, sends the tail and then Finalize, once per stretch of speech', () => {
    const h = harness({ ...DEFAULT_SETTINGS, vadEnabled: true });
    h.session.connect();
    h.server().onOpen();
    // Two bursts of voice in background noise: the gate opens and closes twice.
    const signal = render([
      { seconds: 2, noiseDb: -60 },
      { seconds: 1, noiseDb: -60, voiceDb: -25 },
      { seconds: 2, noiseDb: -60 },
      { seconds: 1, noiseDb: -60, voiceDb: -25 },
      { seconds: 2, noiseDb: -60 },
    ]);
    for (const { frame: pcm } of frames(signal)) h.session.handleFrame(pcm, 0.01, 0.05);
    const finalizes = h.wire.flatMap((item, i) => (item === 'Finalize' ? [i] : []));
    expect(finalizes).toHaveLength(2);
    // Each Finalize comes after audio (the flushed tail), and the first is followed by the second burst.
    expect(h.wire[finalizes[0]! - 1]).toEqual(expect.any(Number));
    expect(h.wire.slice(finalizes[0]! + 1, finalizes[1]).length).toBeGreaterThan(0);
    expect(h.wire.at(-1)).toBe('Finalize');
  });

  it('with the VAD off never sends Finalize: the server endpoints the continuous audio itself', () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    const signal = render([{ seconds: 1, noiseDb: -60, voiceDb: -25 }, { seconds: 2, noiseDb: -60 }]);
    for (const { frame: pcm } of frames(signal)) h.session.handleFrame(pcm, 0.01, 0.05);
    expect(h.wire).not.toContain('Finalize');
    expect(h.sent.length).toBe(30);
  });

  it('sends nothing before connect()', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.session.handleFrame(frame(), 0.1, 0.2);
    expect(h.sent).toEqual([]);
  });
});

describe('CaptureSession no-audio warning', () => {
  it('warns after 10 s of digital silence and clears the warning when sound returns', () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    const silence = new Int16Array(320);
    for (let i = 0; i < 499; i++) h.session.handleFrame(silence, 0, 0);
    expect(h.session.currentState.warning).toBeNull();
    h.session.handleFrame(silence, 0, 0);
    expect(h.session.currentState.warning).toMatch(/No sound from this tab for 10 seconds/);
    h.session.handleFrame(frame(), 0.1, 0.2);
    expect(h.session.currentState.warning).toBeNull();
  });

  it('drops the warning when the session ends: an idle session is not "silent"', async () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    for (let i = 0; i < 500; i++) h.session.handleFrame(new Int16Array(320), 0, 0);
    expect(h.session.currentState.warning).toMatch(/No sound/);
    await h.session.stop();
    expect(h.session.currentState).toMatchObject({ phase: 'idle', warning: null });
  });
});

describe('CaptureSession start time', () => {
  it('uses the start time its owner saved, so names keyed by it match the live state', () => {
    const ports: SessionPorts = {
      emitState: () => undefined,
      emitUpdate: () => undefined,
      emitLevel: () => undefined,
      now: () => 9_999,
      openSocket: () => ({ sendAudio: () => undefined, finalize: () => undefined, close: async () => undefined }),
    };
    const session = new CaptureSession(ports, DEFAULT_SETTINGS, 'mic', null, { startedAt: 1_234 });
    expect(session.currentState.startedAt).toBe(1_234);
  });
});

describe('CaptureSession in a meeting (tab and microphone, one stream of two channels)', () => {
  function meeting(settings = { ...DEFAULT_SETTINGS, vadEnabled: false }) {
    const sent: Int16Array[] = [];
    const formats: number[] = [];
    const levels: [string, number][] = [];
    let handlers: SocketHandlers | null = null;
    const ports: SessionPorts = {
      emitState: () => undefined,
      emitUpdate: () => undefined,
      emitLevel: (input, _rms, peak) => levels.push([input, peak]),
      now: () => 1000,
      openSocket: (_settings, h, format) => {
        handlers = h;
        formats.push(format.channels);
        return { sendAudio: (pcm) => sent.push(new Int16Array(pcm)), finalize: () => undefined, close: async () => undefined };
      },
    };
    const session = new CaptureSession(ports, settings, 'tab-and-mic', 4);
    return { session, sent, formats, levels, server: () => handlers! };
  }
  const input = (value: number, peak: number) => ({ pcm: new Int16Array(320).fill(value), rms: peak / 2, peak });

  it('opens one connection of two channels and sends tab and microphone interleaved, tab first', () => {
    const m = meeting();
    m.session.connect();
    m.server().onOpen();
    for (let i = 0; i < 5; i++) m.session.handleFrames([input(111, 0.1), input(-222, 0.2)]);
    expect(m.formats).toEqual([2]);
    expect(m.sent).toHaveLength(1);
    expect(m.sent[0]!.length).toBe(2 * 1600);
    expect(Array.from(m.sent[0]!.subarray(0, 4))).toEqual([111, -222, 111, -222]);
    // One level per input, named.
    expect(m.levels).toEqual([
      ['tab', 0.1],
      ['mic', 0.2],
    ]);
  });

  it('says which input went quiet, and that the microphone was lost while the tab goes on', () => {
    const m = meeting();
    m.session.connect();
    m.server().onOpen();
    for (let i = 0; i < 500; i++) m.session.handleFrames([input(500, 0.1), input(0, 0)]);
    expect(m.session.currentState.warning).toMatch(/^Your microphone is silent/);
    m.session.handleFrames([input(500, 0.1), input(500, 0.1)]);
    expect(m.session.currentState.warning).toBeNull();
    m.session.inputLost('mic', 'Your microphone was disconnected: captioning the tab alone.');
    expect(m.session.currentState).toMatchObject({ phase: 'live', warning: 'Your microphone was disconnected: captioning the tab alone.' });
    const before = m.sent.length;
    for (let i = 0; i < 5; i++) m.session.handleFrames([input(500, 0.1), input(0, 0)]);
    expect(m.sent.length).toBe(before + 1);
  });

  it('runs the tab alone, one channel, with the notice, when the capture could not open the microphone', () => {
    const m = meeting();
    m.session.connect(['tab'], 'Your microphone is not captioned (blocked): only the tab is.');
    m.server().onOpen();
    expect(m.formats).toEqual([1]);
    expect(m.session.currentState.warning).toBe('Your microphone is not captioned (blocked): only the tab is.');
    for (let i = 0; i < 5; i++) m.session.handleFrames([input(7, 0.1)]);
    expect(m.sent[0]!.length).toBe(1600);
  });

  it('maps each channel\'s words to meeting time through one timeline: gating one input never shifts the other', () => {
    const m = meeting({ ...DEFAULT_SETTINGS, vadEnabled: true });
    m.session.connect();
    m.server().onOpen();
    // The tab speaks at 2-3 s, the microphone at 6-7 s; silence between is gated.
    const tab = render([{ seconds: 2, noiseDb: -60 }, { seconds: 1, noiseDb: -60, voiceDb: -25 }, { seconds: 6, noiseDb: -60 }], 7);
    const mic = render([{ seconds: 6, noiseDb: -60 }, { seconds: 1, noiseDb: -60, voiceDb: -25 }, { seconds: 2, noiseDb: -60 }], 8);
    const tabFrames = frames(tab);
    const micFrames = frames(mic);
    tabFrames.forEach((f, i) => m.session.handleFrames([{ pcm: f.frame, rms: 0.01, peak: 0.05 }, { pcm: micFrames[i]!.frame, rms: 0.01, peak: 0.05 }]));
    // Far less than the 9 s captured went out: the gap between the two stretches was gated.
    const sentSeconds = m.sent.reduce((sum, pcm) => sum + pcm.length / 2 / 16_000, 0);
    expect(sentSeconds).toBeLessThan(5);
    // Where each input's voice begins in the stream the server heard (interleaved: tab, mic).
    const stream = Int16Array.from(m.sent.flatMap((pcm) => Array.from(pcm)));
    const onsetSeconds = (channel: number) => {
      for (let i = channel; i < stream.length; i += 2) if (Math.abs(stream[i]!) > 300) return (i - channel) / 2 / 16_000;
      throw new Error(`no voice on channel ${channel}`);
    };
    const [tabOnset, micOnset] = [onsetSeconds(0), onsetSeconds(1)];
    expect(micOnset - tabOnset).toBeLessThan(3); // the 3 s of silence between them were not sent
    m.server().onEvent(finalWords([['theirs', tabOnset + 0.1, tabOnset + 0.3]]));
    m.server().onEvent(finalWords([['mine', micOnset + 0.1, micOnset + 0.3]]));
    const [theirs, mine] = m.session.snapshot.utterances;
    expect(theirs!.start).toBeCloseTo(2.1, 2);
    expect(mine!.start).toBeCloseTo(6.1, 2);
  });
});

describe('CaptureSession engine notice (the proxy fell back to another engine)', () => {
  beforeEach(() => useMessageCatalog(englishMessages));
  afterEach(() => useMessageCatalog(null));

  it('shows which engine serves the captions and why, until a new connection opens', () => {
    const h = harness();
    h.session.connect();
    h.server().onOpen();
    h.server().onEvent({ kind: 'engine', notice: { engine: 'local', from: 'deepgram', reason: 'out_of_credit', status: 402 } });
    expect(h.session.currentState.warning).toBe('Deepgram refused (402): using the local engine, less accurate.');
    // The words keep coming as before.
    h.server().onEvent(finalWords([['still', 0.2, 0.5]]));
    expect(h.session.snapshot.utterances.map((u) => u.text)).toEqual(['still']);
    // A reconnect may reach Deepgram again: the notice goes until the proxy says otherwise.
    h.server().onOpen();
    expect(h.session.currentState.warning).toBeNull();
    h.server().onEvent({ kind: 'engine', notice: { engine: 'compatible', from: 'deepgram', reason: 'timeout' } });
    expect(h.session.currentState.warning).toBe('Deepgram did not answer in time: using the self-hosted speech server.');
  });
});
