/** Utterances with word times for the export tests (times are meeting seconds). */
import type { Utterance, Word } from '@/lib/transcript/types';

let nextId = 1;

/** Words spoken back to back from `start`, `secondsPerWord` each, all by `speaker`. */
export function spoken(text: string, start: number, speaker: number | null, secondsPerWord = 0.4): Utterance {
  const words: Word[] = text
    .split(/\s+/)
    .filter(Boolean)
    .map((w, i) => ({
      text: w,
      start: start + i * secondsPerWord,
      end: start + (i + 1) * secondsPerWord - 0.05,
      confidence: 0.9,
      speaker,
    }));
  const last = words[words.length - 1];
  return {
    id: `t${nextId++}`,
    words,
    text: words.map((w) => w.text).join(' '),
    start,
    end: last ? last.end : start,
    speaker,
    channel: 0,
    closed: true,
  };
}

/** An utterance from explicit words, for pauses and odd timings. */
export function fromWords(words: [string, number, number][], speaker: number | null): Utterance {
  const list: Word[] = words.map(([text, start, end]) => ({ text, start, end, confidence: 0.8, speaker }));
  return {
    id: `t${nextId++}`,
    words: list,
    text: list.map((w) => w.text).join(' '),
    start: Math.min(...list.map((w) => w.start)),
    end: Math.max(...list.map((w) => w.end)),
    speaker,
    channel: 0,
    closed: true,
  };
}

export const LONG_MONOLOGUE =
  'so the plan for this quarter is simple we ship the caption overlay first then the side panel ' +
  'with search and export and after that we look at the numbers from the latency benchmark because ' +
  'nobody wants captions that arrive after the speaker has already moved on to the next topic';
