/**
 * An exception while one stream is set up closes that stream with 1011 and a log line; the proxy
 * goes on serving. The key is checked at start (config.test.ts, main-process.test.ts); these tests
 * hand startProxy a config that skipped that check, as an embedding program could.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { UPSTREAM_SETUP_REASON } from '@/proxy/listen-session';
import { createProxyMetrics } from '@/proxy/metrics';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, silencePcm, streamPcm, testConfig } from './proxy-test-kit';

let fake: FakeDeepgram | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

function collectingLogger(): { logger: Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), text: () => text };
}

async function health(running: RunningProxy): Promise<number> {
  const response = await fetch(running.url.replace('ws://', 'http://').replace('/v1/listen', '/healthz'));
  return response.status;
}

describe('a stream whose setup throws', () => {
  it('a key no HTTP header can carry closes each stream with 1011, and the proxy stays up', async () => {
    const key = 'fake\u2019deepgram-key';
    fake = await startFakeUpstream({ mode: 'normal', apiKey: key });
    const { logger, text } = collectingLogger();
    const metrics = createProxyMetrics();
    proxy = await startProxy(testConfig({ deepgramApiKey: key, deepgramUrl: fake.url }), { logger, metrics });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const client = connectClient(proxy.url, { token: TOKEN });
      await client.opened;
      expect(await client.closed).toEqual({ code: 1011, reason: UPSTREAM_SETUP_REASON });
    }
    expect(await health(proxy)).toBe(200);
    expect(await metrics.render()).toContain('captionist_errors_total{kind="upstream_setup"} 2');
    const failures = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'upstream setup failed');
    expect(failures).toHaveLength(2);
    expect(String(failures[0]?.err)).toContain('Invalid character in header content');
    expect(text()).not.toContain(key);
  });

  it('anything else that throws closes that stream with 1011, without holding its place in the stream limit', async () => {
    fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY });
    const { logger, text } = collectingLogger();
    let children = 0;
    // The first stream's logger cannot be made: a stand-in for any bug in the stream's setup.
    const failingOnce = new Proxy(logger, {
      get(target, property, receiver) {
        if (property !== 'child') return Reflect.get(target, property, receiver) as unknown;
        return (...args: Parameters<Logger['child']>) => {
          children += 1;
          if (children === 1) throw new Error('logger unavailable');
          return target.child(...args);
        };
      },
    });
    proxy = await startProxy(
      testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url, limits: { ...DEFAULT_LIMITS, maxStreamsPerToken: 1 } }),
      { logger: failingOnce },
    );
    const first = connectClient(proxy.url, { token: TOKEN });
    await first.opened;
    expect(await first.closed).toEqual({ code: 1011, reason: 'the proxy could not set up this stream' });
    expect(text()).toContain('"msg":"stream setup failed"');

    const second = connectClient(proxy.url, { token: TOKEN });
    await second.opened;
    await streamPcm(second.ws, silencePcm(0.3), { speed: 4 });
    second.ws.send('{"type":"CloseStream"}');
    expect((await second.closed).code).toBe(1000);
    expect(fake.connections).toHaveLength(1);
  });
});
