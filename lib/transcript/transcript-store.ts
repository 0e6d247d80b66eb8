/**
 * The transcript of one session: listen events in, utterances and the interim tail out.
 *
 * Rules (reference/deepgram-protocol.md §5.1):
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
 */
import type { ListenEvent, ResultsEvent } from '../listen/protocol';
import type { TranscriptUpdate } from '../messages';
import type { Segment, TranscriptSnapshot, Utterance, Word } from './types';

export interface TranscriptStoreOptions {
  /** Utterance ids are `${idPrefix}${n}`; give each session its own prefix if ids must be unique across sessions. */
  idPrefix?: string;
  /** A monologue without endpointing would grow forever; past this many words a new utterance starts. */
  maxUtteranceWords?: number;
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

  constructor(options: TranscriptStoreOptions = {}) {
    this.idPrefix = options.idPrefix ?? 'u';
    this.maxUtteranceWords = options.maxUtteranceWords ?? 300;
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
    this.interim = segmentOf(words);
    return { changed: [], interim: copySegment(this.interim) };
  }

  private applyFinal(event: ResultsEvent, map: Mapper): TranscriptUpdate | null {
    const hadInterim = this.interim !== null;
    this.interim = null;
    const changed = new Set<Utterance>();
    const words = this.wordsOf(event, map).filter((w) => !this.isCovered(w));
    if (event.timed && event.duration > 0) this.cover(map(event.start), map(event.start + event.duration, 'end'));
    for (const word of words) this.place(word, changed);
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

  private place(word: Word, changed: Set<Utterance>): void {
    const latest = this.utterances[this.utterances.length - 1];
    const latestWord = latest?.words[latest.words.length - 1];
    if (latest && latestWord && word.start < latestWord.start - EPSILON) {
      // Late for its place in time: insert it where it belongs rather than at the end.
      const home = this.findHome(word.start);
      this.insertSorted(home, word);
      changed.add(home);
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
