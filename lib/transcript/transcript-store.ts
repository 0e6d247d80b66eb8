/**
 * The transcript of one session: listen events in, utterances and the interim tail out.
 *
 * Rules (docs/deepgram-protocol.md §5.1):
 * - An interim result restates the whole unfinalized span: it replaces the interim tail.
 * - A final result appends its words to the open utterance and clears the interim tail.
 * - speech_final (or a Finalize's result) closes the utterance; so does UtteranceEnd when no
 *   speech_final came first (then there is no open utterance left to close).
 * - A different diarized speaker within finals starts a new utterance; every word keeps its speaker.
 * - Empty results add nothing (an empty final still clears the tail and may close the utterance).
 * - A final whose words fall in a span an earlier final already covered is a duplicate: those words
 *   are dropped. Words that arrive late for an uncovered span are put in time order where they belong.
 *
 * All times stored are meeting time: `toMeetingTime` maps the event's times (stream seconds from
 * ListenSocket) once, here.
 *
 * Bounds, against an upstream that sends far more text than anyone speaks (lib/listen/protocol.ts
 * lets one message carry 2,000 words of 100 characters): an utterance ends at MAX_UTTERANCE_CHARS
 * (a new one begins: nothing is lost), the interim tail shows at most that much, and the whole
 * store stops at MAX_STORE_CHARS / MAX_STORE_WORDS with TRUNCATION_MARK as its last word, so the
 * cut is seen in every view and export; what was captured before it is kept whole.
 */
import type { ListenEvent, ResultsEvent } from '../listen/protocol';
import type { TranscriptUpdate } from '../contract/messages';
import { TRUNCATION_MARK } from './truncation-mark';
import type { Segment, TranscriptSnapshot, Utterance, Word } from './types';

/**
 * The longest text one utterance holds. Speech runs at about 150 words a minute and a real
 * utterance is at most a few hundred words (the default word limit below is 300): some 2,000
 * characters at six a word with its space. Twice that leaves room for long words and late
 * endpointing; past it the utterance ends and the next word starts a new one, as at the word limit.
 */
export const MAX_UTTERANCE_CHARS = 4_000;

/**
 * The most text one live session keeps: about 160,000 words at six characters a word, 18 hours of
 * non-stop speech at 150 words a minute, longer than any session, yet a few tens of MB at most in
 * the offscreen document (and as much in an open side panel) with every word's times.
 */
export const MAX_STORE_CHARS = 1_000_000;

/** Words, for the same reason: 200,000 is 22 hours at 150 words a minute; it bounds word objects when words are short. */
export const MAX_STORE_WORDS = 200_000;

export { TRUNCATION_MARK };

export interface TranscriptStoreOptions {
  /** Utterance ids are `${idPrefix}${n}`; give each session its own prefix if ids must be unique across sessions. */
  idPrefix?: string;
  /** A monologue without endpointing would grow forever; past this many words a new utterance starts. */
  maxUtteranceWords?: number;
  /** Tests lower these; the product uses the constants above. */
  maxUtteranceChars?: number;
  maxStoreChars?: number;
  maxStoreWords?: number;
}

interface Interval {
  start: number;
  end: number;
}

/** Seconds given to each word of a message that carried no times at all. */
const UNTIMED_WORD_SECONDS = 0.3;
const EPSILON = 1e-3;
const MAX_INTERVALS = 4096;

/** Which end of a span a time is: a timeline may place a word's end differently at a join. */
export type TimeEdge = 'start' | 'end';

/** Maps stream seconds to meeting time; null (or a non-finite value) when it cannot, and the raw time is kept. */
export type ToMeetingTime = (seconds: number, edge: TimeEdge) => number | null;

function identity(seconds: number): number {
  return seconds;
}

type Mapper = (seconds: number, edge?: TimeEdge) => number;

function copyWord(word: Word): Word {
  return { ...word };
}

function copyUtterance(u: Utterance): Utterance {
  return { ...u, words: u.words.map(copyWord) };
}

function copySegment(s: Segment): Segment {
  return { ...s, words: s.words.map(copyWord) };
}

function segmentOf(words: Word[]): Segment {
  let start = Infinity;
  let end = -Infinity;
  for (const w of words) {
    start = Math.min(start, w.start);
    end = Math.max(end, w.end);
  }
  return {
    words,
    text: words.map((w) => w.text).join(' '),
    start,
    end,
    speaker: words.find((w) => w.speaker !== null)?.speaker ?? null,
  };
}

export class TranscriptStore {
  private readonly utterances: Utterance[] = [];
  private open: Utterance | null = null;
  private interim: Segment | null = null;
  /** Spans (meeting time) that finals have settled, sorted and merged. */
  private covered: Interval[] = [];
  private lastWordEnd = 0;
  private nextId = 1;
  private readonly idPrefix: string;
  private readonly maxUtteranceWords: number;
  private readonly maxUtteranceChars: number;
  private readonly maxStoreChars: number;
  private readonly maxStoreWords: number;
  /** Characters (each word's text and a space) and words kept so far. */
  private storedChars = 0;
  private storedWords = 0;
  /** Set once the store is full: the mark is in place and nothing more is kept. */
  private full = false;

