/**
 * "Test connection" against a transcription relay (tests/fixtures/transcribe-relay.ts) before the
 * fake Deepgram, in both server kinds: it names the kind that answered, and says the relay works
 * only when captions came back.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { quickCheck, testConnection, type ConnectionTestDeps, type ConnectionTestResult, type FetchLike } from '@/lib/connection-test';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { RELAY_PATH, startTranscribeRelay, type TranscribeRelay } from '../fixtures/transcribe-relay';
import { browserFetch, browserPost, browserWebSocket } from './connection-test-kit';
import { installEnglishMessages } from './settings-english-messages';

const UPSTREAM_KEY = 'fake-deepgram-key';
const RELAY_TOKEN = 'relay-token-1';
const deps: ConnectionTestDeps = {
  fetch: browserFetch(),
  createWebSocket: browserWebSocket(),
  post: browserPost(),
  timeouts: { httpMs: 2000, openMs: 2000, answerMs: 4000 },
};

let fake: FakeDeepgram;
let relay: TranscribeRelay;
beforeAll(async () => {
  installEnglishMessages();
  fake = await startFakeUpstream({ mode: 'normal', apiKey: UPSTREAM_KEY, msPerWord: 200 });
  relay = await startTranscribeRelay({ upstreamUrl: fake.url, upstreamKey: UPSTREAM_KEY, tokens: [RELAY_TOKEN] });
});
afterAll(async () => {
  await relay.close();
  await fake.close();
});
afterEach(() => {
  relay.connections.length = 0;
});

const settings = (proxyUrl: string, token: string, serverKind: Settings['serverKind']): Settings => ({ ...DEFAULT_SETTINGS, proxyUrl, token, serverKind });

function expectResult(result: ConnectionTestResult, expected: Record<string, unknown>, message: RegExp): void {
  expect(result, JSON.stringify(result)).toMatchObject(expected);
  expect(result.message).toMatch(message);
}

describe('testConnection, relay kind', () => {
  it('says the relay works when captions came back for its audio, and sent no text frame', async () => {
    const result = await testConnection(settings(`${relay.origin}${RELAY_PATH}`, RELAY_TOKEN, 'relay'), deps);
    expectResult(result, { ok: true, serverKind: 'relay' }, /transcription relay .* sent captions back/);
    expect(relay.connections[0]?.apiKey).toBe(RELAY_TOKEN);
    expect(relay.connections[0]?.textFrames).toEqual([]);
  });

  it('reports the relay\'s close and reason for a wrong token', async () => {
    const result = await testConnection(settings(`${relay.origin}${RELAY_PATH}`, 'wrong-token', 'relay'), deps);
    expectResult(result, { ok: false, kind: 'refused' }, /closed it \(1008\): Invalid API key/);
  });

  it('names a /v1/listen server when one answers instead', async () => {
    const result = await testConnection(settings(fake.url, UPSTREAM_KEY, 'relay'), deps);
    expectResult(result, { ok: false, kind: 'other-kind' }, /answers as a \/v1\/listen server/);
  });
});

describe('testConnection, listen kind pointed at a relay', () => {
  it('with the token field: the handshake fails, and the probe says a relay answered', async () => {
    const result = await testConnection(settings(`${relay.origin}${RELAY_PATH}`, RELAY_TOKEN, 'listen'), deps);
    expectResult(result, { ok: false, kind: 'other-kind' }, /answers as a transcription relay/);
  });

  it('with ?api_key= in the URL: never "works"; the relay dropping the connection at CloseStream names it', async () => {
    const result = await testConnection(settings(`${relay.origin}${RELAY_PATH}?api_key=${RELAY_TOKEN}`, '', 'listen'), deps);
    expectResult(result, { ok: false, kind: 'other-kind' }, /answers as a transcription relay/);
  });
});

describe('quickCheck, relay kind', () => {
  it('asks a relay nothing over HTTP (it has no /v1/auth-check; the token stays off other paths)', async () => {
    const asked: string[] = [];
    const fetchLike: FetchLike = (url) => {
      asked.push(url);
      return Promise.reject(new TypeError('Failed to fetch'));
    };
    expect(await quickCheck(settings(`${relay.origin}${RELAY_PATH}`, RELAY_TOKEN, 'relay'), fetchLike)).toBeNull();
    expect(asked).toEqual([]);
  });
});
