/**
 * Subtitle cues (SRT, WebVTT) from utterances, using word times.
 *
 * Rules, as subtitle style guides put them: a cue shows at most `maxLines` lines of at most
 * `maxLineChars` characters and lasts at most `maxSeconds`; a pause inside an utterance longer than
 * `maxGapSeconds` starts a new cue (text does not sit on screen through silence); a cue that ends
 * a sentence and is at least half full closes there. Two lines are balanced (the top one no longer
 * than needed). Then timings are made safe for players: whole milliseconds, starts strictly
 * increasing, no overlap (an earlier cue ends where the next begins when speakers overlap), and a
 * short cue is held up to `minSeconds` when the next cue leaves room.
 */
import { exportableUtterances, timedWords } from './export-document';
import type { Utterance, Word } from './types';

export interface Cue {
  /** Milliseconds of meeting time. */
  start: number;
  end: number;
  speaker: number | null;
  /** Display lines, the label (if any) already at the start of the first line. */
  lines: string[];
  /** The first cue of its utterance (where a format without voice tags shows the speaker). */
  firstOfUtterance: boolean;
}

/** A cue before its timings are made safe: times in seconds, as the words have them. */
export interface DraftCue extends Omit<Cue, 'start' | 'end'> {
  startSeconds: number;
  endSeconds: number;
}

export interface CueOptions {
  maxSeconds: number;
  maxLineChars: number;
  maxLines: number;
  minSeconds: number;
  maxGapSeconds: number;
  /** Text put before the first cue of each utterance, e.g. "Dana: " (SRT); '' for none (WebVTT uses voice tags). */
  labelFor: (speaker: number | null) => string;
}

export const DEFAULT_CUE_OPTIONS: CueOptions = {
  maxSeconds: 7,
  maxLineChars: 42,
  maxLines: 2,
  minSeconds: 1,
  maxGapSeconds: 1.5,
  labelFor: () => '',
};

const SENTENCE_END = /[.!?…]["'”’)\]]*$/;

/**
 * Lays `words` out in at most `maxLines` lines of at most `maxChars`; null when they do not fit.
 * One line when it fits; two lines split where their lengths are closest (top line not longer);
 * more lines filled greedily.
 */
export function layoutLines(words: readonly string[], maxChars: number, maxLines: number): string[] | null {
  if (words.length === 0) return [];
  const whole = words.join(' ');
  if (whole.length <= maxChars) return [whole];
  if (maxLines < 2) return null;
  let best: string[] | null = null;
  let bestScore = Infinity;
  for (let k = 1; k < words.length; k++) {
    const top = words.slice(0, k).join(' ');
    const bottom = words.slice(k).join(' ');
    if (top.length > maxChars || bottom.length > maxChars) continue;
    // Closest lengths first; on a tie, the shorter top line (a "pyramid" reads more easily).
    const score = Math.abs(top.length - bottom.length) * 2 + (top.length > bottom.length ? 1 : 0);
    if (score < bestScore) {
      bestScore = score;
      best = [top, bottom];
    }
  }
  if (best || maxLines === 2) return best;
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else if (word.length <= maxChars) lines.push(word);
    else return null;
  }
  return lines.length <= maxLines ? lines : null;
}

function wordTexts(words: readonly Word[], label: string): string[] {
  const texts = words.map((w) => w.text.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (label && texts.length > 0) texts[0] = `${label}${texts[0]}`;
  return texts;
}

/** A single word too long for a line is cut into line-sized pieces rather than dropped. */
function forcedLayout(texts: readonly string[], maxChars: number): string[] {
  const lines: string[] = [];
  for (const text of texts) {
    const chars = Array.from(text);
    for (let i = 0; i < chars.length; i += maxChars) lines.push(chars.slice(i, i + maxChars).join(''));
  }
  return lines;
}

function utteranceCues(utterance: Utterance, options: CueOptions): DraftCue[] {
  const words = timedWords(utterance);
  const label = options.labelFor(utterance.speaker);
  const cues: DraftCue[] = [];
  let current: Word[] = [];

  const layoutOf = (candidate: readonly Word[]) =>
    layoutLines(wordTexts(candidate, cues.length === 0 ? label : ''), options.maxLineChars, options.maxLines);

  const emit = () => {
    if (current.length === 0) return;
    const texts = wordTexts(current, cues.length === 0 ? label : '');
    const lines = layoutLines(texts, options.maxLineChars, options.maxLines) ?? forcedLayout(texts, options.maxLineChars);
    const first = current[0] as Word;
    cues.push({
      startSeconds: first.start,
      endSeconds: Math.max(...current.map((w) => w.end)),
      speaker: utterance.speaker,
      lines,
      firstOfUtterance: cues.length === 0,
    });
    current = [];
  };

  for (const word of words) {
    if (current.length > 0) {
      const first = current[0] as Word;
      const last = current[current.length - 1] as Word;
      const candidate = [...current, word];
      const fits =
        word.end - first.start <= options.maxSeconds &&
        word.start - last.end <= options.maxGapSeconds &&
        layoutOf(candidate) !== null;
      if (!fits) emit();
    }
    current.push(word);
    if (SENTENCE_END.test(word.text) && fullness(current, options) >= 0.5) emit();
  }
  emit();
  return cues;
}

function fullness(words: readonly Word[], options: CueOptions): number {
  const first = words[0];
  const last = words[words.length - 1];
  if (!first || !last) return 0;
  const chars = words.reduce((sum, w) => sum + w.text.length + 1, -1);
  return Math.max(chars / (options.maxLineChars * options.maxLines), (last.end - first.start) / options.maxSeconds);
}

/** Whole milliseconds, strictly increasing starts, no overlap, short cues held when there is room. */
export function normalizeCueTimings(cues: readonly DraftCue[], minSeconds: number): Cue[] {
  const ms = (seconds: number) => (Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * 1000)) : 0);
  const sorted: Cue[] = cues
    .map(({ startSeconds, endSeconds, ...rest }) => ({ ...rest, start: ms(startSeconds), end: ms(endSeconds) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as Cue;
    const cue = sorted[i] as Cue;
    if (cue.start <= previous.start) cue.start = previous.start + 1;
  }
  const minMs = Math.round(minSeconds * 1000);
  for (let i = 0; i < sorted.length; i++) {
    const cue = sorted[i] as Cue;
    const next = sorted[i + 1];
    cue.end = Math.max(cue.end, cue.start + Math.max(1, minMs));
    if (next) cue.end = Math.min(cue.end, next.start);
  }
  return sorted;
}

export function buildCues(utterances: readonly Utterance[], options: Partial<CueOptions> = {}): Cue[] {
  const resolved: CueOptions = { ...DEFAULT_CUE_OPTIONS, ...options };
  const cues = exportableUtterances(utterances).flatMap((u) => utteranceCues(u, resolved));
  return normalizeCueTimings(cues, resolved.minSeconds);
}
