/**
 * A line corrected by hand after the fact. The correction replaces the utterance's text and keeps
 * its speaker, channel and times; its words are rebuilt from the new text so every export (the
 * subtitle cues are timed by words, JSON lists them) says the corrected text:
 *  - as many words as before: each keeps its own times, speaker and, when unchanged, confidence
 *    (fixing one misheard word leaves the others' timing exact);
 *  - a different number: the words are spread evenly over the utterance's span, like a line that
 *    has no word times (lib/transcript/export-document.ts timedWords).
 */
import type { Utterance, Word } from './types';

/** Longest correction kept: a long utterance is a few hundred characters. */
export const MAX_CORRECTION_CHARS = 5000;

/** The text as it is kept: one line, spaces collapsed, at most MAX_CORRECTION_CHARS. */
export function cleanCorrection(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_CORRECTION_CHARS);
}

export function applyCorrection(utterance: Utterance, correctedText: string): Utterance {
  const text = cleanCorrection(correctedText);
  const tokens = text.split(' ').filter(Boolean);
  const old = utterance.words;
  const words: Word[] =
    tokens.length === old.length
      ? old.map((word, i) => {
          const token = tokens[i] as string;
          return token === word.text ? word : { ...word, text: token, confidence: 1 };
        })
      : spread(tokens, utterance);
  return { ...utterance, text, words };
}

function spread(tokens: readonly string[], utterance: Utterance): Word[] {
  const start = Number.isFinite(utterance.start) ? utterance.start : 0;
  const end = Number.isFinite(utterance.end) && utterance.end > start ? utterance.end : start;
  const step = tokens.length > 0 ? (end - start) / tokens.length : 0;
  return tokens.map((text, i) => ({ text, start: start + i * step, end: start + (i + 1) * step, confidence: 1, speaker: utterance.speaker }));
}
