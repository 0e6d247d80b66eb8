/**
 * The opt-in Postgres archive (issue 14) against a real PostgreSQL server (tests/fixtures/postgres-server.ts)
 * and the fake Deepgram: migrations, finals stored from a real stream, one row per final across a
 * replay, retention, per-token isolation, the export formats, and Postgres going away mid-stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DEFAULT_ARCHIVE, type ArchiveConfig } from '@/proxy/archive/archive-config';
import { runArchiveMigrations } from '@/proxy/archive/archive-store';
import { startProxy, type ProxyOptions, type RunningProxy } from '@/proxy/server';
import { meetingSpanMessage } from '@/lib/listen/meeting-span';
import { startFakeUpstream, type FakeDeepgram, type FakeUtterance } from '@/testkit/upstream';
import { startPostgres, type PostgresServer } from '../fixtures/postgres-server';
import { DEEPGRAM_KEY, OTHER_TOKEN, TOKEN, connectClient, httpGet, resultsOf, silencePcm, streamPcm, testConfig, transcriptOf, waitFor } from './proxy-test-kit';

const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&punctuate=true';
/** One word per utterance at 100 ms a word: a final every 0.2 s of audio, starting at 0, 0.2, 0.4… */
const ONE_WORD: FakeUtterance[] = [
  { speaker: 0, words: ['alpha'] },
  { speaker: 1, words: ['bravo'] },
  { speaker: 0, words: ['charlie'] },
];

let server: PostgresServer | undefined;
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh database per test, so each starts unmigrated and empty. */
async function freshDatabase(): Promise<string> {
  databases += 1;
  const name = `archive_${databases}`;
  await query(server!.url, `CREATE DATABASE ${name}`);
  return server!.url.replace(/\/postgres$/, `/${name}`);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function archiveConfig(databaseUrl: string, overrides: Partial<ArchiveConfig> = {}): ArchiveConfig {
  return { ...DEFAULT_ARCHIVE, databaseUrl, flushMs: 100, backoffMs: 100, maxBackoffMs: 400, ...overrides };
}

async function setup(overrides: Partial<ArchiveConfig> = {}, options: ProxyOptions = {}): Promise<{ fake: FakeDeepgram; proxy: RunningProxy; url: string }> {
  const url = await freshDatabase();
  const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, msPerWord: 100, script: ONE_WORD });
  cleanups.push(() => fake.close());
  const proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }), {
    shutdownGraceMs: 500,
    archive: archiveConfig(url, overrides),
    ...options,
  });
  cleanups.push(() => proxy.close());
  return { fake, proxy, url };
}

/** Streams `seconds` of audio on one connection, closes it, and returns the final transcripts it got. */
async function streamOnce(proxy: RunningProxy, seconds: number, extra: string, token = TOKEN): Promise<string[]> {
  const client = connectClient(proxy.url, { token, query: `${QUERY}${extra}` });
  await client.opened;
  await streamPcm(client.ws, silencePcm(seconds), { speed: 4 });
  const expected = Math.floor(seconds / 0.2 + 1e-6);
  await waitFor(() => resultsOf(client.messages).filter((m) => m.is_final === true).length >= expected, 5000, `${expected} finals`);
  client.ws.close(1000);
  await client.closed;
  return resultsOf(client.messages)
    .filter((m) => m.is_final === true)
    .map(transcriptOf);
}

function api(proxy: RunningProxy, path: string, token: string | null = TOKEN) {
  return httpGet(`http://127.0.0.1:${proxy.port}${path}`, { headers: token === null ? {} : { Authorization: `Token ${token}` } });
}

async function sessionsOf(proxy: RunningProxy, token = TOKEN): Promise<{ id: string; utterances: number }[]> {
  const answer = await api(proxy, '/v1/archive/sessions', token);
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { sessions: { id: string; utterances: number }[] }).sessions;
}

describe('archive schema', () => {
  it('is created by node-pg-migrate from proxy/archive/migrations, once, and a deleted session takes its utterances', async () => {
    const url = await freshDatabase();
    await runArchiveMigrations(url);
    await runArchiveMigrations(url);
    const migrations = await query<{ name: string }>(url, 'SELECT name FROM archive_migrations');
    expect(migrations.map((m) => m.name)).toEqual(['1765000000000_archive-schema']);
    await query(url, `INSERT INTO archive_sessions VALUES ('s1', 'owner', 'token#1', now(), now())`);
    await query(url, `INSERT INTO archive_utterances (session_id, channel, start_key, start_ms, end_ms, text, words) VALUES ('s1', 0, 0, 0, 10, 'hi', '[]')`);
    await query(url, `DELETE FROM archive_sessions WHERE id = 's1'`);
    expect(await query(url, 'SELECT * FROM archive_utterances')).toEqual([]);
  });
});

