import { describe, expect, it } from 'vitest';
import {
  createParseStats,
  MAX_MESSAGE_CHARS,
  MAX_TRANSCRIPT_CHARS,
  MAX_WORD_CHARS,
  parseServerMessage,
  totalIgnored,
  totalIgnoredFields,
  type ListenEvent,
  type ParseResult,
} from '@/lib/listen/protocol';
import { TRUNCATION_MARK } from '@/lib/transcript/truncation-mark';

// A Nova-3 final as in docs/deepgram-protocol.md §4.1, plus diarization.
const FINAL = {
  type: 'Results',
  channel_index: [0, 1],
  duration: 1.6599998,
  start: 17.0,
  is_final: true,
  speech_final: true,
  from_finalize: false,
  channel: {
    alternatives: [
      {
        transcript: 'For the United States of America.',
        confidence: 0.9990865,
        words: [
          { word: 'for', start: 17.56, end: 17.72, confidence: 0.9873626, punctuated_word: 'For', speaker: 0 },
          { word: 'america', start: 18.2, end: 18.66, confidence: 0.96024, punctuated_word: 'America.', speaker: 1 },
        ],
      },
    ],
  },
  metadata: { request_id: 'e1985d01', model_info: { name: '2-general-nova' }, model_uuid: 'c0d1a568' },
};

function event(result: ParseResult): ListenEvent {
  if (!result.ok) throw new Error(`ignored: ${result.ignored} (${result.detail})`);
  return result.event;
}

function withWords(words: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...FINAL, ...extra, channel: { alternatives: [{ transcript: 'x y', confidence: 0.9, words }] } });
}

