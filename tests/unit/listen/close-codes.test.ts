import { beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '@/lib/listen/backoff';
import { classifyClose, classifyHandshakeFailure, cleanReason, failedParty, httpStatusFromError, upstreamGaveUp } from '@/lib/listen/close-codes';
import { ConnectionClock } from '@/lib/listen/connection-clock';
import { installEnglishMessages } from '../settings-english-messages';

// The sentences are the English messages a user reads (public/_locales/en/messages.json).
beforeEach(installEnglishMessages);

describe('classifyClose', () => {
  it.each([1002, 1003, 1007, 1008, 1009, 1010, 4000, 4001, 4002, 4003, 4099, 4400, 4401, 4402, 4403])(
    'does not retry %i (retrying cannot fix it)',
    (code) => {
      const verdict = classifyClose(code, 'why');
      expect(verdict.retry).toBe(false);
      expect(verdict.error.code).toBe('proxy-rejected');
    },
  );

  it.each([1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 4408, 4429, 4500, 4503, 4200, 3000])('retries %i', (code) => {
    const verdict = classifyClose(code, '');
    expect(verdict.retry).toBe(true);
    expect(verdict.error.code).toBe('proxy-closed');
  });

  it('retries at once only when the server is going away or restarting', () => {
    expect(classifyClose(1001, '').immediate).toBe(true);
    expect(classifyClose(1012, '').immediate).toBe(true);
    expect(classifyClose(1011, '').immediate).toBe(false);
    expect(classifyClose(1006, '').immediate).toBe(false);
  });

  it("puts the server's reason in the message, cleaned of control characters", () => {
    const verdict = classifyClose(1008, 'DATA-0000\u0000\nbad audio');
    expect(verdict.error.message).toContain('(1008: DATA-0000 bad audio)');
    expect(cleanReason('x'.repeat(500))).toHaveLength(200);
  });

  it('gives up on TLS failures (a certificate problem will not fix itself)', () => {
    expect(classifyClose(1015, '')).toMatchObject({ retry: false, error: { code: 'proxy-unreachable' } });
  });
});

describe('classifyHandshakeFailure', () => {
  it('reads an unknown failure as unreachable and retryable', () => {
    expect(classifyHandshakeFailure('proxy.example:443', null)).toMatchObject({
      retry: true,
      error: { code: 'proxy-unreachable', message: expect.stringContaining('proxy.example:443') },
    });
  });

  it.each([
    [401, false],
    [402, false],
    [403, false],
    [400, false],
    [429, true],
    [503, true],
  ])('HTTP %i: retry %s', (status, retry) => {
    expect(classifyHandshakeFailure('h', status).retry).toBe(retry);
  });

  it("reads the status from ws's error message", () => {
    expect(httpStatusFromError(new Error('Unexpected server response: 401'))).toBe(401);
    expect(httpStatusFromError({ error: new Error('Unexpected server response: 503') })).toBe(503);
    expect(httpStatusFromError(new Error('ECONNREFUSED'))).toBeNull();
    expect(httpStatusFromError({})).toBeNull();
    expect(httpStatusFromError(null)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('doubles from 0.5 s and caps at 30 s', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelay(n, middle))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('spreads each delay by ±20 % with jitter, never above the cap', () => {
    expect(backoffDelay(1, () => 0)).toBe(400);
    expect(backoffDelay(1, () => 0.999999)).toBe(600);
    expect(backoffDelay(20, () => 0.999999)).toBe(30000);
    expect(backoffDelay(20, () => 0)).toBe(24000);
  });
});

describe('ConnectionClock', () => {
  it('maps server time to stream time from where the connection started', () => {
    const clock = new ConnectionClock(12);
    clock.recordAudio(12, 0.1);
    clock.recordAudio(12.1, 0.1);
    expect(clock.toStream(0)).toBe(12);
    expect(clock.toStream(0.15)).toBeCloseTo(12.15, 9);
    expect(clock.streamCursor).toBeCloseTo(12.2, 9);
  });

  it('follows gaps in the stream (audio dropped while connected)', () => {
    const clock = new ConnectionClock(0);
    clock.recordAudio(0, 1);
    clock.recordAudio(5, 1); // 1..5 s was dropped
    expect(clock.toStream(0.5)).toBeCloseTo(0.5, 9);
    expect(clock.toStream(1.5)).toBeCloseTo(5.5, 9);
  });

  it('skips silence the socket injected', () => {
    const clock = new ConnectionClock(3);
    clock.recordSilence(0.1);
    expect(clock.toStream(0.05)).toBe(3);
    clock.recordAudio(3, 1);
    expect(clock.toStream(0.05)).toBe(3);
    expect(clock.toStream(0.6)).toBeCloseTo(3.5, 9);
  });

  it('extrapolates when nothing was sent yet', () => {
    expect(new ConnectionClock(2).toStream(0.5)).toBe(2.5);
  });
});

describe('naming the party that failed', () => {
  it('tells the speech service (Deepgram), the network and the proxy apart from the close alone', () => {
    expect(failedParty(1011, 'upstream unreachable (ENOTFOUND)')).toBe('upstream');
    expect(failedParty(1011, 'upstream unavailable (503), try again later')).toBe('upstream');
    expect(failedParty(1008, 'upstream rejected the key (401)')).toBe('upstream');
    expect(failedParty(1006, '')).toBe('network');
    expect(failedParty(1011, 'the proxy could not start the upstream for this stream')).toBe('proxy');
    expect(failedParty(1011, 'NET-0001')).toBe('proxy');
  });

  it('Deepgram unreachable behind a working proxy: retried, and says so without blaming the proxy', () => {
    const verdict = classifyClose(1011, 'upstream unreachable (ENOTFOUND)');
    expect(verdict).toMatchObject({ retry: true, party: 'upstream', error: { code: 'proxy-closed' } });
    expect(verdict.error.message).toBe(
      'The proxy is running, but its speech service (Deepgram) is not answering; trying again (1011: upstream unreachable (ENOTFOUND))',
    );
  });

  it('Deepgram refusing the proxy\'s key: not retried, and not the user\'s token to fix', () => {
    const verdict = classifyClose(1008, 'upstream rejected the key (401)');
    expect(verdict).toMatchObject({ retry: false, party: 'upstream', error: { code: 'proxy-rejected' } });
    expect(verdict.error.message).toContain('The speech service (Deepgram) refused the proxy\'s request');
    expect(verdict.error.message).not.toMatch(/token|refused the audio/);
  });

  it('a close without a close frame is the network\'s', () => {
    expect(classifyClose(1006, '').error.message).toBe('The network connection to the proxy was lost (code 1006)');
  });

  it('giving up names the party, the time and that the words are kept', () => {
    expect(upstreamGaveUp(1011, 'upstream unreachable (ENOTFOUND)', 62).message).toBe(
      'Captions stopped: the proxy is running, but its speech service (Deepgram) did not answer for 62 s (1011: upstream unreachable (ENOTFOUND)). What was captured is saved; press Start to try again.',
    );
  });
});
