import { describe, expect, it } from 'vitest';
import { createParseStats, MAX_MESSAGE_CHARS, MAX_WORDS_PER_MESSAGE, totalIgnored, type ParseResult, type ResultsEvent } from '@/lib/listen/protocol';
import { parseRelayMessage } from '@/lib/listen/relay-protocol';
import { seededRandom } from '@/testkit/prng';

/** A final as the relays of the Deepgram integration guides send it (issue 15). */
const FINAL = {
  type: 'transcription',
  is_final: true,
  speech_final: true,
  transcript: 'Hello there, Sam.',
  confidence: 0.97,
  words: [
    { word: 'hello', start: 1.2, end: 1.5, speaker: 0 },
    { word: 'there', start: 1.5, end: 1.8, speaker: 0 },
    { word: 'sam', start: 2.0, end: 2.3, speaker: 1 },
  ],
};

function results(result: ParseResult): ResultsEvent {
  if (!result.ok) throw new Error(`ignored: ${result.ignored} (${result.detail})`);
  if (result.event.kind !== 'results') throw new Error(`not results: ${result.event.kind}`);
  return result.event;
}

describe('parseRelayMessage: the relay shape', () => {
  it('turns a final into Results: the transcript spelling on the words, their speakers and times', () => {
    const e = results(parseRelayMessage(JSON.stringify(FINAL)));
    expect(e).toEqual({
      kind: 'results',
      isFinal: true,
      speechFinal: true,
      fromFinalize: false,
      start: 1.2,
      duration: 2.3 - 1.2,
      transcript: 'Hello there, Sam.',
      words: [
        { text: 'Hello', start: 1.2, end: 1.5, confidence: 1, speaker: 0 },
        { text: 'there,', start: 1.5, end: 1.8, confidence: 1, speaker: 0 },
        { text: 'Sam.', start: 2.0, end: 2.3, confidence: 1, speaker: 1 },
      ],
      timed: true,
      channel: 0,
    });
  });

  it('keeps an interim interim, and the bare words when the transcript has a different count', () => {
    const e = results(parseRelayMessage(JSON.stringify({ ...FINAL, is_final: false, speech_final: false, transcript: 'Hello there Sam and' })));
    expect(e.isFinal).toBe(false);
    expect(e.speechFinal).toBe(false);
    expect(e.words.map((w) => w.text)).toEqual(['hello', 'there', 'sam']);
  });

  it('takes speakers from speaker_segments when the words carry none', () => {
    const words = FINAL.words.map(({ word, start, end }) => ({ word, start, end }));
    const speaker_segments = [
      { speaker: 3, start: 1.2, end: 1.8, text: 'Hello there,' },
      { speaker: 4, start: 2.0, end: 2.3, text: 'Sam.' },
    ];
    const e = results(parseRelayMessage(JSON.stringify({ ...FINAL, words, speaker_segments })));
    expect(e.words.map((w) => w.speaker)).toEqual([3, 3, 4]);
  });

  it('places the segments\' text when there is no word list', () => {
    const speaker_segments = [
      { speaker: 0, start: 0, end: 1, text: 'one two' },
      { speaker: 1, start: 2, end: 3, text: 'three' },
    ];
    const e = results(parseRelayMessage(JSON.stringify({ type: 'transcription', is_final: true, transcript: 'one two three', speaker_segments })));
    expect(e.timed).toBe(true);
    expect(e.words.map((w) => [w.text, w.start, w.end, w.speaker])).toEqual([
      ['one', 0, 0.5, 0],
      ['two', 0.5, 1, 0],
      ['three', 2, 3, 1],
    ]);
    expect(e.start).toBe(0);
    expect(e.duration).toBe(3);
  });

  it('gives untimed words for a transcript alone, and reads `text` as the transcript', () => {
    const e = results(parseRelayMessage('{"type":"transcription","is_final":true,"text":"just text"}'));
    expect(e.timed).toBe(false);
    expect(e.words.map((w) => w.text)).toEqual(['just', 'text']);
  });

  it('accepts numbers and booleans sent as strings, and speaker names', () => {
    const speakerIds = new Map<string, number>();
    const message = {
      type: 'transcription',
      is_final: 'true',
      transcript: 'a b',
      words: [
        { word: 'a', start: '0.5', end: '0.7', speaker: 'alice' },
        { word: 'b', start: 0.8, end: 1, speaker: '2' },
      ],
    };
    const e = results(parseRelayMessage(JSON.stringify(message), { speakerIds }));
    expect(e.isFinal).toBe(true);
    expect(e.words.map((w) => [w.start, w.speaker])).toEqual([
      [0.5, 0],
      [0.8, 2],
    ]);
  });

  it('reads JSON sent in a binary frame', () => {
    const e = results(parseRelayMessage(new TextEncoder().encode(JSON.stringify(FINAL))));
    expect(e.transcript).toBe('Hello there, Sam.');
  });
});