describe('archiving a stream through the proxy', () => {
  it('stores each final with its session, token name, speaker and meeting time, and never sends the archive parameters upstream', async () => {
    const { fake, proxy, url } = await setup();
    const finals = await streamOnce(proxy, 1.2, '&captionist_session=meeting-0001&captionist_offset=10&diarize=true');
    expect(finals).toHaveLength(6);
    await proxy.archive?.flush();
    expect(fake.connections[0]?.query.has('captionist_session')).toBe(false);
    expect(fake.connections[0]?.query.has('captionist_offset')).toBe(false);

    const rows = await query<{ token_label: string; start_ms: string; end_ms: string; speaker: number; text: string; words: { start: number }[] }>(
      url,
      'SELECT s.token_label, u.start_ms, u.end_ms, u.speaker, u.text, u.words FROM archive_utterances u JOIN archive_sessions s ON s.id = u.session_id ORDER BY u.start_ms',
    );
    expect(rows.map((r) => r.text)).toEqual(finals);
    expect(rows.map((r) => r.token_label)).toEqual(Array(6).fill('token#1'));
    // Offset 10 s: the finals cover 10.0-10.2, 10.2-10.4, …
    expect(rows.map((r) => Number(r.start_ms))).toEqual([10_000, 10_200, 10_400, 10_600, 10_800, 11_000]);
    expect(Number(rows[0]?.end_ms)).toBe(10_200);
    expect(rows.map((r) => r.speaker)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(rows[1]?.words[0]?.start).toBeCloseTo(10.2, 3);
    // The token itself is nowhere in the database.
    const dump = JSON.stringify(await query(url, 'SELECT * FROM archive_sessions'));
    expect(dump).not.toContain(TOKEN);

    const metrics = await api(proxy, '/metrics');
    expect(metrics.text).toMatch(/captionist_archive_rows_written_total 6/);
  });

  it('stores a final replayed on a second connection once, and goes on where the replay ends', async () => {
    const { proxy, url } = await setup();
    const first = await streamOnce(proxy, 0.8, '&captionist_session=meeting-replay');
    // The reconnect replays from stream second 0.4 (what the last final it trusts covered) and goes on.
    const second = await streamOnce(proxy, 0.8, '&captionist_session=meeting-replay&captionist_offset=0.4');
    expect(first).toHaveLength(4);
    expect(second).toHaveLength(4);
    await proxy.archive?.flush();
    const rows = await query<{ start_ms: string }>(url, 'SELECT start_ms FROM archive_utterances ORDER BY start_ms');
    expect(rows.map((r) => Number(r.start_ms))).toEqual([0, 200, 400, 600, 800, 1000]);
    const sessions = await sessionsOf(proxy);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.utterances).toBe(6);
  });

  it('stores nothing for a stream that did not ask (no captionist_session): the user opts in, not only the operator', async () => {
    const { proxy, url } = await setup();
    expect(await streamOnce(proxy, 0.4, '')).toHaveLength(2);
    await proxy.archive?.flush();
    expect(await sessionsOf(proxy)).toEqual([]);
    expect(await query(url, 'SELECT 1 FROM archive_utterances')).toEqual([]);
  });
});

/** Streams spans of audio on one connection, each after its meeting-time declaration (lib/listen/meeting-span.ts). */
async function streamSpans(proxy: RunningProxy, spans: { meetingStart: number; seconds: number }[], extra: string): Promise<{ finals: string[] }> {
  const client = connectClient(proxy.url, { token: TOKEN, query: `${QUERY}${extra}` });
  await client.opened;
  for (const span of spans) {
    client.ws.send(meetingSpanMessage(span.meetingStart));
    await streamPcm(client.ws, silencePcm(span.seconds), { speed: 4 });
  }
  const expected = Math.floor(spans.reduce((sum, span) => sum + span.seconds, 0) / 0.2 + 1e-6);
  await waitFor(() => resultsOf(client.messages).filter((m) => m.is_final === true).length >= expected, 5000, `${expected} finals`);
  client.ws.close(1000);
  await client.closed;
  return { finals: resultsOf(client.messages).filter((m) => m.is_final === true).map(transcriptOf) };
}

