/**
 * Property tests with fast-check: the message parser and the transcript store under generated
 * hostile input (see hostile-arbitraries.ts). Nothing throws, every accepted event is sane, the
 * store holds only words that came in (never more than came in, never larger), a final sent
 * twice or late changes nothing, and the saved copy of a session is bounded the same way.
 *
 * Counts are fixed (numRuns) and seeded, so the file runs in bounded time and a failure replays.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createParseStats,
  MAX_SERVER_SECONDS,
  MAX_TRANSCRIPT_CHARS,
  MAX_WORD_CHARS,
  parseServerMessage,
  totalIgnored,
  type ListenEvent,
} from '@/lib/listen/protocol';
import { TranscriptStore, type ToMeetingTime } from '@/lib/transcript/transcript-store';
import { newSessionRecord } from '@/lib/persistence/session-record';
import { SessionRecorder } from '@/lib/persistence/session-recorder';
import { openTranscriptArchive } from '@/lib/persistence/transcript-archive';
import { freshIndexedDb } from '../persistence/persistence-kit';
import { realisticFinal, serverFrame } from './hostile-arbitraries';

/** Every message fed to the parser in this file, for the report. */
let fuzzed = 0;

function sane(event: ListenEvent): void {
  const time = (t: number) => {
    expect(Number.isFinite(t)).toBe(true);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThanOrEqual(MAX_SERVER_SECONDS * 2);
  };
  switch (event.kind) {
    case 'results':
      time(event.start);
      time(event.duration);
      expect(event.transcript.length).toBeLessThanOrEqual(MAX_TRANSCRIPT_CHARS);
      for (const w of event.words) {
        expect(w.text.length).toBeGreaterThan(0);
        expect(w.text.length).toBeLessThanOrEqual(MAX_WORD_CHARS);
        time(w.start);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.confidence).toBeGreaterThanOrEqual(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
        expect(w.speaker === null || (Number.isInteger(w.speaker) && w.speaker >= 0)).toBe(true);
      }
      return;
    case 'utterance-end':
      time(event.lastWordEnd);
      return;
    case 'speech-started':
      time(event.timestamp);
      return;
    case 'metadata':
      time(event.duration);
  }
}

/** Meeting-time mappings a session may use: identity, a shift, or one that sometimes cannot map (null / NaN). */
const mapping: fc.Arbitrary<ToMeetingTime> = fc.oneof(
  fc.constant<ToMeetingTime>((s) => s),
  fc.double({ min: 0, max: 100, noNaN: true }).map((shift): ToMeetingTime => (s) => s + shift),
  fc.constant<ToMeetingTime>((s) => (Math.floor(s * 10) % 7 === 0 ? null : s)),
  fc.constant<ToMeetingTime>((s) => (Math.floor(s * 10) % 5 === 0 ? Number.NaN : s)),
);

interface FedStore {
  store: TranscriptStore;
  acceptedFinalWords: number;
  acceptedFinalChars: number;
  inputChars: number;
  seenWords: Set<string>;
}

function feed(frames: readonly (string | ArrayBuffer)[], toMeeting: ToMeetingTime): FedStore {
  const store = new TranscriptStore();
  const stats = createParseStats();
  const speakerIds = new Map<string, number>();
  let acceptedFinalWords = 0;
  let acceptedFinalChars = 0;
  let inputChars = 0;
  const seenWords = new Set<string>();
  for (const frame of frames) {
    fuzzed += 1;
    inputChars += typeof frame === 'string' ? frame.length : frame.byteLength;
    const result = parseServerMessage(frame, { stats, speakerIds });
    if (!result.ok) continue;
    sane(result.event);
    if (result.event.kind === 'results') {
      for (const w of result.event.words) seenWords.add(w.text);
      if (result.event.isFinal) {
        acceptedFinalWords += result.event.words.length;
        acceptedFinalChars += result.event.words.reduce((n, w) => n + w.text.length, 0);
      }
    }
    store.apply(result.event, toMeeting);
  }
  expect(stats.parsed + totalIgnored(stats)).toBe(frames.length);
  return { store, acceptedFinalWords, acceptedFinalChars, inputChars, seenWords };
}

