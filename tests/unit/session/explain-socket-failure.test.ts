/**
 * A socket that never opened, as a browser reports it (no status): the session's failure names the
 * proxy's refusal in Test connection's words, against a real local server.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserFacingError } from '@/lib/contract/messages';
import { explainSocketFailure } from '@/lib/session/explain-socket-failure';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { startFakeUpstream } from '@/testkit/upstream';
import { RELAY_PATH, startTranscribeRelay } from '../../fixtures/transcribe-relay';
import { browserFetch, browserWebSocket, closedPort, GOOD_TOKEN, startContractProxy } from '../connection-test-kit';
import { FakeWebSocket } from '../listen/fake-web-socket';
import { installEnglishMessages } from '../settings-english-messages';

beforeAll(installEnglishMessages);

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const unreachable: UserFacingError = { code: 'proxy-unreachable', message: 'Could not connect to the captions proxy at 127.0.0.1. Check that it is running.' };

async function proxyAt(): Promise<{ url: string }> {
  const proxy = await startContractProxy();
  running.push(proxy);
  return { url: `ws://127.0.0.1:${proxy.port}/v1/listen` };
}

const settingsFor = (proxyUrl: string, token: string): Settings => ({ ...DEFAULT_SETTINGS, proxyUrl, token });

describe('explainSocketFailure', () => {
  it('a transcription relay at the address of a /v1/listen server: says so and which kind to choose, not "check that it is running"', async () => {
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: 'upstream-key' });
    running.push(fake);
    const relay = await startTranscribeRelay({ upstreamUrl: fake.url, upstreamKey: 'upstream-key', tokens: ['relay-token'] });
    running.push(relay);
    const settings = settingsFor(`${relay.origin}${RELAY_PATH}`, 'relay-token');
    const explained = await explainSocketFailure(unreachable, settings, browserFetch(), 2000, browserWebSocket());
    expect(explained.code).toBe('proxy-rejected');
    expect(explained.message).toMatch(/answers as a transcription relay .* choose the transcription relay/);
    // Without a way to open a socket (as before), the socket's own words stay.
    expect(await explainSocketFailure(unreachable, settings, browserFetch(), 2000)).toBe(unreachable);
  });

  it('a wrong token: the sentence Test connection says, not "Could not connect"', async () => {
    const { url } = await proxyAt();
    const explained = await explainSocketFailure(unreachable, settingsFor(url, 'wrong-token-000'), browserFetch());
    expect(explained).toEqual({ code: 'proxy-rejected', message: expect.stringMatching(/^127\.0\.0\.1:\d+ refused the token\. Copy the token again/) });
  });

  it('an empty token: says none is set, without the proxy\'s words for developers', async () => {
    const { url } = await proxyAt();
    const explained = await explainSocketFailure(unreachable, settingsFor(url, ''), browserFetch());
    expect(explained.message).toMatch(/^127\.0\.0\.1:\d+ needs a token, and none is set\. Enter the token/);
    expect(explained.message).not.toMatch(/subprotocol/);
  });

  it('keeps the socket\'s words when the proxy accepts the token, nobody answers, or the failure is of another kind', async () => {
    const { url } = await proxyAt();
    expect(await explainSocketFailure(unreachable, settingsFor(url, GOOD_TOKEN), browserFetch())).toBe(unreachable);
    const port = await closedPort();
    expect(await explainSocketFailure(unreachable, settingsFor(`ws://127.0.0.1:${port}/v1/listen`, GOOD_TOKEN), browserFetch())).toBe(unreachable);
    const closed: UserFacingError = { code: 'proxy-closed', message: 'lost' };
    expect(await explainSocketFailure(closed, settingsFor(url, 'wrong-token-000'), browserFetch())).toBe(closed);
  });
});

describe('openListenSocket', () => {
  it('a handshake the browser reports without a status ends the session with the proxy\'s reason', async () => {
    const { url } = await proxyAt();
    const failure = new Promise<UserFacingError>((resolve) => {
      openListenSocket(
        settingsFor(url, 'wrong-token-000'),
        { onOpen: () => undefined, onEvent: () => undefined, onReconnecting: () => undefined, onFailure: resolve },
        { channels: 1 },
        (socketUrl, protocols) => {
          const socket = new FakeWebSocket(socketUrl, protocols);
          setTimeout(() => socket.fail(), 0);
          return socket;
        },
        browserFetch(),
      );
    });
    expect(await failure).toEqual({ code: 'proxy-rejected', message: expect.stringMatching(/refused the token\./) });
  }, 15_000);
});
