/**
 * The archive and the captions agree on time when the VAD holds back silence: the extension's own
 * CaptureSession (VAD on, the Options setting on) streams through a real proxy with the archive to
 * the fake Deepgram, and every word the proxy stores in a real Postgres has the meeting time the
 * extension's transcript shows, not the shorter stream time the server counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import { DEFAULT_ARCHIVE } from '@/proxy/archive/archive-config';
import { CaptureSession } from '@/lib/session/capture-session';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { frames, render } from '@/testkit/vad/synthetic-audio';
import { startPostgres, type PostgresServer } from '../fixtures/postgres-server';
import { DEEPGRAM_KEY, TOKEN, testConfig, waitFor } from './proxy-test-kit';

let postgres: PostgresServer | undefined;
let fake: FakeDeepgram | undefined;
let proxy: RunningProxy | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
  fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, script: [{ speaker: 0, words: ['alpha'] }, { speaker: 0, words: ['bravo'] }] });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }), {
    shutdownGraceMs: 500,
    archive: { ...DEFAULT_ARCHIVE, databaseUrl: postgres.url, flushMs: 100 },
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await fake?.close();
  await postgres?.stop();
});

interface TimedWord {
  text: string;
  start: number;
  end: number;
}

const byStart = (a: TimedWord, b: TimedWord) => a.start - b.start;
const rounded = (words: TimedWord[]) => words.map((word) => [word.text, Math.round(word.start * 1000), Math.round(word.end * 1000)]);

describe('archive meeting time from a real capture session', () => {
  it('stores each word at the meeting time the extension shows, across a silence the VAD did not send', async () => {
    const settings: Settings = { ...DEFAULT_SETTINGS, proxyUrl: proxy!.url, token: TOKEN, vadEnabled: true, archiveTranscripts: true };
    let live = false;
    const session = new CaptureSession(
      {
        emitState: (state) => {
          if (state.phase === 'live') live = true;
        },
        emitUpdate: () => undefined,
        emitLevel: () => undefined,
        now: () => Date.now(),
        openSocket: (socketSettings, handlers, format) =>
          // ws speaks the browser's WebSocket surface that lib/listen/connection.ts uses.
          openListenSocket(socketSettings, handlers, format, (url, protocols) => new WebSocket(url, protocols)),
      },
      settings,
      'tab',
      1,
    );
    session.connect();
    await waitFor(() => live, 5000, 'the session to go live');
    // Voice at meeting 2-3 s and 6-7 s; the noise between is gated, so the server hears far less than 9 s.
    const signal = render([
      { seconds: 2, noiseDb: -60 },
      { seconds: 1, noiseDb: -60, voiceDb: -25 },
      { seconds: 3, noiseDb: -60 },
      { seconds: 1, noiseDb: -60, voiceDb: -25 },
      { seconds: 2, noiseDb: -60 },
    ]);
    for (const { frame } of frames(signal)) session.handleFrame(frame, 0.01, 0.05);
    await session.stop();

    const shown: TimedWord[] = session.snapshot.utterances.flatMap((utterance) => utterance.words).sort(byStart);
    expect(shown.length).toBeGreaterThan(4);
    // The second burst is shown after the gap, in meeting time.
    expect(shown.at(-1)!.start).toBeGreaterThan(5.5);

    await proxy!.archive?.flush();
    const client = new pg.Client({ connectionString: postgres!.url });
    await client.connect();
    const rows = (await client.query<{ words: TimedWord[] }>('SELECT words FROM archive_utterances')).rows;
    await client.end();
    const stored = rows.flatMap((row) => row.words).sort(byStart);
    expect(rounded(stored)).toEqual(rounded(shown));
  }, 30_000);
});
