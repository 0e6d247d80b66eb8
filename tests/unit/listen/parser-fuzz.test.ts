/**
 * Generated hostile input for the parser and the transcript store: mutated real messages (fields
 * dropped, types swapped, NaN/negative/huge times, huge strings, markup), truncated JSON and
 * random bytes. Nothing may throw, every accepted event must satisfy the event invariants, and
 * the store must only ever hold valid words. Seeded, so a failure can be replayed.
 */
import { describe, expect, it } from 'vitest';
import {
  createParseStats,
  MAX_SERVER_SECONDS,
  MAX_TRANSCRIPT_CHARS,
  MAX_WORD_CHARS,
  parseServerMessage,
  totalIgnored,
  type ListenEvent,
} from '@/lib/listen/protocol';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import { seededRandom } from '@/testkit/prng';

const HOSTILE_STRINGS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '\u0000\u202e\ufeff',
  '',
  ' ',
  'NaN',
  '-1',
  '1e999',
];

function base(random: () => number): Record<string, unknown> {
  const t = random() * 100;
  switch (Math.floor(random() * 5)) {
    case 0:
      return {
        type: 'Results',
        start: t,
        duration: random() * 3,
        is_final: random() < 0.5,
        speech_final: random() < 0.3,
        channel: {
          alternatives: [
            {
              transcript: 'hello world',
              confidence: random(),
              words: [
                { word: 'hello', punctuated_word: 'Hello', start: t, end: t + 0.3, confidence: random(), speaker: Math.floor(random() * 3) },
                { word: 'world', start: t + 0.4, end: t + 0.7, confidence: random(), speaker: Math.floor(random() * 3) },
              ],
            },
          ],
        },
      };
    case 1:
      return { type: 'UtteranceEnd', channel: [0, 1], last_word_end: t };
    case 2:
      return { type: 'SpeechStarted', channel: [0, 1], timestamp: t };
    case 3:
      return { type: 'Metadata', request_id: 'r', duration: t, channels: 1 };
    default:
      return { type: 'transcription', text: 'seed text here', is_final: random() < 0.5, speaker: random() < 0.5 ? 'A' : 1, start: t, end: t + 1 };
  }
}

function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return -random() * 1e6;
    case 2:
      return random() * 1e15;
    case 3:
      return HOSTILE_STRINGS[Math.floor(random() * HOSTILE_STRINGS.length)];
    case 4:
      return 'x'.repeat(Math.floor(random() * 200_000));
    case 5:
      return random() < 0.5;
    case 6:
      return depth < 3 ? [randomValue(random, depth + 1), randomValue(random, depth + 1)] : [];
    case 7:
      return depth < 3 ? { a: randomValue(random, depth + 1) } : {};
    case 8:
      return Math.floor(random() * 5);
    case 9:
      return 1.5;
    case 10:
      return undefined;
    default:
      return random() * 10;
  }
}

/** Replaces or deletes a random field somewhere in the object tree. */
function mutate(value: unknown, random: () => number): void {
  if (typeof value !== 'object' || value === null) return;
  const keys = Object.keys(value);
  const key = keys[Math.floor(random() * keys.length)];
  if (key === undefined) return;
  const record = value as Record<string, unknown>;
  const child = record[key];
  if (typeof child === 'object' && child !== null && random() < 0.6) {
    mutate(child, random);
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- dropping a random field is the mutation
  if (random() < 0.2) delete record[key];
  else record[key] = randomValue(random);
}

function message(random: () => number): string | ArrayBuffer {
  const roll = random();
  if (roll < 0.05) return new Uint8Array(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))).buffer;
  const msg = base(random);
  const mutations = roll < 0.25 ? 0 : 1 + Math.floor(random() * 4);
  for (let i = 0; i < mutations; i++) mutate(msg, random);
  const json = JSON.stringify(msg);
  if (random() < 0.05) return json.slice(0, Math.floor(random() * json.length));
  return json;
}

function checkEvent(event: ListenEvent): void {
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
        expect(typeof w.text).toBe('string');
        expect(w.text.length).toBeGreaterThan(0);
        expect(w.text.length).toBeLessThanOrEqual(MAX_WORD_CHARS);
        time(w.start);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.confidence).toBeGreaterThanOrEqual(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
        expect(w.speaker === null || (Number.isInteger(w.speaker) && w.speaker >= 0)).toBe(true);
      }
      break;
    case 'utterance-end':
      time(event.lastWordEnd);
      break;
    case 'speech-started':
      time(event.timestamp);
      break;
    case 'metadata':
      time(event.duration);
      expect(typeof event.requestId).toBe('string');
  }
}

describe('parser and store under generated hostile input', () => {
  it.each([11, 22, 33])('seed %i: 4000 messages, no throw, only valid events, bounded store', { timeout: 30_000 }, (seed) => {
    const random = seededRandom(seed);
    const stats = createParseStats();
    const speakerIds = new Map<string, number>();
    const store = new TranscriptStore();
    let acceptedWords = 0;
    const COUNT = 4000;
    for (let i = 0; i < COUNT; i++) {
      const raw = message(random);
      const result = parseServerMessage(raw, { stats, speakerIds });
      if (!result.ok) continue;
      checkEvent(result.event);
      if (result.event.kind === 'results' && result.event.isFinal) acceptedWords += result.event.words.length;
      expect(() => store.apply(result.event)).not.toThrow();
    }
    expect(stats.parsed + totalIgnored(stats)).toBe(COUNT);
    // Both paths are exercised.
    expect(stats.parsed).toBeGreaterThan(COUNT * 0.2);
    expect(totalIgnored(stats)).toBeGreaterThan(COUNT * 0.2);
    const snapshot = store.snapshot();
    const words = snapshot.utterances.flatMap((u) => u.words);
    expect(words.length).toBeLessThanOrEqual(acceptedWords);
    for (const u of snapshot.utterances) {
      expect(u.text).toBe(u.words.map((w) => w.text).join(' '));
      expect(Number.isFinite(u.start) && Number.isFinite(u.end)).toBe(true);
    }
  });
});
