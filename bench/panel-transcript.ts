/**
 * A generated meeting transcript for the side-panel benchmark and tests: `hours` of utterances by
 * a few diarized speakers, words with times and confidences, deterministic for a seed. About
 * 2.8 words a second of meeting time, so 3 hours is about 30,000 words.
 */
import type { TranscriptSnapshot, Utterance, Word } from '../lib/transcript/types';
import { seededRandom } from '../testkit/prng';

const VOCABULARY = (
  'the budget review meeting agenda caption overlay side panel search export latency numbers ' +
  'quarter roadmap customer feedback proposal design decision follow up action item timeline ' +
  'we should could would think agree disagree maybe probably definitely next week today ' +
  'team release testing browser extension proxy server audio speech transcript speaker ' +
  'question answer problem solution idea plan schedule deadline priority risk because and ' +
  'but so then also really just about with from into over after before during Zürich café'
).split(' ');

export interface GeneratedTranscriptOptions {
  hours: number;
  speakers: number;
  seed: number;
}

export function generateTranscript({ hours, speakers, seed }: GeneratedTranscriptOptions): TranscriptSnapshot {
  // Seeded, so every run of the benchmark sees the same transcript.
  const rand = seededRandom(seed);
  const utterances: Utterance[] = [];
  const end = hours * 3600;
  let t = 1;
  let speaker = 0;
  while (t < end) {
    const count = 4 + Math.floor(rand() * 26);
    const words: Word[] = [];
    for (let i = 0; i < count; i++) {
      const length = 0.15 + rand() * 0.22;
      let text = VOCABULARY[Math.floor(rand() * VOCABULARY.length)] as string;
      if (i === 0) text = text[0]!.toUpperCase() + text.slice(1);
      if (i === count - 1) text += rand() < 0.2 ? '?' : '.';
      else if (rand() < 0.08) text += ',';
      words.push({ text, start: t, end: t + length, confidence: 0.7 + rand() * 0.3, speaker });
      t += length + 0.02 + rand() * 0.06;
    }
    const first = words[0]!;
    const last = words[words.length - 1]!;
    utterances.push({
      id: `g${utterances.length + 1}`,
      words,
      text: words.map((w) => w.text).join(' '),
      start: first.start,
      end: last.end,
      speaker,
      channel: 0,
      closed: true,
    });
    t += 0.3 + rand() * 1.2;
    if (rand() < 0.7) speaker = (speaker + 1 + Math.floor(rand() * (speakers - 1))) % speakers;
  }
  return { utterances, interims: [] };
}

export function wordCount(snapshot: TranscriptSnapshot): number {
  return snapshot.utterances.reduce((sum, u) => sum + u.words.length, 0);
}