describe('parseServerMessage: Deepgram messages', () => {
  it('normalizes a final Results: punctuated words, speakers, flags and times', () => {
    const e = event(parseServerMessage(JSON.stringify(FINAL)));
    expect(e).toEqual({
      kind: 'results',
      isFinal: true,
      speechFinal: true,
      fromFinalize: false,
      start: 17,
      duration: 1.6599998,
      transcript: 'For the United States of America.',
      words: [
        { text: 'For', start: 17.56, end: 17.72, confidence: 0.9873626, speaker: 0 },
        { text: 'America.', start: 18.2, end: 18.66, confidence: 0.96024, speaker: 1 },
      ],
      timed: true,
      channel: 0,
    });
  });

  it("reads the channel of a multichannel Results from channel_index [i, n]", () => {
    const stats = createParseStats();
    const mic = event(parseServerMessage(JSON.stringify({ ...FINAL, channel_index: [1, 2] }), { stats }));
    const tab = event(parseServerMessage(JSON.stringify({ ...FINAL, channel_index: [0, 2] }), { stats }));
    expect(mic).toMatchObject({ kind: 'results', channel: 1 });
    expect(tab).toMatchObject({ kind: 'results', channel: 0 });
    expect(totalIgnoredFields(stats)).toBe(0);
  });

  it('puts a Results without channel_index on channel 0 and counts nothing', () => {
    const stats = createParseStats();
    const raw: Partial<typeof FINAL> = { ...FINAL };
    delete raw.channel_index;
    expect(event(parseServerMessage(JSON.stringify(raw), { stats }))).toMatchObject({ channel: 0 });
    expect(totalIgnoredFields(stats)).toBe(0);
  });

  it.each([
    ['an index not below the count', [2, 2]],
    ['a negative index', [-1, 2]],
    ['a fraction', [0.5, 2]],
    ['a string', '1'],
    ['a number alone', 1],
    ['one element', [1]],
    ['three elements', [1, 2, 3]],
    ['strings in the pair', ['1', '2']],
    ['more channels than Deepgram transcribes', [25, 30]],
    ['null', null],
    ['an object', { index: 1 }],
  ])('keeps the words of a Results with %s as channel_index, on channel 0, and counts the field', (_name, value) => {
    const stats = createParseStats();
    const e = event(parseServerMessage(JSON.stringify({ ...FINAL, channel_index: value }), { stats }));
    expect(e).toMatchObject({ kind: 'results', channel: 0, transcript: 'For the United States of America.' });
    expect(stats.ignoredFields['channel-index']).toBe(1);
    expect(totalIgnoredFields(stats)).toBe(1);
    expect(stats.parsed).toBe(1);
    expect(totalIgnored(stats)).toBe(0);
  });

  it('uses the plain word when punctuated_word is absent and null when there is no speaker', () => {
    const e = event(parseServerMessage(withWords([{ word: 'hello', start: 1, end: 1.2, confidence: 0.5 }])));
    expect(e.kind === 'results' && e.words).toEqual([{ text: 'hello', start: 1, end: 1.2, confidence: 0.5, speaker: null }]);
  });

  it('reads an interim (is_final false) and treats missing from_finalize as false', () => {
    const raw = { ...FINAL, is_final: false, speech_final: false };
    delete (raw as Partial<typeof FINAL>).from_finalize;
    const e = event(parseServerMessage(JSON.stringify(raw)));
    expect(e).toMatchObject({ kind: 'results', isFinal: false, speechFinal: false, fromFinalize: false });
  });

  it('treats speech_final as final even if a server forgets is_final', () => {
    const e = event(parseServerMessage(JSON.stringify({ ...FINAL, is_final: false, speech_final: true })));
    expect(e).toMatchObject({ isFinal: true, speechFinal: true });
  });

  it('keeps from_finalize', () => {
    expect(event(parseServerMessage(JSON.stringify({ ...FINAL, from_finalize: true })))).toMatchObject({ fromFinalize: true });
  });

  it('reads an empty Results (silence) as a results event with no words', () => {
    const raw = { ...FINAL, channel: { alternatives: [{ transcript: '', confidence: 0, words: [] }] } };
    expect(event(parseServerMessage(JSON.stringify(raw)))).toMatchObject({ kind: 'results', transcript: '', words: [] });
  });

  it('reads a Results with no alternatives as empty rather than failing', () => {
    const raw = { ...FINAL, channel: { alternatives: [] } };
    expect(event(parseServerMessage(JSON.stringify(raw)))).toMatchObject({ transcript: '', words: [] });
  });

  it('spreads a transcript without a word list evenly over the span', () => {
    const raw = { ...FINAL, start: 2, duration: 1, channel: { alternatives: [{ transcript: 'one two', confidence: 0.8 }] } };
    const e = event(parseServerMessage(JSON.stringify(raw)));
    expect(e.kind === 'results' && e.words).toEqual([
      { text: 'one', start: 2, end: 2.5, confidence: 0.8, speaker: null },
      { text: 'two', start: 2.5, end: 3, confidence: 0.8, speaker: null },
    ]);
  });

  it('reads UtteranceEnd, SpeechStarted and Metadata', () => {
    expect(event(parseServerMessage('{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.395}'))).toEqual({
      kind: 'utterance-end',
      lastWordEnd: 2.395,
      channel: 0,
    });
    expect(event(parseServerMessage('{"type":"SpeechStarted","channel":[0,1],"timestamp":9.54}'))).toEqual({
      kind: 'speech-started',
      timestamp: 9.54,
      channel: 0,
    });
    const metadata =
      '{"type":"Metadata","transaction_key":"deprecated","request_id":"8c8ebea9-dbec-45fa-a035-e4632cb05b5f","sha256":"e3b0","created":"2024-08-29T22:37:55.202Z","duration":12.5,"channels":1}';
    expect(event(parseServerMessage(metadata))).toEqual({
      kind: 'metadata',
      requestId: '8c8ebea9-dbec-45fa-a035-e4632cb05b5f',
      duration: 12.5,
    });
  });

  it("reads the channel of UtteranceEnd and SpeechStarted from channel [i, n], and counts a malformed one", () => {
    const stats = createParseStats();
    expect(event(parseServerMessage('{"type":"UtteranceEnd","channel":[1,2],"last_word_end":2}', { stats }))).toMatchObject({ channel: 1 });
    expect(event(parseServerMessage('{"type":"SpeechStarted","channel":[1,2],"timestamp":1}', { stats }))).toMatchObject({ channel: 1 });
    expect(totalIgnoredFields(stats)).toBe(0);
    expect(event(parseServerMessage('{"type":"UtteranceEnd","channel":[3,2],"last_word_end":2}', { stats }))).toMatchObject({ channel: 0, lastWordEnd: 2 });
    expect(event(parseServerMessage('{"type":"SpeechStarted","channel":"1","timestamp":1}', { stats }))).toMatchObject({ channel: 0 });
    expect(stats.ignoredFields['channel-index']).toBe(2);
  });

  it('accepts a binary frame holding UTF-8 JSON', () => {
    const bytes = new TextEncoder().encode('{"type":"SpeechStarted","timestamp":1}');
    expect(event(parseServerMessage(bytes.buffer.slice(0)))).toEqual({ kind: 'speech-started', timestamp: 1, channel: 0 });
  });

  it('ignores extra and future fields', () => {
    const raw = { ...FINAL, entities: [{ label: 'X' }], channel: { ...FINAL.channel, search: [] }, brand_new: { deep: true } };
    expect(parseServerMessage(JSON.stringify(raw)).ok).toBe(true);
  });
});