describe('meeting time: the client declares where its audio lies (the VAD held back the silence between)', () => {
  it('stores starts, ends and words in meeting time, and the upstream never sees the declarations', async () => {
    const { fake, proxy, url } = await setup();
    // Speech at meeting 5.0-5.4, silence not sent, speech again at 30.0-30.4: the server hears 0.8 s.
    const { finals } = await streamSpans(proxy, [{ meetingStart: 5, seconds: 0.4 }, { meetingStart: 30, seconds: 0.4 }], '&captionist_session=meeting-gaps');
    expect(finals).toHaveLength(4);
    await proxy.archive?.flush();
    const rows = await query<{ start_ms: string; end_ms: string; words: { start: number; end: number }[] }>(url, 'SELECT start_ms, end_ms, words FROM archive_utterances ORDER BY start_ms');
    expect(rows.map((r) => Number(r.start_ms))).toEqual([5000, 5200, 30_000, 30_200]);
    // The final ending where the two spans meet ends with the first span, not 24.6 s later.
    expect(rows.map((r) => Number(r.end_ms))).toEqual([5200, 5400, 30_200, 30_400]);
    expect(rows[2]?.words[0]?.start).toBeCloseTo(30, 3);
    expect(rows[1]?.words[0]?.end).toBeCloseTo(5.295, 3);
    expect(fake.connections[0]?.controls.filter((type) => type.includes('Captionist'))).toEqual([]);
    expect(fake.connections[0]?.audioBytes).toBe(0.8 * 32_000);
  });

  it('stores a final replayed on a second connection once, at the same meeting time', async () => {
    const { proxy, url } = await setup();
    await streamSpans(proxy, [{ meetingStart: 5, seconds: 0.4 }, { meetingStart: 30, seconds: 0.4 }], '&captionist_session=meeting-gap-replay');
    // The reconnect replays the second span (its final was not trusted) and goes on past it.
    await streamSpans(proxy, [{ meetingStart: 30, seconds: 0.8 }], '&captionist_session=meeting-gap-replay&captionist_offset=0.4');
    await proxy.archive?.flush();
    const rows = await query<{ start_ms: string }>(url, 'SELECT start_ms FROM archive_utterances ORDER BY start_ms');
    expect(rows.map((r) => Number(r.start_ms))).toEqual([5000, 5200, 30_000, 30_200, 30_400, 30_600]);
  });
});

describe('archive read API', () => {
  it('shows each token only its own sessions: another token gets 404, even with the same session key', async () => {
    const { proxy } = await setup();
    await streamOnce(proxy, 0.6, '&captionist_session=shared-key-1');
    await streamOnce(proxy, 0.4, '&captionist_session=shared-key-1', OTHER_TOKEN);
    await proxy.archive?.flush();
    const mine = await sessionsOf(proxy, TOKEN);
    const theirs = await sessionsOf(proxy, OTHER_TOKEN);
    expect(mine).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(mine[0]?.id).not.toBe(theirs[0]?.id);
    expect(mine[0]?.utterances).toBe(3);
    expect(theirs[0]?.utterances).toBe(2);

    const id = mine[0]?.id ?? '';
    const own = await api(proxy, `/v1/archive/sessions/${id}`);
    expect(own.status).toBe(200);
    const body = JSON.parse(own.text) as { id: string; utterances: { text: string; start: number; speaker: number }[] };
    expect(body.id).toBe(id);
    expect(body.utterances.map((u) => u.text)).toEqual(['Alpha.', 'Bravo.', 'Charlie.']);
    for (const path of [`/v1/archive/sessions/${id}`, `/v1/archive/sessions/${id}/export?format=txt`]) {
      const other = await api(proxy, path, OTHER_TOKEN);
      expect(other.status).toBe(404);
      expect(JSON.parse(other.text)).toMatchObject({ error: 'not_found' });
    }
    const noToken = await api(proxy, '/v1/archive/sessions', null);
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.text)).toMatchObject({ error: 'unauthorized' });
    expect((await api(proxy, '/v1/archive/sessions', 'wrong-token-0123456789abcdefghijklmnop')).status).toBe(401);
  });

  it('keeps sessions with their token when the token list is reordered (names are positions, owners are not)', async () => {
    const { proxy, url } = await setup();
    await streamOnce(proxy, 0.4, '&captionist_session=reorder-1');
    await proxy.archive?.flush();
    const id = (await sessionsOf(proxy))[0]?.id ?? '';
    await proxy.close();
    // OTHER_TOKEN is now "token#1", the name TOKEN's session was stored under.
    const reordered = await startProxy(testConfig({ tokens: [OTHER_TOKEN, TOKEN] }), { archive: archiveConfig(url) });
    cleanups.push(() => reordered.close());
    expect(await sessionsOf(reordered, OTHER_TOKEN)).toEqual([]);
    expect((await api(reordered, `/v1/archive/sessions/${id}`, OTHER_TOKEN)).status).toBe(404);
    expect((await sessionsOf(reordered, TOKEN)).map((s) => s.id)).toEqual([id]);
  });

  it('exports a session as TXT, SRT, VTT and JSON with the extension exporters', async () => {
    const { proxy } = await setup();
    await streamOnce(proxy, 0.6, '&captionist_session=export-me&diarize=true');
    await proxy.archive?.flush();
    const id = (await sessionsOf(proxy))[0]?.id ?? '';
    const get = (format: string) => api(proxy, `/v1/archive/sessions/${id}/export?format=${format}`);

    const txt = await get('txt');
    expect(txt.status).toBe(200);
    expect(txt.headers['content-type']).toBe('text/plain;charset=utf-8');
    expect(txt.text).toContain('Alpha.');
    expect(txt.text).toContain('Speaker 2');

    const srt = await get('srt');
    expect(srt.headers['content-type']).toBe('application/x-subrip;charset=utf-8');
    expect(srt.text).toMatch(/^1\r?\n00:00:00,000 --> 00:00:00,[0-9]{3}/);
    expect(srt.headers['content-disposition']).toMatch(/^attachment; filename=".*\.srt"$/);

    const vtt = await get('vtt');
    expect(vtt.text.startsWith('WEBVTT')).toBe(true);
    expect(vtt.text).toContain('Charlie.');

    const json = JSON.parse((await get('json')).text) as { format: string; utterances: { text: string; start: number; end: number }[] };
    expect(json.format).toBe('captionist-transcript');
    expect(json.utterances.map((u) => [u.text, u.start, u.end])).toEqual([
      ['Alpha.', 0, 0.2],
      ['Bravo.', 0.2, 0.4],
      ['Charlie.', 0.4, 0.6],
    ]);

    const bad = await get('docx');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: 'bad_request' });
  });
});