  constructor(options: TranscriptStoreOptions = {}) {
    this.idPrefix = options.idPrefix ?? 'u';
    this.maxUtteranceWords = options.maxUtteranceWords ?? 300;
    this.maxUtteranceChars = options.maxUtteranceChars ?? MAX_UTTERANCE_CHARS;
    this.maxStoreChars = options.maxStoreChars ?? MAX_STORE_CHARS;
    this.maxStoreWords = options.maxStoreWords ?? MAX_STORE_WORDS;
  }

  /** True once the transcript reached its bound and ends with TRUNCATION_MARK. */
  get truncated(): boolean {
    return this.full;
  }

  /**
   * Applies one event; returns what changed (utterances to upsert by id, and the interim tail), or
   * null when the event changed nothing a view shows.
   */
  apply(event: ListenEvent, toMeetingTime: ToMeetingTime = identity): TranscriptUpdate | null {
    const map: Mapper = (seconds, edge = 'start') => {
      const mapped = toMeetingTime(seconds, edge);
      return typeof mapped === 'number' && Number.isFinite(mapped) ? mapped : seconds;
    };
    switch (event.kind) {
      case 'results':
        if (this.full) return null;
        return event.isFinal ? this.applyFinal(event, map) : this.applyInterim(event, map);
      case 'utterance-end': {
        const open = this.open;
        if (!open) return null;
        this.closeOpen();
        return { changed: [copyUtterance(open)], interim: this.interim ? copySegment(this.interim) : null };
      }
      case 'speech-started':
      case 'metadata':
        return null;
    }
  }

  snapshot(): TranscriptSnapshot {
    return {
      utterances: this.utterances.map(copyUtterance),
      interim: this.interim ? copySegment(this.interim) : null,
    };
  }

  get utteranceCount(): number {
    return this.utterances.length;
  }

  // -------------------------------------------------------------------------------------------

  private applyInterim(event: ResultsEvent, map: Mapper): TranscriptUpdate | null {
    const words = this.wordsOf(event, map).filter((w) => !this.isCovered(w));
    // An empty interim is silence or noise; keeping the last tail avoids a flicker before its final.
    if (words.length === 0) return null;
    this.interim = segmentOf(this.withinUtteranceLimit(words));
    return { changed: [], interim: copySegment(this.interim) };
  }

  private applyFinal(event: ResultsEvent, map: Mapper): TranscriptUpdate | null {
    const hadInterim = this.interim !== null;
    this.interim = null;
    const changed = new Set<Utterance>();
    const words = this.wordsOf(event, map).filter((w) => !this.isCovered(w));
    if (event.timed && event.duration > 0) this.cover(map(event.start), map(event.start + event.duration, 'end'));
    for (const word of words) {
      if (!this.fits(word)) {
        this.markFull(word, changed);
        break;
      }
      this.place(word, changed);
    }
    if ((event.speechFinal || event.fromFinalize) && this.open) {
      changed.add(this.open);
      this.closeOpen();
    }
    if (changed.size === 0 && !hadInterim) return null;
    return { changed: [...changed].map(copyUtterance), interim: null };
  }

  /** Maps the event's words to meeting time; untimed words are laid after what we already have. */
  private wordsOf(event: ResultsEvent, map: Mapper): Word[] {
    if (!event.timed) {
      const anchor = Math.max(map(event.start), this.lastWordEnd);
      return event.words.map((w, i) => ({
        ...w,
        start: anchor + i * UNTIMED_WORD_SECONDS,
        end: anchor + (i + 1) * UNTIMED_WORD_SECONDS,
      }));
    }
    return event.words.map((w) => {
      const start = map(w.start);
      return { ...w, start, end: Math.max(start, map(w.end, 'end')) };
    });
  }

  /** The interim's first words that fit in one utterance, ending with the mark when some did not. */
  private withinUtteranceLimit(words: Word[]): Word[] {
    if (segmentOf(words).text.length <= this.maxUtteranceChars) return words;
    const room = this.maxUtteranceChars - TRUNCATION_MARK.length - 1;
    const first = words[0];
    if (first === undefined) return words; // unreachable: no words make an empty text, within any limit
    let chars = -1;
    let count = 0;
    for (const word of words) {
      if (chars + 1 + word.text.length > room) break;
      chars += 1 + word.text.length;
      count++;
    }
    const kept = words.slice(0, count);
    const at = (kept.at(-1) ?? first).end;
    return [...kept, { text: TRUNCATION_MARK, start: at, end: at, confidence: 0, speaker: kept[0]?.speaker ?? null }];
  }

  /** Whether one more word stays within the store's bounds (keeping room for the mark). */
  private fits(word: Word): boolean {
    return (
      this.storedWords + 2 <= this.maxStoreWords &&
      this.storedChars + word.text.length + 1 + TRUNCATION_MARK.length + 1 <= this.maxStoreChars
    );
  }

