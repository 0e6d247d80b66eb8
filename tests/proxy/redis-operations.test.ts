/**
 * What a stream costs Redis, counted by the server itself (INFO stats): a few commands at start
 * and at end, none per audio frame. The heartbeat is kept out of the window (a long slot TTL);
 * it is one script for all of an instance's slots, plus one quota write per token with audio.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHARED } from '@/proxy/config';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, silencePcm, sleep, testConfig } from './proxy-test-kit';
import { startRedis, type TestRedis } from '../../testkit/servers/redis-server';

let redis: TestRedis | undefined;
let fake: FakeDeepgram | undefined;
let proxy: RunningProxy | undefined;
let probe: Redis | undefined;
let monitorConnection: Redis | undefined;
afterEach(async () => {
  monitorConnection?.disconnect();
  probe?.disconnect();
  monitorConnection = undefined;
  await proxy?.close();
  await fake?.close();
  await redis?.close();
  probe = undefined;
  proxy = undefined;
  fake = undefined;
  redis = undefined;
});

describe('Redis operations per stream', () => {
  it('start: the throttle read, the quota read and the slot script; audio: nothing; end: the slot removals and one quota write', { timeout: 15_000 }, async () => {
    redis = await startRedis();
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, idleTimeoutMs: 60_000 });
    proxy = await startProxy(
      testConfig({
        deepgramApiKey: DEEPGRAM_KEY,
        deepgramUrl: fake.url,
        shared: { ...DEFAULT_SHARED, redisUrl: redis.url, dailyAudioSecondsPerToken: 3600, slotTtlMs: 300_000 },
      }),
    );
    probe = new Redis(redis.url);
    // MONITOR sees every command as the server runs it; those a script runs come from "lua".
    const monitor = await probe.monitor();
    monitorConnection = monitor;
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push((args[0] ?? '').toLowerCase());
    });
    await sleep(100);
    const take = () => seen.splice(0);

    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await sleep(100);
    const atStart = take();
    // 20 frames of 100 ms.
    for (let frame = 0; frame < 20; frame += 1) {
      client.ws.send(silencePcm(0.1));
      await sleep(20);
    }
    await sleep(200);
    const duringAudio = take();
    client.ws.close(1000);
    await client.closed;
    await sleep(300);
    const atEnd = take();
    process.stdout.write(`redis commands per stream: start [${atStart.join(' ')}], audio [${duringAudio.join(' ')}], end [${atEnd.join(' ')}]\n`);

    // Start: the throttle's read and the quota's read (each MULTI GET PTTL EXEC), the slot script.
    expect(atStart.filter((name) => name === 'eval' || name === 'evalsha')).toHaveLength(1);
    expect(atStart.filter((name) => name === 'get')).toHaveLength(2);
    expect(atStart.length).toBeLessThanOrEqual(9);
    expect(duringAudio).toEqual([]);
    // End: both slot removals in one MULTI, and the 2 s of audio written to the quota (one script).
    expect(atEnd.filter((name) => name === 'zrem')).toHaveLength(2);
    expect(atEnd.filter((name) => name === 'eval' || name === 'evalsha')).toHaveLength(1);
    expect(atEnd.length).toBeLessThanOrEqual(5);
  });
});
