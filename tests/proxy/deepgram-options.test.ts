/**
 * Deepgram's options through the proxy (issue 15): the parameters the extension sends
 * (mip_opt_out, redact, language=multi) reach the upstream; Configure goes through and its one
 * answer comes back; the EU endpoint is a setting; and the extension's pre-send check of a
 * Configure agrees with the proxy's, so no list the extension sends can end the stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildListenUrl } from '@/lib/listen/listen-url';
import { checkConfigureKeyterms, configureKeytermsText } from '@/lib/listen/configure';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { loadConfig } from '@/proxy/config';
import { readControlMessage } from '@/proxy/control-messages';
import { checkListenParams } from '@/proxy/listen-params';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { LOCAL_CONFIGURE_REFUSAL } from '@/proxy/upstreams/local-engine';
import { startFakeUpstream, type FakeDeepgram } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, silencePcm, testConfig, waitFor } from './proxy-test-kit';

let fake: FakeDeepgram | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

/** The query the extension builds for these settings, as it reaches the proxy. */
function extensionQuery(changes: Partial<typeof DEFAULT_SETTINGS>): string {
  return new URL(buildListenUrl('ws://127.0.0.1:1/v1/listen', { ...DEFAULT_SETTINGS, ...changes })).search.slice(1);
}

async function proxyInFrontOfFake(options: { model?: string; refuseConfigure?: (keyterms: readonly string[]) => string | undefined } = {}) {
  fake = await startFakeUpstream({
    mode: 'normal',
    apiKey: DEEPGRAM_KEY,
    script: [{ speaker: 0, words: ['bonjour', 'tout', 'le', 'monde'], language: 'fr' }],
    msPerWord: 100,
    ...(options.refuseConfigure ? { refuseConfigure: options.refuseConfigure } : {}),
  });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: fake.url }), { shutdownGraceMs: 200 });
  return { proxy, fake };
}

describe('the extension\'s Deepgram options through the proxy', () => {
  it('lets mip_opt_out, redact and language=multi through to Deepgram, and each word\'s language back', async () => {
    const { proxy, fake } = await proxyInFrontOfFake();
    const query = extensionQuery({ language: 'multi', redact: ['pci', 'pii', 'phi', 'numbers'], keyterms: ['Captionist'] });
    const client = connectClient(proxy.url, { token: TOKEN, query });
    await client.opened;
    client.ws.send(silencePcm(0.6));
    await waitFor(() => client.messages.some((m) => m.type === 'Results' && m.is_final === true), 5000, 'a final');
    const upstreamQuery = fake.connections[0]?.query;
    expect(upstreamQuery?.get('mip_opt_out')).toBe('true');
    expect(upstreamQuery?.getAll('redact')).toEqual(['pci', 'pii', 'phi', 'numbers']);
    expect(upstreamQuery?.get('language')).toBe('multi');
    const final = client.messages.find((m) => m.type === 'Results' && m.is_final === true) as { channel: { alternatives: { words: { language?: string }[] }[] } };
    expect(final.channel.alternatives[0]?.words.map((w) => w.language)).toEqual(['fr', 'fr', 'fr', 'fr']);
  });

  it('refuses a redact value that is no group or entity name, saying which', () => {
    expect(checkListenParams(new URLSearchParams('redact=pci&redact=credit_card_number&mip_opt_out=true')).ok).toBe(true);
    const bad = checkListenParams(new URLSearchParams('redact=pci%3Bdrop'));
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.message).toContain('"redact"');
    expect(checkListenParams(new URLSearchParams('mip_opt_out=yes')).ok).toBe(false);
  });

  it('relays Configure and its ConfigureSuccess, and a refused one\'s ConfigureFailure, the stream going on', async () => {
    const { proxy, fake } = await proxyInFrontOfFake({ refuseConfigure: (terms) => (terms.includes('Forbidden') ? 'keyterm "Forbidden" is not allowed here' : undefined) });
    const client = connectClient(proxy.url, { token: TOKEN, query: extensionQuery({ keyterms: ['Old'] }) });
    await client.opened;
    client.ws.send(configureKeytermsText(['Captionist', 'Dana Scully']));
    await waitFor(() => client.messages.some((m) => m.type === 'ConfigureSuccess'), 5000, 'ConfigureSuccess');
    expect(client.messages.find((m) => m.type === 'ConfigureSuccess')).toMatchObject({ keyterms: ['Captionist', 'Dana Scully'] });
    expect(fake.connections[0]?.keyterms).toEqual(['Captionist', 'Dana Scully']);

    client.ws.send(configureKeytermsText(['Forbidden']));
    await waitFor(() => client.messages.some((m) => m.type === 'ConfigureFailure'), 5000, 'ConfigureFailure');
    expect(client.messages.find((m) => m.type === 'ConfigureFailure')).toMatchObject({ description: 'keyterm "Forbidden" is not allowed here' });
    expect(fake.connections[0]?.keyterms).toEqual(['Captionist', 'Dana Scully']);
    client.ws.send(silencePcm(0.6));
    await waitFor(() => client.messages.some((m) => m.type === 'Results'), 5000, 'results after the refusal');
    client.ws.close();
  });

  it('the fake refuses key terms on a model other than Nova-3, as Deepgram does', async () => {
    const { proxy } = await proxyInFrontOfFake();
    const client = connectClient(proxy.url, { token: TOKEN, query: extensionQuery({ model: 'nova-2' }) });
    await client.opened;
    client.ws.send(configureKeytermsText(['Captionist']));
    await waitFor(() => client.messages.some((m) => m.type === 'ConfigureFailure'), 5000, 'ConfigureFailure');
    expect(String(client.messages.find((m) => m.type === 'ConfigureFailure')?.description)).toContain('Nova-3');
    client.ws.close();
  });

  it('every list the extension would send, the proxy passes unchanged; every one it refuses, the proxy refuses too', () => {
    const lists: string[][] = [['Captionist', 'Dana Scully'], [], Array.from({ length: 101 }, (_, i) => `t${i}`), ['y'.repeat(120)], Array.from({ length: 100 }, (_, i) => `abcdefgh ijklmnop qrst${i}`)];
    for (const list of lists) {
      const extension = checkConfigureKeyterms(list);
      const proxied = readControlMessage(Buffer.from(configureKeytermsText(list)));
      expect(proxied.ok).toBe(extension.ok);
      if (extension.ok && proxied.ok && 'text' in proxied) expect(JSON.parse(proxied.text)).toEqual({ type: 'Configure', keyterms: extension.keyterms });
    }
  });
});

