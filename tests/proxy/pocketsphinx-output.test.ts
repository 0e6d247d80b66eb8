import { describe, expect, it } from 'vitest';
import {
  baseWord,
  createPocketsphinxParser,
  isFiller,
  readPartialLine,
  type EnginePartial,
  type EngineUtterance,
} from '@/proxy/upstreams/pocketsphinx-output';
import { InjectedSilence } from '@/proxy/upstreams/engine-decoder';

// Recorded from pocketsphinx_continuous -time yes on librivox clip 0880.
const UTTERANCE = [
  'he was not an illness those young man',
  '<s> 0.000 0.060 0.999600',
  '<sil> 0.070 0.200 0.694376',
  'he 0.210 0.320 0.998801',
  'was(2) 0.330 0.540 0.999900',
  '[SPEECH] 0.980 1.100 0.535651',
  'man 2.330 2.790 0.905189',
  '</s> 2.800 3.090 1.000000',
  '',
].join('\n');

describe('pocketsphinx output parser', () => {
  it('reads a hypothesis and its word lines as one utterance, however the output is chunked', () => {
    for (const chunkSize of [1, 7, 1000]) {
      const utterances: EngineUtterance[] = [];
      const parser = createPocketsphinxParser((utterance) => utterances.push(utterance));
      for (let at = 0; at < UTTERANCE.length; at += chunkSize) parser.push(UTTERANCE.slice(at, at + chunkSize));
      expect(utterances).toHaveLength(1);
      expect(utterances[0]?.hypothesis).toBe('he was not an illness those young man');
      expect(utterances[0]?.segments.map((segment) => segment.word)).toEqual(['<s>', '<sil>', 'he', 'was(2)', '[SPEECH]', 'man', '</s>']);
      expect(utterances[0]?.segments[3]).toEqual({ word: 'was(2)', start: 0.33, end: 0.54, confidence: 0.9999 });
    }
  });

  it('emits an utterance without </s> when the next hypothesis starts or the process ends', () => {
    const utterances: EngineUtterance[] = [];
    const parser = createPocketsphinxParser((utterance) => utterances.push(utterance));
    parser.push('first one\nfirst 0.100 0.400 0.9\none 0.400 0.700 0.8\nsecond\nsecond 1.000 1.300 0.7');
    expect(utterances.map((utterance) => utterance.hypothesis)).toEqual(['first one']);
    parser.flush(); // the last line has no newline yet: a quiet flush must not guess
    expect(utterances).toHaveLength(1);
    parser.end();
    expect(utterances.map((utterance) => utterance.hypothesis)).toEqual(['first one', 'second']);
    expect(utterances[1]?.segments).toHaveLength(1);
  });

  it('reads partial lines apart from finals, and a partial ends a final that had no </s>', () => {
    const utterances: EngineUtterance[] = [];
    const partials: EnginePartial[] = [];
    const parser = createPocketsphinxParser(
      (utterance) => utterances.push(utterance),
      (partial) => partials.push(partial),
    );
    parser.push('{"partial":[["<s>",0,0.06,1],["he",0.21,0.32,1]]}\n');
    expect(partials).toEqual([{ segments: [{ word: '<s>', start: 0, end: 0.06, confidence: 1 }, { word: 'he', start: 0.21, end: 0.32, confidence: 1 }] }]);
    expect(utterances).toHaveLength(0);
    parser.push('he\nhe 0.210 0.320 0.998801\n{"partial":[["so",4,4.2,1]]}\n');
    expect(utterances.map((utterance) => utterance.hypothesis)).toEqual(['he']);
    expect(partials.at(-1)?.segments.map((segment) => segment.word)).toEqual(['so']);
  });

  it('skips malformed partial lines rather than taking them for a hypothesis', () => {
    for (const line of ['{"partial":[["he",0.2]]}', '{"partial":"he"}', '{"partial":[["he",0.2,0.3,1]]']) expect(readPartialLine(line)).toBeUndefined();
    const utterances: EngineUtterance[] = [];
    const parser = createPocketsphinxParser((utterance) => utterances.push(utterance));
    parser.push('{"partial":[["he",0.2]]}\n{"partial":[["he",0.2,0.3,1]]}\n');
    parser.end();
    expect(utterances).toEqual([]);
  });

  it('tells fillers from words and strips pronunciation variants', () => {
    expect(['<s>', '</s>', '<sil>', '[NOISE]', '[SPEECH]', '++BREATH++'].every(isFiller)).toBe(true);
    expect(['he', "i'm(2)", 'was'].some(isFiller)).toBe(false);
    expect(baseWord('was(2)')).toBe('was');
    expect(baseWord("i'm(12)")).toBe("i'm");
    expect(baseWord('man')).toBe('man');
  });
});

describe('injected silence', () => {
  it('takes injected silence out of later engine times', () => {
    const silence = new InjectedSilence();
    silence.add(2.99, 0.6);
    expect(silence.toClientTime(1.5)).toBe(1.5);
    expect(silence.toClientTime(3.81)).toBeCloseTo(3.21, 6);
    // A time inside the injected span maps to where the injection happened.
    expect(silence.toClientTime(3.2)).toBeCloseTo(2.99, 6);
    silence.add(5, 0.6);
    expect(silence.toClientTime(6)).toBeCloseTo(4.8, 6);
  });
});