describe('fuzz: parser and transcript store (fast-check)', () => {
  it('parses any frame without throwing, and every accepted event is sane', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(serverFrame, (frame) => {
        fuzzed += 1;
        const stats = createParseStats();
        const result = parseServerMessage(frame, { stats });
        expect(stats.parsed + totalIgnored(stats)).toBe(1);
        if (result.ok) sane(result.event);
        else expect(result.detail.length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 10_000, seed: 6001 },
    );
  });

  it('keeps only words that came in, never more or longer than came in, with consistent utterances', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(serverFrame, { minLength: 1, maxLength: 40 }), mapping, (frames, toMeeting) => {
        const fed = feed(frames, toMeeting);
        const snapshot = fed.store.snapshot();
        const words = snapshot.utterances.flatMap((u) => u.words);
        // Bounded by the input: no more words and no more characters than accepted finals carried.
        expect(words.length).toBeLessThanOrEqual(fed.acceptedFinalWords);
        expect(words.reduce((n, w) => n + w.text.length, 0)).toBeLessThanOrEqual(fed.acceptedFinalChars);
        expect(JSON.stringify(snapshot).length).toBeLessThanOrEqual(2_000 + fed.inputChars * 4);
        const ids = new Set<string>();
        for (const u of snapshot.utterances) {
          expect(ids.has(u.id)).toBe(false);
          ids.add(u.id);
          expect(u.text).toBe(u.words.map((w) => w.text).join(' '));
          expect(Number.isFinite(u.start) && Number.isFinite(u.end)).toBe(true);
          for (const w of u.words) {
            // Never invented: every stored word is one the parser accepted.
            expect(fed.seenWords.has(w.text)).toBe(true);
            expect(Number.isFinite(w.start) && Number.isFinite(w.end)).toBe(true);
          }
        }
        for (const interim of snapshot.interims) expect(interim.text).toBe(interim.words.map((w) => w.text).join(' '));
      }),
      { numRuns: 800, seed: 6002 },
    );
  });

  it('a final that arrives twice, or late for a span already settled, adds nothing', { timeout: 60_000 }, () => {
    const tagged = fc.oneof(
      { weight: 2, arbitrary: realisticFinal.map((frame) => ({ frame, realistic: true })) },
      { weight: 1, arbitrary: serverFrame.map((frame) => ({ frame, realistic: false })) },
    );
    fc.assert(
      fc.property(fc.array(tagged, { minLength: 1, maxLength: 30 }), realisticFinal, fc.nat(), (stream, extra, pick) => {
        const all = [...stream, { frame: extra, realistic: true }];
        const store = new TranscriptStore();
        const replayable: ListenEvent[] = [];
        for (const { frame, realistic } of all) {
          fuzzed += 1;
          const result = parseServerMessage(frame);
          if (!result.ok) continue;
          store.apply(result.event);
          if (realistic) replayable.push(result.event);
        }
        const wordsNow = () => store.snapshot().utterances.reduce((n, u) => n + u.words.length, 0);
        const count = wordsNow();
        // Replay one well-formed final, after everything that followed it (out of order).
        store.apply(replayable[pick % replayable.length]!);
        expect(wordsNow()).toBe(count);
      }),
      { numRuns: 400, seed: 6003 },
    );
  });

  describe('saving hostile transcripts', () => {
    beforeEach(() => freshIndexedDb());

    it('saves exactly what the store holds, bounded by it, whatever the text', { timeout: 60_000 }, async () => {
      const archive = await openTranscriptArchive('fuzz');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(serverFrame, { minLength: 1, maxLength: 25 }), fc.string({ maxLength: 500 }), async (frames, title) => {
          const id = `s${n++}`;
          const store = new TranscriptStore();
          const recorder = new SessionRecorder({
            archive: async () => archive,
            record: newSessionRecord(id, 1000 + n, 'tab', { title, origin: title }),
            retention: { maxSessions: 1000, maxDays: 30 },
            now: () => 2000 + n,
            onProblem: (message) => {
              throw new Error(message);
            },
            interruptedReason: 'cut off',
            problemMessage: (detail) => detail,
          });
          for (const frame of frames) {
            fuzzed += 1;
            const result = parseServerMessage(frame);
            if (!result.ok) continue;
            const update = store.apply(result.event);
            if (update) recorder.record(update);
          }
          await recorder.finish(3000 + n, null);
          const saved = await archive.loadSession(id);
          expect(saved).not.toBeNull();
          const held = store.snapshot().utterances;
          expect(saved!.transcript.utterances.map((u) => u.text).sort()).toEqual(held.map((u) => u.text).sort());
          expect(saved!.summary.wordCount).toBe(held.reduce((k, u) => k + u.words.length, 0));
          expect(saved!.summary.title.length).toBeLessThanOrEqual(200);
          // eslint-disable-next-line no-control-regex -- asserting control characters are gone
          expect(saved!.summary.title).not.toMatch(/[\u0000-\u001f\u202a-\u202e]/);
          expect(saved!.summary.preview.length).toBeLessThanOrEqual(160);
        }),
        { numRuns: 60, seed: 6004 },
      );
    });
  });

  it('report', () => {
    console.log(`[fuzz] messages fuzzed through the parser (and the store where accepted): ${fuzzed}`);
    expect(fuzzed).toBeGreaterThan(10_000);
  });
});
