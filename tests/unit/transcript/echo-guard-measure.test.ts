/**
 * The echo guard measured both ways on a simulated meeting through the store: the others' words
 * wrongly labelled "You" (the tab's words heard again by the microphone), and your own words lost.
 * Two passages that share common words ("the", "and", "of"...) talk over each other; the microphone
 * hears the tab 50-250 ms late with word times off by up to 40 ms; finals come in chunks, the
 * microphone's sometimes before the tab's. Deterministic (a seeded generator).
 */
import { describe, expect, it } from 'vitest';
import type { ResultsEvent } from '@/lib/listen/protocol';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import { MEETING_MIC_CHANNEL, TranscriptStore } from '@/lib/transcript/transcript-store';
import type { Word } from '@/lib/transcript/types';

const OTHERS =
  'the quarterly numbers are in and the team did well on the new release of the caption overlay but the side panel ' +
  'still needs work on search and export and we should look at the latency of the proxy before the next review of the plan';
const YOURS =
  'thanks for the update I think the export work can wait and the latency matters more so let us start with the proxy ' +
  'and then the panel and I can take the search part of the work if that is fine with the team';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function timed(text: string, start: number, rand: () => number): Word[] {
  let t = start;
  return text.split(' ').map((token) => {
    const length = 0.2 + rand() * 0.25;
    const word = { text: token, start: t, end: t + length, confidence: 0.9, speaker: null };
    t += length + 0.05 + rand() * 0.15;
    return word;
  });
}

function finals(channel: number, words: Word[], size: number): { at: number; event: ResultsEvent }[] {
  const out: { at: number; event: ResultsEvent }[] = [];
  for (let i = 0; i < words.length; i += size) {
    const chunk = words.slice(i, i + size);
    const start = chunk[0]!.start;
    const end = (words[i + size]?.start ?? chunk.at(-1)!.end + 0.5) - 0.001;
    const event: ResultsEvent = { kind: 'results', isFinal: true, speechFinal: false, fromFinalize: false, start, duration: end - start, transcript: '', words: chunk, timed: true, channel };
    out.push({ at: end, event });
  }
  return out;
}

interface Figures {
  echoShare: number;
  yoursLost: number;
}

/** `overlap`: you talk all through the others (the worst case); else you speak in turns. */
function simulate(echoGuard: boolean, seed: number, overlap: boolean): Figures {
  const rand = random(seed);
  const others = timed(`${OTHERS} ${OTHERS}`, 0.5, rand);
  const yours = overlap
    ? timed(`${YOURS} ${YOURS}`, 1.0, rand)
    : [...timed(YOURS, others.at(-1)!.end + 1, rand), ...timed(YOURS, others.at(-1)!.end + 30, rand)];
  const echo = others.map((w) => {
    const delay = 0.05 + rand() * 0.2;
    const jitter = () => (rand() - 0.5) * 0.08;
    return { ...w, start: w.start + delay + jitter(), end: w.end + delay + jitter() };
  });
  const mic = [...yours, ...echo].sort((a, b) => a.start - b.start);
  // The microphone's finals arrive up to 0.8 s earlier than the tab's for the same moment.
  const events = [
    ...finals(0, others, 6).map((e) => ({ ...e, at: e.at + 0.8 })),
    ...finals(MEETING_MIC_CHANNEL, mic, 8),
  ].sort((a, b) => a.at - b.at);
  const store = new TranscriptStore({ youChannel: MEETING_MIC_CHANNEL, echoGuard });
  for (const { event } of events) store.apply(event);
  store.apply({ kind: 'metadata', requestId: 'r', duration: 0 });

  const asYou = store.snapshot().utterances.filter((u) => u.speaker === YOU_SPEAKER).flatMap((u) => u.words);
  const isEchoWord = (w: Word) => echo.some((e) => e.start === w.start && e.text === w.text);
  const isYourWord = (w: Word) => yours.some((y) => y.start === w.start && y.text === w.text);
  return {
    echoShare: asYou.filter(isEchoWord).length / others.length,
    yoursLost: 1 - asYou.filter(isYourWord).length / yours.length,
  };
}

const SEEDS = [1, 2, 3, 4, 5];

function measure(overlap: boolean): Record<string, number> {
  const on = SEEDS.map((seed) => simulate(true, seed, overlap));
  const off = SEEDS.map((seed) => simulate(false, seed, overlap));
  const mean = (list: Figures[], key: keyof Figures) => list.reduce((sum, f) => sum + f[key], 0) / list.length;
  const figures = {
    echoShareOff: mean(off, 'echoShare'),
    echoShareOn: mean(on, 'echoShare'),
    yoursLostOff: mean(off, 'yoursLost'),
    yoursLostOn: mean(on, 'yoursLost'),
  };
  console.info(`[echo guard, simulated meeting, ${overlap ? 'talking over each other' : 'in turns'}]`, JSON.stringify(figures));
  return figures;
}

describe('echo guard, measured on a simulated meeting', () => {
  it('in turns: none of the others\' words is labelled "You" with the guard (all without), and none of yours is lost', () => {
    const figures = measure(false);
    expect(figures.echoShareOff).toBe(1);
    expect(figures.yoursLostOff).toBe(0);
    expect(figures.echoShareOn).toBeLessThan(0.01);
    expect(figures.yoursLostOn).toBe(0);
  });

  it('talking over each other on one topic (the worst case): about 2 % either way', () => {
    const figures = measure(true);
    expect(figures.echoShareOff).toBe(1);
    expect(figures.echoShareOn).toBeLessThan(0.03);
    expect(figures.yoursLostOn).toBeLessThan(0.03);
  });
});