  /** The store is full: the last utterance ends with the mark (at `dropped`'s time) and closes. */
  private markFull(dropped: Word, changed: Set<Utterance>): void {
    this.full = true;
    this.interim = null;
    const last = this.utterances[this.utterances.length - 1];
    const at = Math.max(last?.end ?? dropped.start, dropped.start);
    const mark: Word = { text: TRUNCATION_MARK, start: at, end: at, confidence: 0, speaker: last?.speaker ?? dropped.speaker };
    // The mark joins the last utterance unless that one is already at its length limit.
    if (last && last.text.length + 1 + mark.text.length <= this.maxUtteranceChars) {
      last.words.push(mark);
      last.end = Math.max(last.end, at);
      last.text = last.text === '' ? mark.text : `${last.text} ${mark.text}`;
      changed.add(last);
    } else {
      const only: Utterance = { id: `${this.idPrefix}${this.nextId++}`, words: [mark], text: mark.text, start: at, end: at, speaker: mark.speaker, closed: true };
      this.utterances.push(only);
      changed.add(only);
    }
    this.count(mark);
    if (this.open) changed.add(this.open);
    this.closeOpen();
  }

  private count(word: Word): void {
    this.storedWords += 1;
    this.storedChars += word.text.length + 1;
  }

  private place(word: Word, changed: Set<Utterance>): void {
    this.count(word);
    const latest = this.utterances[this.utterances.length - 1];
    const latestWord = latest?.words[latest.words.length - 1];
    if (latest && latestWord && word.start < latestWord.start - EPSILON) {
      // Late for its place in time: insert it where it belongs rather than at the end, or just
      // after it in an utterance of its own when its home is full.
      const home = this.findHome(word.start);
      if (home.text.length + 1 + word.text.length <= this.maxUtteranceChars) {
        this.insertSorted(home, word);
        changed.add(home);
      } else {
        const own: Utterance = { ...segmentOf([word]), id: `${this.idPrefix}${this.nextId++}`, closed: true };
        this.utterances.splice(this.utterances.indexOf(home) + 1, 0, own);
        changed.add(own);
      }
      return;
    }
    let open = this.open;
    if (open && this.startsNewUtterance(open, word)) {
      changed.add(open);
      this.closeOpen();
      open = null;
    }
    if (!open) {
      open = { id: `${this.idPrefix}${this.nextId++}`, words: [], text: '', start: word.start, end: word.end, speaker: word.speaker, closed: false };
      this.utterances.push(open);
      this.open = open;
    }
    if (open.speaker === null && word.speaker !== null) open.speaker = word.speaker;
    open.words.push(word);
    open.start = Math.min(open.start, word.start);
    open.end = Math.max(open.end, word.end);
    open.text = open.text === '' ? word.text : `${open.text} ${word.text}`;
    this.lastWordEnd = Math.max(this.lastWordEnd, word.end);
    changed.add(open);
  }

  private startsNewUtterance(open: Utterance, word: Word): boolean {
    if (open.words.length >= this.maxUtteranceWords) return true;
    if (open.text.length + 1 + word.text.length > this.maxUtteranceChars) return true;
    // Without diarization every speaker is null: never a change.
    return word.speaker !== null && open.speaker !== null && word.speaker !== open.speaker;
  }

  private findHome(start: number): Utterance {
    for (let i = this.utterances.length - 1; i >= 0; i--) {
      const u = this.utterances[i] as Utterance;
      if (u.start <= start + EPSILON) return u;
    }
    return this.utterances[0] as Utterance;
  }

  private insertSorted(utterance: Utterance, word: Word): void {
    let index = utterance.words.length;
    while (index > 0 && (utterance.words[index - 1] as Word).start > word.start) index--;
    utterance.words.splice(index, 0, word);
    utterance.start = Math.min(utterance.start, word.start);
    utterance.end = Math.max(utterance.end, word.end);
    utterance.text = utterance.words.map((w) => w.text).join(' ');
    this.lastWordEnd = Math.max(this.lastWordEnd, word.end);
  }

  private closeOpen(): void {
    if (this.open) this.open.closed = true;
    this.open = null;
  }

  private isCovered(word: Word): boolean {
    const mid = (word.start + word.end) / 2;
    // Few intervals in practice (finals are contiguous and merge), so a scan from the end is cheap.
    for (let i = this.covered.length - 1; i >= 0; i--) {
      const span = this.covered[i] as Interval;
      if (mid > span.start + EPSILON && mid < span.end - EPSILON) return true;
      if (span.end < mid) return false;
    }
    return false;
  }

  private cover(start: number, end: number): void {
    if (!(end > start)) return;
    const spans = this.covered;
    let i = spans.length;
    while (i > 0 && (spans[i - 1] as Interval).start > start) i--;
    spans.splice(i, 0, { start, end });
    // Merge neighbours that touch (finals are usually back to back).
    const merged: Interval[] = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span.start <= last.end + 0.01) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    while (merged.length > MAX_INTERVALS) {
      const [a, b] = merged.splice(0, 2) as [Interval, Interval];
      merged.unshift({ start: a.start, end: b.end });
    }
    this.covered = merged;
  }
}
