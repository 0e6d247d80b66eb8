/**
 * Nothing lost through network faults: two minutes of real speech (the LibriVox clips, looped)
 * through the real proxy process to an upstream whose words are derived from the audio bytes
 * (testkit/upstream/hostile.ts: one word per 100 ms batch, named by its hash), with the
 * proxy killed and restarted on the same port at random points, a graceful proxy restart (1001),
 * the upstream closing with 1011, and a proxy that accepts and then goes silent (SIGSTOP).
 *
 * 1. The client library (ListenSocket + TranscriptStore) in Node, feeding the same PCM bytes in
 *    three runs at once: uninterrupted, with faults, and with a silent proxy. Same bytes, so the
 *    comparison is exact: the faulted transcripts equal the uninterrupted one word for word and
 *    time for time.
 * 2. The real extension in Chromium, capturing a tab that plays the two minutes, with the proxy
 *    killed and restarted while it captures. Captured audio differs from run to run, so the
 *    uninterrupted run is reconstructed from what the upstream received: the transcript must
 *    hold one word per 100 ms of captured audio from the first to the last (none lost, none
 *    twice) and those words, in order, must be the upstream's words for that audio.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { REPO_ROOT } from '../../testkit/browser/launch';
import { startProxy, type ProxyProcess } from '../../testkit/servers/proxy-process';
import { LIBRIVOX_DIR } from '../../scripts/prepare-audio';
import { ListenSocket, type StatusDetail } from '../../lib/listen/listen-socket';
import { buildListenUrl } from '../../lib/listen/listen-url';
import { DEFAULT_SETTINGS } from '../../lib/settings';
import { TranscriptStore } from '../../lib/transcript/transcript-store';
import { startFakeUpstream, stitchConnections, wordForAudio, type HostileUpstream } from '../../testkit/upstream';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup, turnOffVoiceGate } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { checkSlots, readSavedWords, waitForBacklogDrained } from './support/saved-words';
import { saveText } from './support/screenshots';
import { startSpeechPage } from '../../testkit/captions/speech-page';
import { seededRandom } from '../../testkit/prng';

const run = promisify(execFile);
const DEEPGRAM_KEY = 'hostile-upstream-key-for-e2e';
const BATCH_BYTES = 3200; // 100 ms of 16 kHz Int16 mono, the client's batch
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Two minutes of real speech: all five LibriVox clips, five times over (about 124 s).

interface LoopedSpeech {
  /** 16 kHz Int16 mono PCM, for the Node client. */
  pcm: Buffer;
  /** 48 kHz stereo WAV, for a page's <audio>. */
  wav: string;
  seconds: number;
}

