/**
 * Key terms changed during a session: refused before sending when a limit is broken (or the model
 * cannot take them), else sent and settled by the server's answer, by its silence, or by the
 * session's end.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONFIGURE_ANSWER_TIMEOUT_MS, KeytermChanges } from '@/lib/session/keyterm-changes';

function setup(model = 'nova-3', canSend = true, toRelay = false) {
  const sent: string[][] = [];
  // The socket's number for a Configure: 1 for the first sent, as ListenSocket counts.
  const changes = new KeytermChanges((keyterms) => (canSend ? sent.push(keyterms) : null), model, toRelay);
  return { changes, sent };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('KeytermChanges', () => {
  it('sends the trimmed list and settles with the terms the server says are in effect', async () => {
    const { changes, sent } = setup();
    const answer = changes.request([' Captionist ', 'Dana Scully']);
    expect(sent).toEqual([['Captionist', 'Dana Scully']]);
    changes.answer({ kind: 'configure-success', keyterms: ['Captionist', 'Dana Scully'], request: 1 });
    await expect(answer).resolves.toEqual({ ok: true, keyterms: ['Captionist', 'Dana Scully'] });
  });

  it('takes the list it sent when the server confirms without naming the terms', async () => {
    const { changes } = setup();
    const answer = changes.request(['WXT']);
    changes.answer({ kind: 'configure-success', keyterms: null, request: 1 });
    await expect(answer).resolves.toEqual({ ok: true, keyterms: ['WXT'] });
  });

  it('reports a ConfigureFailure as refused by the server, with its reason', async () => {
    const { changes } = setup();
    const answer = changes.request(['Forbidden']);
    changes.answer({ kind: 'configure-failure', message: 'not allowed here', request: 1 });
    await expect(answer).resolves.toEqual({ ok: false, refusedBy: 'server', message: 'keytermsChangeRefused(not allowed here)' });
  });

  it('settles each request with the answer the socket placed on it', async () => {
    const { changes } = setup();
    const first = changes.request(['A']);
    const second = changes.request(['B']);
    changes.answer({ kind: 'configure-failure', message: 'no B', request: 2 });
    changes.answer({ kind: 'configure-success', keyterms: ['A'], request: 1 });
    await expect(first).resolves.toMatchObject({ ok: true, keyterms: ['A'] });
    await expect(second).resolves.toMatchObject({ ok: false, refusedBy: 'server' });
  });

  it('a late answer to a request that timed out settles nothing else, and an answer to the socket\'s own resend neither', async () => {
    const { changes } = setup();
    const timedOut = changes.request(['Slow']);
    vi.advanceTimersByTime(CONFIGURE_ANSWER_TIMEOUT_MS);
    await expect(timedOut).resolves.toMatchObject({ ok: false, refusedBy: 'no-answer' });
    const next = changes.request(['Next']);
    changes.answer({ kind: 'configure-success', keyterms: ['Slow'], request: 1 });
    changes.answer({ kind: 'configure-success', keyterms: ['Old'], request: null });
    let settled = false;
    void next.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    changes.answer({ kind: 'configure-success', keyterms: ['Next'], request: 2 });
    await expect(next).resolves.toEqual({ ok: true, keyterms: ['Next'] });
  });

  it('refuses on a transcription relay, which takes no Configure', async () => {
    const { changes, sent } = setup('nova-3', true, true);
    await expect(changes.request(['Captionist'])).resolves.toEqual({ ok: false, refusedBy: 'extension', message: 'keytermsChangeRelay' });
    expect(sent).toEqual([]);
  });

  it('refuses before sending anything when a limit is broken', async () => {
    const { changes, sent } = setup();
    await expect(changes.request(Array.from({ length: 101 }, (_, i) => `t${i}`))).resolves.toEqual({
      ok: false,
      refusedBy: 'extension',
      message: 'keytermsChangeTooMany(100, 101)',
    });
    const heavy = Array.from({ length: 100 }, (_, i) => `abcdefgh ijklmnop qrst${String(i).padStart(4, '0')}`);
    await expect(changes.request(heavy)).resolves.toMatchObject({ ok: false, refusedBy: 'extension', message: 'keytermsChangeTooManyTokens(500, 600)' });
    expect(sent).toEqual([]);
  });

  it('refuses on a model that cannot change key terms mid-stream', async () => {
    const { changes, sent } = setup('nova-2-meeting');
    await expect(changes.request(['Captionist'])).resolves.toEqual({ ok: false, refusedBy: 'extension', message: 'keytermsChangeNeedsNova3(nova-2-meeting)' });
    expect(sent).toEqual([]);
  });

  it('says the server did not answer when nothing comes in time', async () => {
    const { changes } = setup();
    const answer = changes.request(['Captionist']);
    vi.advanceTimersByTime(CONFIGURE_ANSWER_TIMEOUT_MS);
    await expect(answer).resolves.toEqual({ ok: false, refusedBy: 'no-answer', message: 'keytermsChangeNoAnswer(10)' });
    // A late answer finds nobody waiting and changes nothing.
    changes.answer({ kind: 'configure-success', keyterms: ['Captionist'], request: 1 });
  });

  it('answers at once when there is no stream to send on, and when the session ends', async () => {
    await expect(setup('nova-3', false).changes.request(['A'])).resolves.toMatchObject({ ok: false, refusedBy: 'extension', message: 'keytermsChangeNotRunning' });
    const { changes } = setup();
    const answer = changes.request(['A']);
    changes.cancel();
    await expect(answer).resolves.toMatchObject({ ok: false, refusedBy: 'extension', message: 'keytermsChangeNotRunning' });
  });
});
