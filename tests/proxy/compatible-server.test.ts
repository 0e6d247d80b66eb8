/**
 * The proxy in front of a self-hosted Deepgram-compatible server (UPSTREAMS=compatible, no key),
 * here testkit/upstream/compatible.ts, which answers as WhisperLiveKit's /v1/listen does. Each of
 * its differences from Deepgram reaches the client untouched, and its closes are relayed so the
 * extension can act on them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startCompatibleServer, type CompatibleServer } from '@/testkit/upstream/compatible';
import { TOKEN, connectClient, resultsOf, silencePcm, streamPcm, testConfig, transcriptOf, waitFor } from './proxy-test-kit';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function proxyInFrontOfCompatible(options: Parameters<typeof startCompatibleServer>[0] = {}): Promise<{ server: CompatibleServer; proxy: RunningProxy }> {
  const server = await startCompatibleServer({ msPerWord: 100, ...options });
  cleanups.push(() => server.close());
  const proxy = await startProxy(testConfig({ chain: { upstreams: ['compatible'], compatible: { url: server.url, apiKey: undefined }, fallbackAfterMs: 5000 } }), {
    shutdownGraceMs: 500,
  });
  cleanups.push(() => proxy.close());
  return { server, proxy };
}

const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&vad_events=true';

describe('a Deepgram-compatible server behind the proxy', () => {
  it('relays its Metadata-first, word-less interims, zero-confidence finals and UtteranceEnd untouched, and sends it no key', async () => {
    const { server, proxy } = await proxyInFrontOfCompatible({ script: [['one', 'two', 'three']] });
    const client = connectClient(proxy.url, { token: TOKEN, query: QUERY });
    await client.opened;
    await streamPcm(client.ws, silencePcm(0.3), { speed: 10 });
    await waitFor(() => client.messages.some((message) => message.type === 'UtteranceEnd'), 3000, 'UtteranceEnd');
    expect(server.connections[0]?.authorization).toBeUndefined();
    expect(client.messages).toEqual(server.connections[0]?.sent);
    expect(client.messages.map((message) => message.type)).toEqual(['Metadata', 'SpeechStarted', 'Results', 'Results', 'Results', 'UtteranceEnd']);
    const final = resultsOf(client.messages).find((message) => message.is_final === true) ?? {};
    expect(transcriptOf(final)).toBe('one two three');
    client.ws.send('{"type":"CloseStream"}');
    // It closes at once, with no Metadata after: the proxy relays the clean close all the same.
    expect((await client.closed).code).toBe(1000);
    expect(client.messages.filter((message) => message.type === 'Metadata')).toHaveLength(1);
  });

  it('relays its refusal of a parameter after the handshake: the Error message, then close 4400 with its reason', async () => {
    const { proxy } = await proxyInFrontOfCompatible({ languages: ['en'] });
    const client = connectClient(proxy.url, { token: TOKEN, query: `${QUERY}&language=fr` });
    await client.opened;
    expect(await client.closed).toEqual({ code: 4400, reason: 'invalid session parameters' });
    expect(client.messages).toEqual([{ type: 'Error', description: 'Unsupported language: fr' }]);
  });
});
