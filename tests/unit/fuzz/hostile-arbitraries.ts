/**
 * fast-check generators for what a hostile or broken /v1/listen server can send: valid Deepgram
 * and seed-style messages, the same with fields dropped or given wrong types, NaN / negative /
 * huge times, huge and markup-laden strings, unknown types, invalid JSON and binary frames.
 */
import fc from 'fast-check';

export const MARKUP = [
  '<script>window.__captionistPwned=1</script>',
  '<img src=x onerror="window.__captionistPwned=2">',
  '"><svg onload=alert(1)>',
  '<b>bold</b>',
  '&lt;escaped&gt; &amp;',
  '<iframe src="javascript:alert(1)"></iframe>',
  '\u0000\u202e\ufeff',
  '{{constructor.constructor("alert(1)")()}}',
];

/** Numbers a careless or hostile server puts where seconds belong. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.double({ min: 0, max: 600, noNaN: true }),
  fc.double(), // includes NaN, ±Infinity, -0, huge
  fc.constantFrom(-1, -0.001, 1e300, Number.MAX_SAFE_INTEGER, 7 * 24 * 3600 + 1),
  fc.constantFrom('1.5', 'NaN', '', null, true, [], {}),
);

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...MARKUP) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('hello', 'world', ...MARKUP), { maxLength: 8 }).map((w) => w.join(' ')) },
  // Huge strings, built cheaply: the parser caps them, and nothing may grow with them.
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

const word = fc.record(
  {
    word: fc.oneof(hostileText, fc.constantFrom(42, null) as fc.Arbitrary<unknown>),
    punctuated_word: hostileText,
    start: hostileNumber,
    end: hostileNumber,
    confidence: hostileNumber,
    speaker: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(1.5, 1e6, '0', null)),
  },
  { requiredKeys: [] },
);

/** Deepgram Results, shape mostly right, content hostile. Times cluster low so results overlap and arrive out of order. */
export const results = fc.record(
  {
    type: fc.constant('Results'),
    start: fc.oneof({ weight: 5, arbitrary: fc.double({ min: 0, max: 30, noNaN: true }) }, { weight: 1, arbitrary: hostileNumber }),
    duration: fc.oneof({ weight: 5, arbitrary: fc.double({ min: 0, max: 5, noNaN: true }) }, { weight: 1, arbitrary: hostileNumber }),
    is_final: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null) as fc.Arbitrary<unknown>),
    speech_final: fc.boolean(),
    from_finalize: fc.boolean(),
    channel: fc.record({
      alternatives: fc.array(
        fc.record(
          {
            transcript: hostileText,
            confidence: hostileNumber,
            words: fc.array(
              fc.oneof(
                { weight: 6, arbitrary: validWord() },
                { weight: 1, arbitrary: word },
              ),
              { maxLength: 12 },
            ),
          },
          { requiredKeys: ['transcript'] },
        ),
        { maxLength: 2 },
      ),
    }),
  },
  { requiredKeys: ['type', 'channel'] },
);

function validWord(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      word: fc.oneof(fc.constantFrom('alpha', 'beta', 'gamma', 'delta'), fc.constantFrom(...MARKUP)),
      start: fc.double({ min: 0, max: 30, noNaN: true }),
      length: fc.double({ min: 0, max: 1, noNaN: true }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      speaker: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ word: w, start, length, confidence, speaker }) => ({ word: w, start, end: start + length, confidence, speaker }));
}

const seed = fc.record(
  {
    type: fc.constant('transcription'),
    text: fc.oneof(hostileText, fc.constant(42) as fc.Arbitrary<unknown>),
    is_final: fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 'maybe') as fc.Arbitrary<unknown>),
    speaker: fc.oneof(fc.integer({ min: -1, max: 2000 }), fc.string({ maxLength: 300 }), fc.constant(null)),
    start: hostileNumber,
    end: hostileNumber,
    confidence: hostileNumber,
  },
  { requiredKeys: ['type'] },
);

const otherTypes = fc.oneof(
  fc.record({ type: fc.constant('UtteranceEnd'), last_word_end: hostileNumber }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('SpeechStarted'), timestamp: hostileNumber }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('Metadata'), request_id: fc.oneof(hostileText, fc.constant(5)), duration: hostileNumber }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...MARKUP), fc.constant(null)), html: hostileText }),
);

/** One frame as it arrives on the socket. */
export const serverFrame: fc.Arbitrary<string | ArrayBuffer> = fc.oneof(
  { weight: 6, arbitrary: results.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: seed.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: otherTypes.map((m) => JSON.stringify(m)) },
  // Valid messages cut short, and NaN where JSON has no NaN.
  { weight: 1, arbitrary: fc.tuple(results, fc.nat()).map(([m, cut]) => { const s = JSON.stringify(m); return s.slice(0, cut % (s.length + 1)); }) },
  { weight: 1, arbitrary: fc.constant('{"type":"Results","start":NaN,"duration":1,"channel":{"alternatives":[]}}') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.slice().buffer) },
  // Deep nesting where an object is expected.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((depth) => `{"type":"Results","channel":${'{"alternatives":'.repeat(depth)}1${'}'.repeat(depth)}}`) },
);

/**
 * A well-formed final as a real recognizer sends it: words of positive length inside its span.
 * Spans overlap and repeat at random, as after reconnects and replays.
 */
export const realisticFinal: fc.Arbitrary<string> = fc
  .record({
    start: fc.integer({ min: 0, max: 300 }).map((n) => n / 10),
    words: fc.array(fc.constantFrom('alpha', 'beta', 'gamma', ...MARKUP.slice(0, 3)), { minLength: 1, maxLength: 6 }),
    speechFinal: fc.boolean(),
  })
  .map(({ start, words, speechFinal }) => {
    const step = 0.3;
    return JSON.stringify({
      type: 'Results',
      start,
      duration: words.length * step,
      is_final: true,
      speech_final: speechFinal,
      channel: {
        alternatives: [
          {
            transcript: words.join(' '),
            words: words.map((word, i) => ({ word, start: start + i * step + 0.05, end: start + i * step + 0.25, confidence: 0.9 })),
          },
        ],
      },
    });
  });
