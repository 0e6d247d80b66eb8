/**
 * ListenSocket's dial (direct mode): called before every connection attempt, its URL and
 * subprotocols used for that attempt only; null connects as usual; a failure is retried or not as
 * it says; a dial that outlives the connect timeout is given up. Then the DirectDialer over a fake
 * proxy: a fresh grant per attempt, the fall back to relaying with a notice, the lease.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket, type DialResult, type ListenSocketOptions } from '@/lib/listen/listen-socket';
import type { PostLike } from '@/lib/listen/direct-grant';
import { checkDirectUrl, proxyAuthUrl } from '@/lib/listen/direct-grant';
import { DirectDialer } from '@/lib/session/direct-dialer';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import type { UserFacingError } from '@/lib/contract/messages';
import { chunk, fakeFactory, finalResults, markerOf } from './fake-web-socket';

const RELAY_URL = 'ws://localhost:8787/v1/listen?model=nova-3';

/** Lets pending promise callbacks (the dial's answer) run under fake timers. */
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

function setup(dial: () => Promise<DialResult>, options: Partial<ListenSocketOptions> = {}) {
  const fake = fakeFactory();
  const errors: UserFacingError[] = [];
  const socket = new ListenSocket({ url: RELAY_URL, token: 'client-token', createWebSocket: fake.factory, random: () => 0.5, dial, onError: (e) => errors.push(e), ...options });
  return { socket, fake, errors };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ListenSocket with a dial', () => {
  it('asks before every attempt and connects where it says, with its subprotocols; the audio goes on across the reconnect', async () => {
    let n = 0;
    const dial = vi.fn(async (): Promise<DialResult> => {
      n += 1;
      return { url: `wss://deepgram.example/v1/listen?try=${n}`, protocols: ['bearer', `jwt-${n}`] };
    });
    const { socket, fake } = setup(dial);
    socket.connect();
    expect(fake.sockets).toHaveLength(0); // nothing before the dial answers
    await settle();
    const first = fake.last();
    expect(first.url).toBe('wss://deepgram.example/v1/listen?try=1');
    expect(first.protocols).toEqual(['bearer', 'jwt-1']);
    first.open('bearer');
    socket.sendAudio(chunk(1));
    first.serverClose(1011, 'NET-0000');
    vi.advanceTimersByTime(10_000);
    await settle();
    expect(dial).toHaveBeenCalledTimes(2);
    const second = fake.last();
    expect(second.protocols).toEqual(['bearer', 'jwt-2']);
    second.open('bearer');
    expect(second.binaries.map(markerOf)).toEqual([1]); // the unconfirmed audio is replayed
    second.receive(finalResults(0, 0.1));
  });

  it('null connects to the socket own URL with the token', async () => {
    const { socket, fake } = setup(async () => null);
    socket.connect();
    await settle();
    expect(fake.last().url).toBe(RELAY_URL);
    expect(fake.last().protocols).toEqual(['token', 'client-token']);
  });

  it('a failure that says retry is retried with backoff; one that does not ends the socket with its error', async () => {
    const refusal: UserFacingError = { code: 'proxy-rejected', message: 'no token' };
    const answers: DialResult[] = [{ error: refusal, retry: true }, { url: 'wss://deepgram.example/v1/listen', protocols: ['bearer', 'x'] }];
    const { socket, fake, errors } = setup(async () => answers.shift() ?? { error: refusal, retry: false });
    socket.connect();
    await settle();
    expect(fake.sockets).toHaveLength(0);
    vi.advanceTimersByTime(10_000);
    await settle();
    expect(fake.sockets).toHaveLength(1);
    fake.last().open('bearer');
    fake.last().serverClose(1011, 'NET-0000');
    vi.advanceTimersByTime(10_000);
    await settle();
    expect(errors).toEqual([refusal]);
    expect(socket.status).toBe('closed');
  });

  it('gives up a dial that outlives the connect timeout, and ignores its late answer', async () => {
    let answer: (result: DialResult) => void = () => undefined;
    const dial = vi.fn(() => new Promise<DialResult>((resolve) => (answer = resolve)));
    const { socket, fake } = setup(dial, { connectTimeoutMs: 1000 });
    socket.connect();
    vi.advanceTimersByTime(1001);
    answer({ url: 'wss://late.example/v1/listen', protocols: [] });
    await settle();
    expect(fake.sockets).toHaveLength(0);
    // The attempt counts as a failed handshake: another dial follows after the backoff.
    vi.advanceTimersByTime(10_000);
    expect(dial.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(fake.sockets.some((ws) => ws.url.includes('late.example'))).toBe(false);
  });
});

/** The proxy's two endpoints, answering from lists the test fills. */
function fakeProxy(grants: { status: number; body: Record<string, unknown> }[]) {
  const calls: { url: string; body: Record<string, unknown>; authorization: string | undefined }[] = [];
  const post: PostLike = async (url, init) => {
    calls.push({ url, body: JSON.parse(init.body) as Record<string, unknown>, authorization: init.headers.Authorization });
    if (url.endsWith('/lease')) return { status: 204, text: async () => '' };
    const answer = grants.shift() ?? { status: 500, body: {} };
    return { status: answer.status, text: async () => JSON.stringify(answer.body) };
  };
  return { post, calls };
}

