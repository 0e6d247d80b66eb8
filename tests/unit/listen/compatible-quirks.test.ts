/**
 * The extension against a self-hosted Deepgram-compatible server, one fixture per way such a
 * server differs from Deepgram (built by testkit/upstream/compatible.ts exactly as WhisperLiveKit's
 * /v1/listen sends them): the listen socket and the transcript store take each difference without
 * losing, inventing or dropping a word, and act on its closes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket } from '@/lib/listen/listen-socket';
import type { UserFacingError } from '@/lib/contract/messages';
import { totalIgnored } from '@/lib/listen/protocol';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import {
  compatibleFinal,
  compatibleInterim,
  compatibleMetadata,
  compatibleSpeechStarted,
  compatibleUtteranceEnd,
} from '@/testkit/upstream/compatible';
import { chunk, fakeFactory } from './fake-web-socket';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A socket and a store on a fake server that has opened and been sent `seconds` of audio. */
function connected(options: { diarize?: boolean; seconds?: number } = {}) {
  const fake = fakeFactory();
  const store = new TranscriptStore();
  const errors: UserFacingError[] = [];
  const socket = new ListenSocket({
    url: `ws://localhost:8787/v1/listen?diarize=${String(options.diarize ?? false)}`,
    createWebSocket: fake.factory,
    onEvent: (event) => store.apply(event),
    onError: (error) => errors.push(error),
  });
  socket.connect();
  fake.last().open();
  for (let i = 0; i < Math.round((options.seconds ?? 1.2) * 10); i++) socket.sendAudio(chunk(i + 1));
  return { socket, store, ws: fake.last(), fake, errors };
}

describe('a Deepgram-compatible server (WhisperLiveKit) at the extension', () => {
  it('Metadata first, word-less interims, interpolated zero-confidence finals: every word shown once, none dropped', () => {
    const { socket, store, ws } = connected();
    ws.receive(compatibleMetadata('wlk-1'));
    ws.receive(compatibleSpeechStarted());
    ws.receive(compatibleInterim('one two', 0));
    expect(store.snapshot().interims.map((tail) => tail.text)).toEqual(['one two']);
    ws.receive(compatibleFinal('one two three', 0, 0.6));
    ws.receive(compatibleUtteranceEnd(0.6));
    ws.receive(compatibleInterim('four', 0.6));
    ws.receive(compatibleFinal('four five', 0.6, 1.0));
    ws.receive(compatibleUtteranceEnd(1.0));
    const { utterances, interims } = store.snapshot();
    expect(utterances.map((u) => [u.text, u.closed])).toEqual([
      ['one two three', true],
      ['four five', true],
    ]);
    expect(interims).toEqual([]);
    // Confidence 0 is the server saying "unknown", not "wrong": the words stay, with their times.
    const words = utterances.flatMap((u) => u.words);
    expect(words.map((w) => w.confidence)).toEqual([0, 0, 0, 0, 0]);
    expect(words.map((w) => w.start)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(totalIgnored(socket.parseStats)).toBe(0);
  });

  it('its speaker on every word is dropped when diarization was not asked for, and kept when it was', () => {
    const off = connected({ diarize: false });
    off.ws.receive(compatibleFinal('just me', 0, 0.4));
    expect(off.store.snapshot().utterances[0]?.words.map((w) => w.speaker)).toEqual([null, null]);
    const on = connected({ diarize: true });
    on.ws.receive(compatibleFinal('just me', 0, 0.4));
    expect(on.store.snapshot().utterances[0]?.words.map((w) => w.speaker)).toEqual([1, 1]);
  });

  it('no speech_final: UtteranceEnd still ends each utterance', () => {
    const { store, ws } = connected();
    ws.receive(compatibleFinal('first line', 0, 0.4, { omitSpeechFinal: true }));
    ws.receive(compatibleUtteranceEnd(0.4));
    ws.receive(compatibleFinal('second line', 0.5, 0.9, { omitSpeechFinal: true }));
    ws.receive(compatibleUtteranceEnd(0.9));
    expect(store.snapshot().utterances.map((u) => [u.text, u.closed])).toEqual([
      ['first line', true],
      ['second line', true],
    ]);
  });

  it('CloseStream answered by an immediate 1000 with no Metadata is a clean close', async () => {
    const { socket, ws } = connected({ seconds: 0.3 });
    ws.receive(compatibleMetadata('wlk-2'));
    const closing = socket.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.texts.at(-1)).toBe('{"type":"CloseStream"}');
    ws.serverClose(1000);
    const summary = await closing;
    expect(summary).toMatchObject({ code: 1000, clean: true, timedOut: false });
  });

  it('its refusal after the handshake (an Error message, then 4400) stops the socket with the reason, without retrying', () => {
    const { socket, ws, fake, errors } = connected({ seconds: 0.2 });
    ws.receive({ type: 'Error', description: 'Unsupported language: fr' });
    ws.serverClose(4400, 'invalid session parameters');
    expect(socket.status).toBe('closed');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('invalid session parameters');
    vi.advanceTimersByTime(60_000);
    expect(fake.sockets).toHaveLength(1);
    // The Error message is not Deepgram's: counted as ignored, never thrown on.
    expect(socket.parseStats.ignored['unknown-type']).toBe(1);
  });
});