async function loopedSpeech(): Promise<LoopedSpeech> {
  const dir = path.join(REPO_ROOT, '.cache', 'audio');
  await mkdir(dir, { recursive: true });
  const clips = ['0870', '0880', '0890', '0920', '0930'].map((n) => path.join(LIBRIVOX_DIR, `sense_and_sensibility_01_austen_64kb-${n}.wav`));
  const raw = path.join(dir, 'faults-16k-mono.raw');
  const wav = path.join(dir, 'faults-48k-stereo.wav');
  const make = async (out: string, format: string[]) => {
    if (existsSync(out) && (await stat(out)).size > 0) return;
    const tmp = `${out}.${process.pid}.tmp`;
    await run('sox', ['--combine', 'concatenate', ...clips, ...format, tmp, 'repeat', '4']);
    await rename(tmp, out);
  };
  await make(raw, ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-r', '16000', '-c', '1']);
  await make(wav, ['-t', 'wav', '-b', '16', '-r', '48000', '-c', '2']);
  const pcm = await readFile(raw);
  return { pcm, wav, seconds: pcm.length / 32_000 };
}

// ---------------------------------------------------------------------------------------------
// The real proxy as a black box that can be killed, paused and restarted on the same port.

interface FaultyProxy extends ProxyProcess {
  port: number;
  restarts: number;
  /** SIGKILL (a crash) or SIGTERM (a graceful restart: streams get 1001), then start again. */
  restart(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** SIGSTOP: the process accepts nothing and answers nothing (the kernel still holds the sockets). */
  pause(): void;
  resume(): void;
}

async function startFaultyProxy(env: Record<string, string | undefined>, lines: string[]): Promise<FaultyProxy> {
  const launch = async (port: number) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = await startProxy({ env: { ...env, PORT: String(port) }, onLine: (line) => lines.push(line) });
      if (started.ok) return started.proxy;
      lines.push(`(restart attempt ${attempt + 1} failed) ${started.message}`);
      await sleep(300);
    }
    throw new Error(`The proxy did not start on port ${port}:\n${lines.slice(-20).join('\n')}`);
  };
  let current = await launch(0);
  const port = Number(new URL(current.url).port);
  const proxy: FaultyProxy = {
    url: current.url,
    engine: current.engine,
    port,
    restarts: 0,
    get pid() {
      return current.pid;
    },
    output: () => lines.join('\n'),
    async stop(graceMs?: number) {
      try {
        process.kill(current.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await current.stop(graceMs);
    },
    async restart(signal) {
      if (signal === 'SIGKILL') process.kill(current.pid, 'SIGKILL');
      await current.stop(5_000);
      current = await launch(port);
      proxy.restarts += 1;
    },
    pause() {
      process.kill(current.pid, 'SIGSTOP');
    },
    resume() {
      process.kill(current.pid, 'SIGCONT');
    },
  };
  return proxy;
}

function proxyEnvFor(upstream: HostileUpstream, token: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    DEEPGRAM_API_KEY: DEEPGRAM_KEY,
    DEEPGRAM_URL: upstream.url,
    CAPTIONIST_TOKENS: token,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

type FaultKind = 'kill' | 'graceful-restart' | 'upstream-1011';

interface Fault {
  /** Seconds after streaming started. */
  at: number;
  kind: FaultKind;
}

/** Faults at random times, one per window of `window` seconds from `from` (so each can recover). */
function faultSchedule(seed: number, kinds: FaultKind[], from: number, window: number): Fault[] {
  const random = seededRandom(seed);
  const shuffled = [...kinds].sort(() => random() - 0.5);
  return shuffled.map((kind, i) => ({ kind, at: from + i * window + random() * window * 0.6 }));
}

async function applyFault(fault: Fault, proxy: FaultyProxy, upstream: HostileUpstream): Promise<void> {
  switch (fault.kind) {
    case 'kill':
      await proxy.restart('SIGKILL');
      return;
    case 'graceful-restart':
      await proxy.restart('SIGTERM');
      return;
    case 'upstream-1011':
      upstream.closeAll(1011, 'NET-0000: internal server error (injected by the test)');
  }
}

// ---------------------------------------------------------------------------------------------
// A Node client run: the product's ListenSocket and TranscriptStore over Node's ws.

interface ClientRun {
  /** `text@start` of every word in the transcript, in time order. */
  words: string[];
  connections: number;
  replayedSeconds: number;
  droppedSeconds: number;
}

interface ClientRunOptions {
  url: string;
  token: string;
  pcm: Buffer;
  /** Multiple of real time at which audio is handed to the socket. */
  speed: number;
  /** Called with seconds since streaming started, every 100 ms of wall time. */
  tick?: (elapsed: number) => Promise<void> | void;
  onStatus?: (status: string, detail: StatusDetail) => void;
}

async function streamThroughProxy(options: ClientRunOptions): Promise<ClientRun> {
  const store = new TranscriptStore();
  const settings = { ...DEFAULT_SETTINGS, diarize: false };
  const socket = new ListenSocket({
    url: buildListenUrl(options.url, settings),
    token: options.token,
    // ws's WebSocket has the browser-style handler properties the socket uses.
    createWebSocket: (url, protocols) => new WebSocket(url, protocols),
    onEvent: (event) => store.apply(event),
    onStatus: (status, detail) => options.onStatus?.(status, detail),
    // Fed faster than real time here (and the backlogs are larger), so the pacing scales with it.
    maxSendRate: Math.max(4, options.speed * 1.5),
    maxBufferedSeconds: 600,
  });
  socket.connect();
  const chunks = Math.ceil(options.pcm.length / BATCH_BYTES);
  const started = Date.now();
  let tickBusy: Promise<void> | null = null;
  for (let i = 0; i < chunks; i++) {
    const due = started + (i * 100) / options.speed;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    socket.sendAudio(options.pcm.subarray(i * BATCH_BYTES, Math.min(options.pcm.length, (i + 1) * BATCH_BYTES)));
    if (options.tick && !tickBusy) {
      tickBusy = Promise.resolve(options.tick((Date.now() - started) / 1000)).finally(() => {
        tickBusy = null;
      });
    }
  }
  await tickBusy;
  // Let the transcript catch up with the audio (all but the last unfinalized batches), then stop.
  const wordCount = () => store.snapshot().utterances.reduce((n, u) => n + u.words.length, 0);
  const deadline = Date.now() + 90_000;
  while (wordCount() < chunks - 5 && Date.now() < deadline) await sleep(100);
  const summary = await socket.close();
  const words = store
    .snapshot()
    .utterances.flatMap((u) => u.words)
    .sort((a, b) => a.start - b.start)
    .map((w) => `${w.text}@${w.start.toFixed(3)}`);
  return { words, connections: summary.connections, replayedSeconds: summary.replayedSeconds, droppedSeconds: summary.droppedSeconds };
}

/** The words one uninterrupted connection would give for these bytes (100 ms batches). */
function expectedWords(pcm: Buffer, batches: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < batches; i++) {
    const bytes = pcm.subarray(i * BATCH_BYTES, Math.min(pcm.length, (i + 1) * BATCH_BYTES));
    const seconds = bytes.length / 32_000;
    out.push(`${wordForAudio(bytes)}@${(Math.round((i * 0.1 + seconds * 0.2) * 10_000) / 10_000).toFixed(3)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

base.describe('network faults lose and repeat nothing', () => {
  base('client library through the real proxy: kills, restarts, 1011 and a silent proxy give the same words as an uninterrupted run', async ({
    proxyToken,
  }, testInfo) => {
    base.setTimeout(150_000);
    const speech = await loopedSpeech();
    const token = proxyToken;
    const lines: string[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const upstreams = await Promise.all([0, 1, 2].map(() => startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY })));
      cleanups.push(...upstreams.map((u) => () => u.close()));
      const [cleanUp, faultUp, silentUp] = upstreams as [HostileUpstream, HostileUpstream, HostileUpstream];
      // 4x real time: the proxy's own rate limit is raised to match (it is a product limit, not under test here).
      const fast = { AUDIO_RATE_FACTOR: '8', AUDIO_BURST_SECONDS: '30' };
      const proxies = await Promise.all([
        startFaultyProxy(proxyEnvFor(cleanUp, token, fast), lines),
        startFaultyProxy(proxyEnvFor(faultUp, token, fast), lines),
        startFaultyProxy(proxyEnvFor(silentUp, token, { AUDIO_RATE_FACTOR: '8', AUDIO_BURST_SECONDS: '60' }), lines),
      ]);
      cleanups.push(...proxies.map((p) => () => p.stop(1_000)));
      const [cleanProxy, faultProxy, silentProxy] = proxies;

      const speed = 4;
      const feedSeconds = speech.seconds / speed;
      const schedule = faultSchedule(20260601, ['kill', 'kill', 'kill', 'graceful-restart', 'upstream-1011'], 2.5, (feedSeconds - 5) / 5);
      const pending = [...schedule];
      const applied: string[] = [];

      // The silent run: the first 25 s of the same audio, in real time; the proxy freezes at 5 s.
      const silentPcm = speech.pcm.subarray(0, 250 * BATCH_BYTES);
      // Set from the socket's status callback (TypeScript cannot see a closure assign a let).
      const silence: { frozenAt: number | null; noticedAt: number | null } = { frozenAt: null, noticedAt: null };

      const [clean, faulted, silent] = await Promise.all([
        streamThroughProxy({ url: cleanProxy.url, token, pcm: speech.pcm, speed }),
        streamThroughProxy({
          url: faultProxy.url,
          token,
          pcm: speech.pcm,
          speed,
          tick: async (elapsed) => {
            const next = pending[0];
            if (!next || elapsed < next.at) return;
            pending.shift();
            await applyFault(next, faultProxy, faultUp);
            applied.push(`${next.kind} at ${next.at.toFixed(1)} s`);
          },
        }),
        streamThroughProxy({
          url: silentProxy.url,
          token,
          pcm: silentPcm,
          speed: 1,
          tick: (elapsed) => {
            if (silence.frozenAt === null && elapsed >= 5) {
              silentProxy.pause();
              silence.frozenAt = Date.now();
            }
          },
          onStatus: (_status, detail) => {
            if (silence.frozenAt !== null && silence.noticedAt === null && detail.error?.code === 'proxy-closed') {
              silence.noticedAt = Date.now();
              silentProxy.resume();
            }
          },
        }),
      ]);

      const reference = expectedWords(speech.pcm, Math.ceil(speech.pcm.length / BATCH_BYTES));
      const figures = {
        wordsCompared: reference.length,
        faultsApplied: applied,
        faultedConnections: faulted.connections,
        faultedReplayedSeconds: Number(faulted.replayedSeconds.toFixed(2)),
        silentRunWords: silent.words.length,
        silenceNoticedMs: silence.noticedAt !== null && silence.frozenAt !== null ? silence.noticedAt - silence.frozenAt : null,
        proxyRestarts: faultProxy.restarts,
        upstreamConnections: faultUp.connections.length,
      };
      await saveText(testInfo, 'network-faults-node.json', JSON.stringify(figures, null, 2));
      console.log('[network-faults] client library:', JSON.stringify(figures));

      // The uninterrupted run is the reference computed from the bytes themselves.
      expect(clean.words).toEqual(reference);
      expect(clean.connections).toBe(1);
      // Every fault happened and was survived, and the words are exactly the same.
      expect(applied).toHaveLength(schedule.length);
      expect(faulted.connections).toBeGreaterThanOrEqual(1 + schedule.length);
      expect(faulted.droppedSeconds).toBe(0);
      expect(faulted.words).toEqual(reference);
      // The silent proxy was noticed within the socket's watchdog (15 s) plus a little, and nothing was lost.
      expect(figures.silenceNoticedMs).not.toBeNull();
      expect(figures.silenceNoticedMs!).toBeLessThan(17_000);
      expect(silent.connections).toBeGreaterThanOrEqual(2);
      expect(silent.words).toEqual(reference.slice(0, 250));
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      await testInfo.attach('proxy-output.txt', { body: lines.join('\n'), contentType: 'text/plain' });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The real extension.

const test = base.extend<{ upstream: HostileUpstream; faultyProxy: FaultyProxy }>({
  upstream: async ({}, use) => {
    const upstream = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY });
    try {
      await use(upstream);
    } finally {
      await upstream.close();
    }
  },
  faultyProxy: async ({ upstream, proxyToken }, use, testInfo) => {
    const lines: string[] = [];
    const proxy = await startFaultyProxy(proxyEnvFor(upstream, proxyToken), lines);
    try {
      await use(proxy);
    } finally {
      await proxy.stop(2_000);
      await testInfo.attach('proxy-output.txt', { body: lines.join('\n'), contentType: 'text/plain' });
    }
  },
  captionProxy: async ({ faultyProxy }, use) => {
    await use(faultyProxy);
  },
});

test.describe('network faults in the real extension', () => {
  test('tab capture of two minutes of speech through proxy kills and restarts: one word per 100 ms, none lost, none twice', async ({
    app,
    faultyProxy,
    upstream,
  }, testInfo) => {
    test.setTimeout(240_000);
    const speech = await loopedSpeech();
    // Every 100 ms batch must reach the socket, silence too.
    await turnOffVoiceGate(app);

    const page = await startSpeechPage(speech.wav, 'Captionist network faults', false);
    try {
      const tab = await startCaptionsOnPlayingPage(app, page.url);
      const startedAt = Date.now();
      const schedule = faultSchedule(20260602, ['kill', 'kill', 'kill', 'graceful-restart', 'upstream-1011'], 8, 19);
      const applied: string[] = [];
      for (const fault of schedule) {
        const wait = startedAt + fault.at * 1000 - Date.now();
        if (wait > 0) await sleep(wait);
        await applyFault(fault, faultyProxy, upstream);
        applied.push(`${fault.kind} at ${fault.at.toFixed(1)} s`);
      }
      // The speech ends; the tab then sends digital silence. Once the upstream hears that silence
      // on the live connection, the backlog from the outages has been sent.
      await waitForBacklogDrained(tab, upstream, 150_000);
      await stopFromPopup(app, tab);

      // The saved session, as any page reads it after the capture document closed.
      const reader = await app.context.newPage();
      await reader.goto(`chrome-extension://${app.extensionId}/sidepanel.html`);
      const words = await readSavedWords(reader);
      await reader.close();
      // 1. One word per 100 ms slot of captured audio, from the first to the last: none lost, none twice.
      const { missing, repeated, capturedSeconds } = checkSlots(words);
      // 2. Those words are the upstream's words for the captured audio, in order (the stitched uninterrupted stream).
      const reference = stitchConnections(upstream.connections);
      const figures = {
        faults: applied,
        upstreamConnections: upstream.connections.length,
        proxyRestarts: faultyProxy.restarts,
        wordsCompared: words.length,
        referenceWords: reference.length,
        missingSlots: missing.length,
        repeatedSlots: repeated.length,
        capturedSeconds,
      };
      await saveText(testInfo, 'network-faults-extension.json', JSON.stringify(figures, null, 2));
      console.log('[network-faults] extension:', JSON.stringify(figures));
      expect(upstream.connections.length, 'every fault cost a connection').toBeGreaterThanOrEqual(1 + schedule.length);
      expect(missing, 'slots without a word (lost audio)').toEqual([]);
      expect(repeated, 'slots with two words (duplicated audio)').toEqual([]);
      expect(words.length).toBeGreaterThan(speech.seconds * 10);
      expect(words.map((w) => w.text)).toEqual(reference);
    } finally {
      await page.server.close();
    }
  });
});