describe('DEEPGRAM_REGION', () => {
  it('eu points the proxy at Deepgram\'s EU host', () => {
    const result = loadConfig({ DEEPGRAM_REGION: 'eu' });
    expect(result.ok && result.config.deepgramUrl).toBe('wss://api.eu.deepgram.com/v1/listen');
    const global = loadConfig({ DEEPGRAM_REGION: 'global' });
    expect(global.ok && global.config.deepgramUrl).toBe('wss://api.deepgram.com/v1/listen');
  });

  it('refuses an unknown region, and a region together with DEEPGRAM_URL', () => {
    const unknown = loadConfig({ DEEPGRAM_REGION: 'mars' });
    expect(!unknown.ok && unknown.errors.join(' ')).toContain('DEEPGRAM_REGION must be one of');
    const both = loadConfig({ DEEPGRAM_REGION: 'eu', DEEPGRAM_URL: 'wss://dg.example.com/v1/listen' });
    expect(!both.ok && both.errors.join(' ')).toContain('not both');
  });
});

describe('the local engine and Deepgram\'s options', () => {
  it('takes the extension\'s options without refusing the stream, and answers Configure with a ConfigureFailure saying why', { timeout: 20_000 }, async () => {
    proxy = await startProxy(testConfig(), { shutdownGraceMs: 500 });
    expect(proxy.upstreamKind).toBe('local');
    const query = extensionQuery({ redact: ['pci'], keyterms: ['Captionist'] });
    const client = connectClient(proxy.url, { token: TOKEN, query });
    await client.opened;
    client.ws.send(configureKeytermsText(['Dana Scully']));
    await waitFor(() => client.messages.some((m) => m.type === 'ConfigureFailure'), 5000, 'ConfigureFailure');
    expect(client.messages.find((m) => m.type === 'ConfigureFailure')).toMatchObject({ description: LOCAL_CONFIGURE_REFUSAL });
    client.ws.send('{"type":"CloseStream"}');
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
  });
});