const settings = { ...DEFAULT_SETTINGS, proxyUrl: 'wss://captions.example/team/v1/listen', token: 'client-token', connectionMode: 'direct' as const };
const granted = (token: string) => ({ status: 200, body: { access_token: token, expires_in: 30, url: 'wss://api.deepgram.com/v1/listen', session: 's', lease_seconds: 60 } });

describe('DirectDialer', () => {
  it('asks the proxy for a fresh token for every attempt, in one session, and connects to the granted URL with bearer', async () => {
    const proxy = fakeProxy([granted('jwt-1'), granted('jwt-2')]);
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post: proxy.post, onNotice: () => undefined });
    const first = await dialer.dial();
    const second = await dialer.dial();
    expect(first && 'protocols' in first ? first.protocols : null).toEqual(['bearer', 'jwt-1']);
    expect(second && 'protocols' in second ? second.protocols : null).toEqual(['bearer', 'jwt-2']);
    const url = new URL(first && 'url' in first ? first.url : '');
    expect(url.host).toBe('api.deepgram.com');
    expect(url.searchParams.get('model')).toBe('nova-3');
    expect(url.searchParams.has('captionist_session')).toBe(false);
    expect(proxy.calls.map((call) => call.url)).toEqual(['https://captions.example/team/v1/auth/grant', 'https://captions.example/team/v1/auth/grant']);
    expect(new Set(proxy.calls.map((call) => call.body.session)).size).toBe(1);
    expect(proxy.calls[0]?.authorization).toBe('Token client-token');
    await dialer.close();
    expect(proxy.calls.at(-1)).toMatchObject({ url: 'https://captions.example/team/v1/auth/lease', body: { ended: true } });
  });

  it('falls back to relaying, with a notice saying why, when the proxy refuses and allows relaying; and stays there', async () => {
    const proxy = fakeProxy([{ status: 403, body: { error: 'direct_forbidden', message: 'This proxy does not allow direct mode.', relay: true } }]);
    const notices: string[] = [];
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post: proxy.post, onNotice: (message) => notices.push(message) });
    expect(await dialer.dial()).toBeNull();
    expect(notices).toEqual(['directFallbackToRelay(This proxy does not allow direct mode.)']);
    expect(await dialer.dial()).toBeNull();
    expect(proxy.calls).toHaveLength(1);
  });

  it('fails with the proxy reason when relaying is not allowed either, retrying only what may pass later', async () => {
    const proxy = fakeProxy([
      { status: 429, body: { error: 'too_many_grants', message: 'Too many.', relay: false } },
      { status: 401, body: { error: 'unauthorized', message: 'Bad token.', relay: false } },
    ]);
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post: proxy.post, onNotice: () => undefined });
    expect(await dialer.dial()).toEqual({ error: { code: 'proxy-rejected', message: 'directGrantRefused(Too many.)' }, retry: true });
    expect(await dialer.dial()).toEqual({ error: { code: 'proxy-rejected', message: 'directGrantRefused(Bad token.)' }, retry: false });
  });

  it('a proxy that does not answer is retried, never a reason to relay', async () => {
    const post: PostLike = () => Promise.reject(new TypeError('Failed to fetch'));
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post, onNotice: () => undefined });
    const result = await dialer.dial();
    expect(result).toMatchObject({ error: { code: 'proxy-unreachable' }, retry: true });
    expect(dialer.isRelaying).toBe(false);
  });

  it('renews the lease every third of it while direct', async () => {
    const proxy = fakeProxy([granted('jwt-1')]);
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post: proxy.post, onNotice: () => undefined });
    await dialer.dial();
    await vi.advanceTimersByTimeAsync(20_000);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(proxy.calls.filter((call) => call.url.endsWith('/lease'))).toHaveLength(2);
    await dialer.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(proxy.calls.filter((call) => call.url.endsWith('/lease'))).toHaveLength(3);
  });
});

describe('the granted URL, checked at the border', () => {
  it('takes wss://, ws:// only to this computer, and nothing with credentials', () => {
    expect(checkDirectUrl('wss://api.deepgram.com/v1/listen')?.host).toBe('api.deepgram.com');
    expect(checkDirectUrl('ws://127.0.0.1:9000/v1/listen')?.port).toBe('9000');
    expect(checkDirectUrl('ws://localhost:9000/v1/listen')).toBeDefined();
    expect(checkDirectUrl('ws://evil.example/v1/listen')).toBeUndefined();
    expect(checkDirectUrl('https://api.deepgram.com/v1/listen')).toBeUndefined();
    expect(checkDirectUrl('wss://user:pass@api.deepgram.com/v1/listen')).toBeUndefined();
    expect(checkDirectUrl(42)).toBeUndefined();
    expect(proxyAuthUrl('ws://localhost:8787/v1/listen', 'grant')).toBe('http://localhost:8787/v1/auth/grant');
  });

  it('a grant naming a plain ws:// address elsewhere is not used: the capture relays and says so', async () => {
    const proxy = fakeProxy([{ status: 200, body: { access_token: 'jwt', expires_in: 30, url: 'ws://evil.example/v1/listen' } }]);
    const notices: string[] = [];
    const dialer = new DirectDialer({ settings, urlOptions: { channels: 1 }, post: proxy.post, onNotice: (message) => notices.push(message) });
    expect(await dialer.dial()).toBeNull();
    expect(notices[0]).toContain('ws://evil.example');
  });
});