describe('archive retention', () => {
  it('deletes sessions idle for longer than ARCHIVE_RETENTION_DAYS from a scheduled job, with their utterances', async () => {
    let now = Date.now();
    const { proxy, url } = await setup({ retentionDays: 2, retentionIntervalMs: 100 }, { archiveNow: () => now });
    await streamOnce(proxy, 0.4, '&captionist_session=old-meeting');
    await proxy.archive?.flush();
    now += 1 * 86_400_000;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await sessionsOf(proxy)).toHaveLength(1);
    now += 1.5 * 86_400_000;
    const deadline = Date.now() + 3000;
    while ((await sessionsOf(proxy)).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sessionsOf(proxy)).toHaveLength(0);
    expect(await query(url, 'SELECT * FROM archive_utterances')).toEqual([]);
    expect((await api(proxy, '/metrics')).text).toMatch(/captionist_archive_sessions_expired_total 1/);
  });
});

describe('Postgres down mid-stream', () => {
  it('keeps streaming, buffers finals up to ARCHIVE_BUFFER_ROWS, writes them when Postgres is back, and counts what it dropped', async () => {
    const { proxy, url } = await setup({ bufferRows: 5 });
    const client = connectClient(proxy.url, { token: TOKEN, query: `${QUERY}&captionist_session=outage-001` });
    await client.opened;
    const finals = () => resultsOf(client.messages).filter((m) => m.is_final === true).length;
    await streamPcm(client.ws, silencePcm(0.4), { speed: 4 });
    await waitFor(() => finals() === 2, 5000, 'two finals');
    await proxy.archive?.flush();
    expect(await query(url, 'SELECT 1 FROM archive_utterances')).toHaveLength(2);

    await server!.pause();
    // 1.6 s more: 8 finals while Postgres is away; the buffer holds 5.
    await streamPcm(client.ws, silencePcm(1.6), { speed: 4 });
    await waitFor(() => finals() === 10, 5000, 'ten finals while Postgres is down');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await proxy.archive?.flush();
    expect(proxy.archive?.buffered).toBe(5);
    const during = (await api(proxy, '/metrics')).text;
    expect(during).toMatch(/captionist_archive_rows_dropped_total 3/);
    expect(during).toMatch(/captionist_archive_write_failures_total [1-9]/);
    const unreachable = await api(proxy, '/v1/archive/sessions');
    expect(unreachable.status).toBe(503);
    expect(JSON.parse(unreachable.text)).toMatchObject({ error: 'unavailable' });

    await server!.resume();
    await waitFor(() => proxy.archive?.buffered === 0, 5000, 'the buffer to drain');
    const rows = await query<{ start_ms: string }>(url, 'SELECT start_ms FROM archive_utterances ORDER BY start_ms');
    // The two written before, then the five buffered (the first five of the outage); the last three were dropped.
    expect(rows.map((r) => Number(r.start_ms))).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
    client.ws.close(1000);
    await client.closed;
  });
});
