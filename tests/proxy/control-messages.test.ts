/**
 * Client text messages reach the upstream only as text the proxy wrote: fixed strings for KeepAlive,
 * Finalize and CloseStream, a rebuilt Configure within Deepgram's keyterm limits, and a close 1008
 * naming the problem for anything else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_KEYTERM_TOKENS, estimateKeytermTokens, readControlMessage } from '@/proxy/control-messages';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type RecordingUpstream } from '@/testkit/upstream';
import { DEEPGRAM_KEY, TOKEN, connectClient, testConfig, waitFor } from './proxy-test-kit';

let upstream: RecordingUpstream | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
});

async function proxyInFrontOfRecorder(): Promise<{ proxy: RunningProxy; upstream: RecordingUpstream }> {
  upstream = await startFakeUpstream({ mode: 'recording' });
  proxy = await startProxy(testConfig({ deepgramApiKey: DEEPGRAM_KEY, deepgramUrl: upstream.url }), { shutdownGraceMs: 200 });
  return { proxy, upstream };
}

const read = (text: string) => readControlMessage(Buffer.from(text));

describe('control messages as the upstream receives them', () => {
  it('sends KeepAlive, Finalize and CloseStream as fixed strings, whatever else the client put in them', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{"type":"KeepAlive","callback":"https://attacker.example/hook"}');
    client.ws.send('{ "type" : "Finalize", "extra": {"x": 1} }');
    client.ws.send('{"type":"Finalize","channel":1}');
    client.ws.send('{"type":"CloseStream","note":"bye"}');
    await waitFor(() => (upstream.connections[0]?.texts.length ?? 0) === 4, 3000, 'four control messages upstream');
    expect(upstream.connections[0]?.texts).toEqual([
      '{"type":"KeepAlive"}',
      '{"type":"Finalize"}',
      '{"type":"Finalize","channel":1}',
      '{"type":"CloseStream"}',
    ]);
  });

  it('sends a message with two type keys as the one type the proxy read, so no server can read it otherwise', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{"type":"KeepAlive","type":"Finalize"}');
    await waitFor(() => (upstream.connections[0]?.texts.length ?? 0) === 1, 3000, 'the message upstream');
    expect(upstream.connections[0]?.texts).toEqual(['{"type":"Finalize"}']);
  });

  it('rebuilds a valid Configure from its checked fields', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{ "features": {"numerals": true}, "keyterms": [" Captionist ", "Deepgram Nova"], "type": "Configure" }');
    client.ws.send('{"type":"Configure","keyterms":null}');
    await waitFor(() => (upstream.connections[0]?.texts.length ?? 0) === 2, 3000, 'the Configure messages upstream');
    expect(upstream.connections[0]?.texts).toEqual([
      '{"type":"Configure","keyterms":["Captionist","Deepgram Nova"],"features":{"numerals":true}}',
      '{"type":"Configure","keyterms":null}',
    ]);
  });

  it('closes 1008 on a Configure with a callback, and the upstream never sees it', async () => {
    const { proxy, upstream } = await proxyInFrontOfRecorder();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send('{"type":"Configure","keyterms":["a"],"callback":"https://attacker.example/hook"}');
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1008, reason: 'Configure may not carry "callback"; allowed: keyterms, features' });
    await waitFor(() => upstream.connections.length === 1, 2000, 'the upstream connection');
    await upstream.connections[0]?.closed;
    expect(upstream.connections[0]?.texts).toEqual([]);
  });

  it('closes 1008 on more keyterms than Deepgram takes', async () => {
    const { proxy } = await proxyInFrontOfRecorder();
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    client.ws.send(JSON.stringify({ type: 'Configure', keyterms: Array.from({ length: 101 }, (_, i) => `term${i}`) }));
    expect(await client.closed).toEqual({ code: 1008, reason: 'Configure may carry at most 100 keyterms' });
  });
});

describe('readControlMessage', () => {
  it("refuses keyterms past Deepgram's 500-token limit, counted high (a word is at least one token, one per 4 characters)", () => {
    expect(estimateKeytermTokens('Nova')).toBe(1);
    expect(estimateKeytermTokens('Captionist  proxy')).toBe(5);
    const fifty = Array.from({ length: 50 }, () => 'abcdefghijkl'); // 3 tokens each: 150
    expect(read(JSON.stringify({ type: 'Configure', keyterms: fifty }))).toMatchObject({ ok: true });
    const tooMany = Array.from({ length: 100 }, () => 'abcdefghijklmnopqrstuvwxyz'); // 7 each: 700
    expect(read(JSON.stringify({ type: 'Configure', keyterms: tooMany }))).toEqual({
      ok: false,
      reason: `Configure keyterms exceed Deepgram's ${MAX_KEYTERM_TOKENS}-token limit`,
    });
  });

  it('allows only the numerals feature, as a boolean, and refuses an empty or malformed Configure', () => {
    expect(read('{"type":"Configure","features":{"numerals":false}}')).toEqual({
      ok: true,
      type: 'Configure',
      text: '{"type":"Configure","features":{"numerals":false}}',
    });
    expect(read('{"type":"Configure","features":{"callback_method":true}}')).toMatchObject({ ok: false, reason: expect.stringContaining('"callback_method" is not allowed') });
    expect(read('{"type":"Configure","features":{"numerals":"yes"}}')).toMatchObject({ ok: false, reason: expect.stringContaining('true or false') });
    expect(read('{"type":"Configure","processors":{"numerals":true}}')).toMatchObject({ ok: false, reason: expect.stringContaining('"processors"') });
    expect(read('{"type":"Configure"}')).toEqual({ ok: false, reason: 'Configure must carry keyterms or features' });
    expect(read('{"type":"Configure","keyterms":[""]}')).toMatchObject({ ok: false });
    expect(read('{"type":"Configure","keyterms":"one"}')).toMatchObject({ ok: false });
    expect(read(JSON.stringify({ type: 'Configure', keyterms: ['x'.repeat(101)] }))).toMatchObject({ ok: false, reason: expect.stringContaining('100 characters') });
  });

  it('reads the extension\'s span declaration as the proxy\'s own message (never text for the upstream), within a week', () => {
    expect(read('{"type":"CaptionistSpan","meeting_start":12.5}')).toEqual({ ok: true, type: 'CaptionistSpan', meetingStart: 12.5 });
    expect(read('{"type":"CaptionistSpan","meeting_start":-1}')).toMatchObject({ ok: false });
    expect(read('{"type":"CaptionistSpan","meeting_start":"3"}')).toMatchObject({ ok: false });
    expect(read('{"type":"CaptionistSpan","meeting_start":604801}')).toMatchObject({ ok: false });
    expect(read('{"type":"CaptionistSpan"}')).toMatchObject({ ok: false });
  });

  it('refuses a Finalize channel that is not a small whole number, and anything that is not a control message', () => {
    expect(read('{"type":"Finalize","channel":-1}')).toMatchObject({ ok: false });
    expect(read('{"type":"Finalize","channel":"0"}')).toMatchObject({ ok: false });
    expect(read('{"type":"Finalize","channel":1.5}')).toMatchObject({ ok: false });
    for (const text of ['[{"type":"KeepAlive"}]', 'null', '"KeepAlive"', '{"type":"Results"}', '{bad json', '{"Type":"KeepAlive"}']) {
      expect(read(text)).toEqual({ ok: false, reason: 'text messages must be JSON with type KeepAlive, Finalize, CloseStream or Configure' });
    }
  });
});
