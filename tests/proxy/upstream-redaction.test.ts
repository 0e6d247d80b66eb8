/**
 * Upstream text that echoes credentials (the Deepgram key, `Token …`, `Bearer …`) reaches neither
 * the client nor the logs: refused handshakes, close reasons and server messages.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from '@/proxy/redact';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { startFakeUpstream, type RecordingUpstream, type RecordingUpstreamOptions } from '@/testkit/upstream';
import { TOKEN, connectClient, testConfig, waitFor } from './proxy-test-kit';

/** Long enough that a close reason cut at 123 bytes would keep a piece of it. */
const KEY = 'dg-secret-key-0123456789abcdef0123456789abcdef';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

let upstream: RecordingUpstream | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
});

async function proxyWithLogs(options: RecordingUpstreamOptions): Promise<{ proxy: RunningProxy; logs: () => string }> {
  upstream = await startFakeUpstream({ mode: 'recording', ...options });
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  proxy = await startProxy(testConfig({ deepgramApiKey: KEY, deepgramUrl: upstream.url }), { logger: pino({ level: 'debug' }, sink), shutdownGraceMs: 200 });
  return { proxy, logs: () => text };
}

function expectNoCredential(text: string): void {
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(KEY.slice(0, 12));
  expect(text).not.toContain(JWT.slice(0, 12));
}

describe('credentials in upstream text', () => {
  it('are stripped from a refused handshake before the client and the logs see it', async () => {
    const body = JSON.stringify({ err_code: 'Bad Request', err_msg: `bad request for Authorization: Token ${KEY} (forwarded as Bearer ${JWT})` });
    const { proxy, logs } = await proxyWithLogs({ refuse: { status: 400, body } });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('upstream refused the parameters (400): bad request for Authorization: Token [redacted]');
    expectNoCredential(closed.reason);
    await waitFor(() => logs().includes('stream closing'), 2000, 'the close to be logged');
    expectNoCredential(logs());
  });

  it("are stripped from the upstream's close reason, the key whole before the reason is cut to 123 bytes", async () => {
    const { proxy, logs } = await proxyWithLogs({
      onConnection: (connection) => setTimeout(() => connection.socket.close(1011, `internal error, key ${KEY}, token=${KEY}`), 50),
    });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1011, reason: 'internal error, key [redacted], token=[redacted]' });
    await waitFor(() => logs().includes('stream closing'), 2000, 'the close to be logged');
    expectNoCredential(logs());
  });

  it('are stripped from server messages that echo the key, and other messages pass byte for byte', async () => {
    const echoed = JSON.stringify({ type: 'Results', is_final: true, channel: { alternatives: [{ transcript: `your key is ${KEY}` }] } });
    const plain = JSON.stringify({ type: 'Results', is_final: true, channel: { alternatives: [{ transcript: 'the bearer token of good news' }] } });
    const { proxy } = await proxyWithLogs({
      onConnection: (connection) => {
        connection.socket.send(echoed);
        connection.socket.send(plain);
      },
    });
    const client = connectClient(proxy.url, { token: TOKEN });
    await client.opened;
    await waitFor(() => client.messages.length === 2, 2000, 'two messages');
    expect(JSON.stringify(client.messages[0])).toBe(echoed.replace(KEY, '[redacted]'));
    expect(JSON.stringify(client.messages[1])).toBe(plain);
  });
});

describe('createRedactor', () => {
  it('replaces the key and any Token/Bearer credential, in any case, and leaves other text alone', () => {
    const redact = createRedactor(KEY);
    expect(redact.text(`${KEY}${KEY}`)).toBe('[redacted][redacted]');
    expect(redact.text(`authorization: bearer ${JWT}; next`)).toBe('authorization: bearer [redacted]; next');
    expect(redact.text('TOKEN abc.def-ghi')).toBe('TOKEN [redacted]');
    expect(redact.text('Invalid credentials.')).toBe('Invalid credentials.');
    const message = Buffer.from('{"type":"Results"}');
    expect(redact.message(message)).toBe(message);
  });
});