describe('parseServerMessage: hostile and broken input', () => {
  it('keeps HTML and script in transcripts as plain text data, unescaped and unstripped', () => {
    const html = '<img src=x onerror=alert(1)>';
    const script = '<script>alert("x")</script>';
    const raw = withWords([
      { word: html, start: 0, end: 0.5, confidence: 1 },
      { word: 'x', punctuated_word: script, start: 0.5, end: 1, confidence: 1 },
    ]);
    const e = event(parseServerMessage(raw));
    expect(e.kind === 'results' && e.words.map((w) => w.text)).toEqual([html, script]);
    const seed = event(parseServerMessage(JSON.stringify({ type: 'transcription', text: `hi ${html}` })));
    expect(seed.kind === 'results' && seed.transcript).toBe(`hi ${html}`);
  });

  it.each([
    ['invalid JSON', '{"type":"Results",', 'invalid-json'],
    ['empty string', '', 'invalid-json'],
    ['a JSON number', '42', 'not-an-object'],
    ['null', 'null', 'not-an-object'],
    ['an array', '[{"type":"Results"}]', 'not-an-object'],
    ['an unknown type', '{"type":"Warning","message":"x"}', 'unknown-type'],
    ['no type', '{"transcript":"hi"}', 'unknown-type'],
    ['Error messages', '{"type":"Error","description":"bad"}', 'unknown-type'],
    ['Results without channel', '{"type":"Results","start":0,"duration":1}', 'invalid-results'],
    ['Results with string start', withWords([], { start: '1' }), 'invalid-results'],
    ['Results with negative start', withWords([], { start: -1 }), 'invalid-results'],
    ['Results with an absurd start', withWords([], { start: 1e12 }), 'invalid-results'],
    ['Results with an infinite duration', withWords([]).replace(/"duration":[^,}]+/, '"duration":1e400'), 'invalid-results'],
    ['a word that is a number', withWords([{ word: 5, start: 0, end: 1, confidence: 1 }]), 'invalid-results'],
    ['a word that is null', withWords([{ word: null, start: 0, end: 1, confidence: 1 }]), 'invalid-results'],
    ['a word without times', withWords([{ word: 'a', confidence: 1 }]), 'invalid-results'],
    ['a word with a negative time', withWords([{ word: 'a', start: -3, end: 1, confidence: 1 }]), 'invalid-results'],
    ['a word ending before it starts', withWords([{ word: 'a', start: 5, end: 1, confidence: 1 }]), 'invalid-results'],
    ['a fractional speaker', withWords([{ word: 'a', start: 0, end: 1, confidence: 1, speaker: 0.5 }]), 'invalid-results'],
    ['a negative speaker', withWords([{ word: 'a', start: 0, end: 1, confidence: 1, speaker: -1 }]), 'invalid-results'],
    ['UtteranceEnd with NaN-ish time', '{"type":"UtteranceEnd","last_word_end":"NaN"}', 'invalid-utterance-end'],
    ['SpeechStarted with no timestamp', '{"type":"SpeechStarted"}', 'invalid-speech-started'],
    ['Metadata with a negative duration', '{"type":"Metadata","request_id":"r","duration":-1}', 'invalid-metadata'],
    ['transcription without text', '{"type":"transcription"}', 'invalid-transcription'],
    ['transcription with numeric text', '{"type":"transcription","text":7}', 'invalid-transcription'],
    ['transcription ending before it starts', '{"type":"transcription","text":"a","start":5,"end":1}', 'invalid-transcription'],
  ])('ignores %s', (_name, raw, reason) => {
    const stats = createParseStats();
    const result = parseServerMessage(raw, { stats });
    expect(result).toMatchObject({ ok: false, ignored: reason });
    expect(stats.ignored[reason as keyof typeof stats.ignored]).toBe(1);
    expect(stats.parsed).toBe(0);
  });

  it('ignores frames above the size limit before parsing them', () => {
    const raw = `{"type":"transcription","text":"${'a'.repeat(MAX_MESSAGE_CHARS)}"}`;
    expect(parseServerMessage(raw)).toMatchObject({ ok: false, ignored: 'too-large' });
  });

  it('ignores binary frames that are not UTF-8', () => {
    expect(parseServerMessage(new Uint8Array([0xff, 0xfe, 0x00]).buffer)).toMatchObject({ ok: false, ignored: 'not-utf8' });
  });

  it('caps word and transcript lengths', () => {
    const long = 'w'.repeat(5000);
    const e = event(parseServerMessage(withWords([{ word: long, start: 0, end: 1, confidence: 1 }])));
    expect(e.kind === 'results' && e.words[0]?.text.length).toBe(MAX_WORD_CHARS);
    const seed = event(parseServerMessage(JSON.stringify({ type: 'transcription', text: 'x'.repeat(50_000) })));
    expect(seed.kind === 'results' && seed.transcript.length).toBe(10_000);
  });

  it('cuts an over-long transcript before a whole word and marks the cut, as it does an over-long word', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i}`);
    const seed = event(parseServerMessage(JSON.stringify({ type: 'transcription', text: words.join(' ') })));
    if (seed.kind !== 'results') throw new Error('not results');
    expect(seed.transcript.length).toBeLessThanOrEqual(MAX_TRANSCRIPT_CHARS);
    const kept = seed.words.map((w) => w.text);
    expect(kept.at(-1)).toBe(TRUNCATION_MARK);
    expect(kept.slice(0, -1)).toEqual(words.slice(0, kept.length - 1));
    const long = event(parseServerMessage(withWords([{ word: 'w'.repeat(5000), start: 0, end: 1, confidence: 1 }])));
    expect(long.kind === 'results' && long.words[0]?.text).toBe(`${'w'.repeat(MAX_WORD_CHARS - 1)}${TRUNCATION_MARK}`);
  });

  it('clamps confidence into 0..1', () => {
    const e = event(parseServerMessage(withWords([{ word: 'a', start: 0, end: 1, confidence: 7 }])));
    expect(e.kind === 'results' && e.words[0]?.confidence).toBe(1);
  });

  it('does not throw on a deeply nested document', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseServerMessage(deep)).not.toThrow();
  });

  it('counts parsed and ignored messages by reason', () => {
    const stats = createParseStats();
    for (const raw of [JSON.stringify(FINAL), 'nope', '{"type":"Nope"}', '{"type":"Nope"}', '{"type":"SpeechStarted","timestamp":1}']) {
      parseServerMessage(raw, { stats });
    }
    expect(stats.parsed).toBe(2);
    expect(stats.ignored['invalid-json']).toBe(1);
    expect(stats.ignored['unknown-type']).toBe(2);
    expect(totalIgnored(stats)).toBe(3);
  });
});

describe('parseServerMessage: seed-style {type:"transcription"}', () => {
  it('reads a timed final and spreads its words over start..end', () => {
    const e = event(parseServerMessage('{"type":"transcription","text":"hello big world","is_final":true,"speaker":1,"start":3,"end":4.5}'));
    expect(e).toMatchObject({ kind: 'results', isFinal: true, speechFinal: true, start: 3, duration: 1.5, timed: true, transcript: 'hello big world', channel: 0 });
    expect(e.kind === 'results' && e.words.map((w) => [w.text, w.start, w.end, w.speaker])).toEqual([
      ['hello', 3, 3.5, 1],
      ['big', 3.5, 4, 1],
      ['world', 4, 4.5, 1],
    ]);
  });

  it('has no channels: a channel_index on the seed shape is not read', () => {
    expect(event(parseServerMessage('{"type":"transcription","text":"hi","channel_index":[1,2]}'))).toMatchObject({ channel: 0 });
  });

  it('reads an interim and treats a missing is_final as final', () => {
    expect(event(parseServerMessage('{"type":"transcription","text":"hel","is_final":false}'))).toMatchObject({ isFinal: false, speechFinal: false });
    expect(event(parseServerMessage('{"type":"transcription","text":"hello"}'))).toMatchObject({ isFinal: true, speechFinal: true });
  });

  it('marks a message without times as untimed', () => {
    expect(event(parseServerMessage('{"type":"transcription","text":"hi there"}'))).toMatchObject({ timed: false, start: 0, duration: 0 });
  });

  it('tolerates numbers and booleans sent as strings, and unknown extra fields', () => {
    const e = event(parseServerMessage('{"type":"transcription","text":"a b","is_final":"true","start":"1.5","end":"2.5","lang":"en"}'));
    expect(e).toMatchObject({ isFinal: true, start: 1.5, duration: 1, timed: true });
  });

  it('maps speaker names to stable indexes per session and numeric strings to numbers', () => {
    const speakerIds = new Map<string, number>();
    const speakerOf = (speaker: unknown) => {
      const e = event(parseServerMessage(JSON.stringify({ type: 'transcription', text: 'x', speaker }), { speakerIds }));
      return e.kind === 'results' ? e.words[0]?.speaker : undefined;
    };
    expect(speakerOf('alice')).toBe(0);
    expect(speakerOf('bob')).toBe(1);
    expect(speakerOf('alice')).toBe(0);
    expect(speakerOf('2')).toBe(2);
    expect(speakerOf(3)).toBe(3);
    // A bad speaker costs the speaker, not the words.
    expect(speakerOf(-1)).toBeNull();
    expect(speakerOf({ name: 'x' })).toBeNull();
    expect(speakerOf(1.5)).toBeNull();
  });
});
