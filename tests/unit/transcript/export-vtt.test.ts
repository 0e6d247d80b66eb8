import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { ExportDocument } from '@/lib/transcript/export-document';
import { escapeVttText, transcriptToVtt } from '@/lib/transcript/export-vtt';
import { LONG_MONOLOGUE, spoken } from './export-test-data';

/** W3C's WebVTT parser (the validator's), strict mode. It ships no types: these are the parts used. */
interface VttNode {
  type: 'text' | 'object';
  name?: string;
  value?: string;
  children?: VttNode[];
}
interface VttCue {
  startTime: number;
  endTime: number;
  text: string;
  tree: { children: VttNode[] };
}
interface VttParseResult {
  cues: VttCue[];
  errors: { message: string; line: number }[];
}
const require = createRequire(import.meta.url);
const { WebVTTParser } = require('webvtt-parser') as {
  WebVTTParser: new (entities?: Record<string, string>) => { parse(input: string, mode: 'metadata' | 'chapters' | undefined): VttParseResult };
};

// webvtt-parser 2.2.0's default entity table has keys without the ';' ("&lt"), so "&lt;" would
// decode to "<;". The spec's references end in ';': give it those.
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&lrm;': '\u200e', '&rlm;': '\u200f', '&nbsp;': '\u00a0' };
const parseVtt = (input: string) => new WebVTTParser(ENTITIES).parse(input, undefined);

/** The voice annotation is kept raw by the parser; a player decodes these character references. */
const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function voiced(cue: VttCue): { voice: string | null; text: string } {
  const textOf = (nodes: VttNode[]): string => nodes.map((n) => (n.type === 'text' ? (n.value ?? '') : textOf(n.children ?? []))).join('');
  const v = cue.tree.children.find((n) => n.type === 'object' && n.name === 'v');
  return { voice: v?.value !== undefined ? decode(v.value) : null, text: textOf(cue.tree.children) };
}

const doc = (utterances: ExportDocument['utterances'], names: ExportDocument['names'] = {}, title = 'Weekly sync'): ExportDocument => ({
  title,
  startedAt: Date.UTC(2026, 10, 25, 14, 0),
  utterances,
  names,
});

describe('escapeVttText', () => {
  it('escapes & < > and nothing else', () => {
    expect(escapeVttText('a & b <c> --> "d"')).toBe('a &amp; b &lt;c&gt; --&gt; "d"');
  });
});

describe('transcriptToVtt', () => {
  const utterances = [
    spoken('Good morning everyone, shall we begin?', 1.2, 0),
    spoken('Yes. The budget is ready for review.', 5, 1),
    spoken(LONG_MONOLOGUE, 9, 0, 0.3),
    spoken('<script>alert(1)</script> & --> done', 3700, 1),
  ];
  const names = { 0: 'Dana', 1: 'Lee & <Co>' };

  it('passes the W3C WebVTT parser with no errors', () => {
    const result = parseVtt(transcriptToVtt(doc(utterances, names)));
    expect(result.errors).toEqual([]);
    expect(result.cues.length).toBeGreaterThan(utterances.length);
  });

  it('gives each cue a <v> voice with the speaker name, escaped, and text that reads back exactly', () => {
    const vtt = transcriptToVtt(doc(utterances, names));
    expect(vtt).toContain('<v Lee &amp; &lt;Co&gt;>');
    const cues = parseVtt(vtt).cues.map(voiced);
    expect(cues[0]).toEqual({ voice: 'Dana', text: 'Good morning everyone, shall we begin?' });
    expect(cues[1]).toEqual({ voice: 'Lee & <Co>', text: 'Yes. The budget is ready for review.' });
    const last = cues[cues.length - 1];
    expect(last?.voice).toBe('Lee & <Co>');
    expect(last?.text.replace(/\n/g, ' ')).toBe('<script>alert(1)</script> & --> done');
    const all = cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ');
    expect(all).toBe(utterances.map((u) => u.text).join(' '));
  });

  it('writes HH:MM:SS.mmm timings, monotonic and without overlap, each cue at most 7 s', () => {
    const vtt = transcriptToVtt(doc(utterances, names));
    const timingLines = vtt.split('\n').filter((l) => l.includes('-->') && !l.startsWith('<'));
    for (const line of timingLines) expect(line).toMatch(/^\d{2,}:[0-5]\d:[0-5]\d\.\d{3} --> \d{2,}:[0-5]\d:[0-5]\d\.\d{3}$/);
    const cues = parseVtt(vtt).cues;
    expect(timingLines).toHaveLength(cues.length);
    cues.forEach((cue, i) => {
      expect(cue.endTime).toBeGreaterThan(cue.startTime);
      expect(cue.endTime - cue.startTime).toBeLessThanOrEqual(7 + 1e-9);
      if (i > 0) expect(cue.startTime).toBeGreaterThanOrEqual(cues[i - 1]!.endTime - 1e-9);
    });
    expect(cues[0]?.startTime).toBeCloseTo(1.2, 3);
    expect(cues[cues.length - 1]?.startTime).toBeCloseTo(3700, 3);
  });

  it('puts the title in the header only when it is safe there', () => {
    expect(transcriptToVtt(doc([], {}, 'Weekly\nsync')).split('\n')[0]).toBe('WEBVTT Weekly sync');
    expect(transcriptToVtt(doc([], {}, 'a --> b')).split('\n')[0]).toBe('WEBVTT');
    expect(parseVtt(transcriptToVtt(doc([], {}, 'a --> b'))).errors).toEqual([]);
  });

  it('leaves out the voice when there is no diarization', () => {
    const cues = parseVtt(transcriptToVtt(doc([spoken('plain words', 0, null)]))).cues.map(voiced);
    expect(cues).toEqual([{ voice: null, text: 'plain words' }]);
  });
});
