/**
 * language=multi: Deepgram names each word's language; the parser keeps it (a bad one costs the
 * language, not the word), the store keeps it through meeting-time mapping, and the JSON export
 * carries it. Streams that name none export words without the field.
 */
import { describe, expect, it } from 'vitest';
import { parseServerMessage, type ResultsEvent } from '@/lib/listen/protocol';
import { transcriptToJsonObject } from '@/lib/transcript/export-json';
import { TranscriptStore } from '@/lib/transcript/transcript-store';

function final(words: Record<string, unknown>[]): string {
  return JSON.stringify({
    type: 'Results',
    start: 0,
    duration: 2,
    is_final: true,
    speech_final: true,
    channel: { alternatives: [{ transcript: words.map((w) => w.word).join(' '), words }], languages: ['en', 'de'] },
  });
}

function results(raw: string): ResultsEvent {
  const parsed = parseServerMessage(raw);
  if (!parsed.ok || parsed.event.kind !== 'results') throw new Error(`not results: ${JSON.stringify(parsed)}`);
  return parsed.event;
}

describe('per-word language', () => {
  const mixed = final([
    { word: 'hello', start: 0, end: 0.4, confidence: 0.9, language: 'en' },
    { word: 'guten', start: 0.5, end: 0.9, confidence: 0.9, language: 'de' },
    { word: 'tag', start: 1, end: 1.3, confidence: 0.9, language: 'de-CH' },
    { word: 'odd', start: 1.4, end: 1.6, confidence: 0.9, language: '<script>' },
    { word: 'none', start: 1.7, end: 1.9, confidence: 0.9 },
  ]);

  it('is read from each word, and a malformed one is dropped without the word', () => {
    expect(results(mixed).words.map((w) => [w.text, w.language])).toEqual([
      ['hello', 'en'],
      ['guten', 'de'],
      ['tag', 'de-CH'],
      ['odd', undefined],
      ['none', undefined],
    ]);
  });

  it('stays with each word in the store, in meeting time, and in the JSON export', () => {
    const store = new TranscriptStore();
    store.apply(results(mixed), (seconds) => seconds + 10);
    const utterance = store.snapshot().utterances[0];
    expect(utterance?.words.map((w) => [w.text, w.start, w.language])).toEqual([
      ['hello', 10, 'en'],
      ['guten', 10.5, 'de'],
      ['tag', 11, 'de-CH'],
      ['odd', 11.4, undefined],
      ['none', 11.7, undefined],
    ]);
    const exported = transcriptToJsonObject({ title: 'Mixed', startedAt: 0, utterances: store.snapshot().utterances, names: {} });
    const words = exported.utterances[0]?.words ?? [];
    expect(words.map((w) => w.language)).toEqual(['en', 'de', 'de-CH', undefined, undefined]);
    expect(Object.keys(words[4] ?? {})).not.toContain('language');
  });
});