describe('parseRelayMessage: garbage', () => {
  it('ignores and counts what is not a relay message, and never throws', () => {
    const stats = createParseStats();
    const frames: (string | Uint8Array)[] = [
      'not json',
      '[1,2]',
      '42',
      'null',
      '{"type":"Results"}',
      '{"no":"type"}',
      '{"type":"transcription"}',
      '{"type":"transcription","transcript":5}',
      '{"type":"transcription","transcript":"x","words":"many"}',
      '{"type":"transcription","transcript":"x","is_final":"maybe"}',
      new Uint8Array([0xff, 0xfe, 0x00]),
      'x'.repeat(MAX_MESSAGE_CHARS + 1),
    ];
    for (const frame of frames) expect(parseRelayMessage(frame, { stats }).ok).toBe(false);
    expect(stats.parsed).toBe(0);
    expect(totalIgnored(stats)).toBe(frames.length);
    expect(stats.ignored).toMatchObject({
      'invalid-json': 1,
      'not-an-object': 3,
      'unknown-type': 2,
      'invalid-transcription': 4,
      'not-utf8': 1,
      'too-large': 1,
    });
  });

  it('drops a bad word or segment, counted, and keeps the rest of the message', () => {
    const stats = createParseStats();
    const words = [
      { word: 'good', start: 1, end: 1.2, speaker: 0 },
      { word: 'backwards', start: 3, end: 2 },
      { word: 'nan', start: 'soon', end: 1 },
      { word: 'huge', start: 1e12, end: 1e12 },
      'a string',
      null,
      { word: 'speaker-garbage', start: 1.3, end: 1.4, speaker: -5 },
    ];
    const speaker_segments = [{ speaker: 0, start: 5, end: 4, text: 'backwards' }, 7];
    const e = results(parseRelayMessage(JSON.stringify({ type: 'transcription', is_final: true, transcript: 'good', words, speaker_segments }), { stats }));
    expect(e.words.map((w) => [w.text, w.speaker])).toEqual([
      ['good', 0],
      ['speaker-garbage', null],
    ]);
    expect(stats.ignoredFields['relay-entry']).toBe(5 + 2);
  });

  it('bounds what a hostile relay can make: too many words is refused, many segments stay capped', () => {
    const words = Array.from({ length: MAX_WORDS_PER_MESSAGE + 1 }, (_, i) => ({ word: 'w', start: i, end: i + 1 }));
    expect(parseRelayMessage(JSON.stringify({ type: 'transcription', transcript: 'w', words })).ok).toBe(false);
    const text = Array.from({ length: 50 }, () => 'word').join(' ');
    const speaker_segments = Array.from({ length: 400 }, (_, i) => ({ speaker: i % 3, start: i, end: i + 1, text }));
    const e = results(parseRelayMessage(JSON.stringify({ type: 'transcription', transcript: '', speaker_segments })));
    expect(e.words.length).toBe(MAX_WORDS_PER_MESSAGE);
  });

  it('survives seeded random mutations of a valid message', () => {
    const random = seededRandom(15);
    const base = JSON.stringify({ ...FINAL, speaker_segments: [{ speaker: 0, start: 1.2, end: 2.3, text: 'Hello there, Sam.' }] });
    const stats = createParseStats();
    for (let i = 0; i < 2000; i++) {
      const chars = base.split(''); // the message is ASCII
      for (let k = 0; k < 3; k++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(32 + Math.floor(random() * 95));
      const result = parseRelayMessage(chars.join(''), { stats });
      if (result.ok && result.event.kind === 'results') {
        for (const w of result.event.words) {
          expect(w.end).toBeGreaterThanOrEqual(w.start);
          expect(Number.isFinite(w.start)).toBe(true);
        }
      }
    }
    expect(stats.parsed + totalIgnored(stats)).toBe(2000);
  });
});
