/**
 * A proxy process killed with SIGKILL cannot release its stream slots; they expire with the slot
 * TTL (REDIS_SLOT_TTL_SECONDS, 15 s by default) because nobody renews them. A second instance
 * sharing the same Redis refuses the token while the dead one's slot lives, then admits it within
 * that bound.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_SHARED } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, LISTEN_QUERY, TOKEN, connectClient, silencePcm, sleep, testConfig, upgradeAnswer } from './proxy-test-kit';
import { startRedis, type TestRedis } from '../../testkit/servers/redis-server';

const READY = /^Captionist proxy listening on (ws:\/\/\S+) /;
const SLOT_TTL_MS = DEFAULT_SHARED.slotTtlMs;

let child: ChildProcessWithoutNullStreams | undefined;
let survivor: RunningProxy | undefined;
let fake: FakeDeepgram | undefined;
let redis: TestRedis | undefined;
afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await survivor?.close();
  await fake?.close();
  await redis?.close();
  child = undefined;
  survivor = undefined;
  fake = undefined;
  redis = undefined;
});

function spawnProxy(env: Record<string, string>): Promise<string> {
  // `node --import tsx` (as tests/proxy/main-process.test.ts does) so SIGKILL hits the proxy itself.
  const started = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
  });
  child = started;
  let out = '';
  return new Promise<string>((resolve, reject) => {
    started.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = READY.exec(out)?.[1];
      if (url !== undefined) resolve(url);
    });
    started.on('exit', (code) => reject(new Error(`proxy exited with ${code} before it was ready`)));
  });
}

describe('a dead instance\'s stream slots', () => {
  it(`are free again within the slot TTL (${SLOT_TTL_MS / 1000} s) after kill -9`, { timeout: 40_000 }, async () => {
    redis = await startRedis();
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 60_000 });
    const url = await spawnProxy({
      PORT: '0',
      DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      DEEPGRAM_URL: fake.url,
      CAPTIONIST_TOKENS: TOKEN,
      MAX_STREAMS_PER_TOKEN: '1',
      REDIS_URL: redis.url,
    });
    survivor = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: fake.url,
        limits: { ...DEFAULT_LIMITS, maxStreamsPerToken: 1 },
        shared: { ...DEFAULT_SHARED, redisUrl: redis.url },
      }),
      { shutdownGraceMs: 300 },
    );

    const held = connectClient(url, { token: TOKEN });
    await held.opened;
    held.ws.send(silencePcm(0.2));
    // Past one heartbeat, so the slot has been renewed at least once before the kill.
    await sleep(SLOT_TTL_MS / 3 + 500);
    const refused = await upgradeAnswer(`${survivor.url}?${LISTEN_QUERY}`, { Authorization: `Token ${TOKEN}` });
    expect(refused.status).toBe(429);
    expect(refused.body?.error).toBe('too_many_streams');

    const killedAt = Date.now();
    child?.kill('SIGKILL');
    await held.closed;

    let admittedAfterMs: number | undefined;
    while (Date.now() - killedAt < SLOT_TTL_MS + 3000) {
      const answer = await upgradeAnswer(`${survivor.url}?${LISTEN_QUERY}`, { Authorization: `Token ${TOKEN}` });
      if (answer.status === 101) {
        admittedAfterMs = Date.now() - killedAt;
        break;
      }
      expect(answer.body?.error).toBe('too_many_streams');
      await sleep(250);
    }
    expect(admittedAfterMs).toBeDefined();
    // The bound: the slot expires at most one TTL after its last renewal, which came before the kill.
    expect(admittedAfterMs).toBeLessThanOrEqual(SLOT_TTL_MS + 500);
    // Not sooner than the renewal left it: the slot was held, not freed by something else.
    expect(admittedAfterMs).toBeGreaterThanOrEqual((SLOT_TTL_MS * 2) / 3 - 1000);
    // And a real stream is admitted for the token on the surviving instance.
    const again = connectClient(survivor.url, { token: TOKEN });
    await again.opened;
    again.ws.close(1000);
    await again.closed;
  });
});
