/**
 * The transcript of one session: listen events in, utterances and the interim tails out.
 *
 * Channels are independent (a meeting has two: the tab as 0, the microphone as 1; see
 * lib/listen/protocol.ts): each has its own open utterance, interim tail, settled spans and
 * timeline of late words, so finals of the two arriving interleaved never cut each other's
 * utterances. Utterances of all channels are kept in order of start time. The rules below hold
 * within each channel.
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
import type { CaptureSource, TranscriptUpdate } from '../contract/messages';
import { EchoGuard, type ReleasedBatch } from './echo-guard';
import { YOU_SPEAKER } from './speaker-names';
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
  /**
   * The channel whose words are yours: each gets speaker YOU_SPEAKER ("You"). A meeting
   * ('tab-and-mic') passes its microphone's channel, 1; any other session null (the default), so
   * a microphone-only session keeps its diarized "Speaker N".
   */
  youChannel?: number | null;
  /**
   * Drops words of `youChannel` that are the other channel's words heard again through the
   * speakers (lib/transcript/echo-guard.ts). Default true; it does nothing without a youChannel.
   */
  echoGuard?: boolean;
}

/**
 * Options for the store of a session capturing `source`: "You" and the echo guard (unless the
 * user turned it off) in a meeting only.
 */
export function transcriptStoreOptionsFor(source: CaptureSource, idPrefix: string, echoGuard = true): TranscriptStoreOptions {
  return source === 'tab-and-mic' ? { idPrefix, youChannel: MEETING_MIC_CHANNEL, echoGuard } : { idPrefix, youChannel: null };
}

/** The microphone's channel in a meeting (lib/contract/messages.ts inputsOf: the tab is 0, the mic 1). */
export const MEETING_MIC_CHANNEL = 1;

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

function segmentOf(words: Word[], channel: number): Segment {
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
    channel,
  };
}

/** One channel's state: everything the rules keep per channel. */
interface ChannelState {
  readonly channel: number;
  /** This channel's utterances, in order of start (the same objects as in the store's list). */
  readonly utterances: Utterance[];
  open: Utterance | null;
  /** The newest interim words (replaced in place), not yet final. */
  interim: Word[] | null;
  /** Spans (meeting time) that finals have settled, sorted and merged. */
  covered: Interval[];
  lastWordEnd: number;
}

export class TranscriptStore {
  /** Every channel's utterances, in order of start (ties: in the order they were made). */
  private readonly utterances: Utterance[] = [];
  private readonly channels = new Map<number, ChannelState>();
  private nextId = 1;
  private readonly idPrefix: string;
  private readonly maxUtteranceWords: number;
  private readonly maxUtteranceChars: number;
  private readonly maxStoreChars: number;
  private readonly maxStoreWords: number;
  private readonly youChannel: number | null;
  /** Present in a meeting with the guard on: holds and judges the You channel's finals. */
  private readonly guard: EchoGuard | null;
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
    this.youChannel = options.youChannel ?? null;
    this.guard = this.youChannel !== null && (options.echoGuard ?? true) ? new EchoGuard() : null;
  }

  /** True once the transcript reached its bound and ends with TRUNCATION_MARK. */
  get truncated(): boolean {
    return this.full;
  }

  /** Microphone words the echo guard dropped as the others' words heard again (0 without the guard). */
  get echoWordsDropped(): number {
    return this.guard?.dropped ?? 0;
  }

  /**
   * Applies one event; returns what changed (utterances to upsert by id, and the interim tails), or
   * null when the event changed nothing a view shows.
   */
  apply(event: ListenEvent, toMeetingTime: ToMeetingTime = identity): TranscriptUpdate | null {
    const map: Mapper = (seconds, edge = 'start') => {
      const mapped = toMeetingTime(seconds, edge);
      return typeof mapped === 'number' && Number.isFinite(mapped) ? mapped : seconds;
    };
    switch (event.kind) {
      case 'results': {
        if (this.full) return null;
        const changed = new Set<Utterance>();
        const shown = event.isFinal ? this.applyFinal(event, map, changed) : this.applyInterim(event, map);
        const released = this.releaseHeld(changed);
        return shown || released || changed.size > 0 ? this.update(changed) : null;
      }
      case 'utterance-end': {
        const state = this.channels.get(event.channel);
        if (this.guard && state && event.channel === this.youChannel && this.guard.holding) {
          // Its words are still held: the close waits its turn behind them.
          this.guard.hold([], true);
          return null;
        }
        const open = state?.open;
        if (!state || !open) return null;
        this.closeOpen(state);
        return this.update(new Set([open]));
      }
      case 'metadata':
        // The server's summary comes when a stream ends (after CloseStream): no result is still
        // on its way, so whatever the guard holds is decided now rather than left as a tail.
        return this.flush();
      // Answers to Configure are the session's business (lib/session/keyterm-changes.ts), not the transcript's.
      case 'speech-started':
      case 'configure-success':
      case 'configure-failure':
      case 'engine':
        return null;
    }
  }

  /**
   * Decides every microphone word the echo guard still holds against the tab words known now, and
   * places those kept. Done on the server's Metadata (the end of a stream); a session that ends
   * without one calls it after the last results came in.
   */
  flush(): TranscriptUpdate | null {
    if (!this.guard?.holding || this.full) return null;
    const changed = new Set<Utterance>();
    this.placeReleased(this.guard.flush(), changed);
    return this.update(changed);
  }

  snapshot(): TranscriptSnapshot {
    return { utterances: this.utterances.map(copyUtterance), interims: this.interims() };
  }

  get utteranceCount(): number {
    return this.utterances.length;
  }

  // -------------------------------------------------------------------------------------------

  private update(changed: Set<Utterance>): TranscriptUpdate {
    return { changed: [...changed].map(copyUtterance), interims: this.interims() };
  }

  private stateOf(channel: number): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = { channel, utterances: [], open: null, interim: null, covered: [], lastWordEnd: 0 };
      this.channels.set(channel, state);
    }
    return state;
  }

  /** Every channel's tail, in channel order: for You, the words the guard holds, then the interim, echoes left out. */
  private interims(): Segment[] {
    const tails: Segment[] = [];
    const channels = [...this.channels.values()].sort((a, b) => a.channel - b.channel);
    for (const state of channels) {
      let words = state.interim ?? [];
      if (this.guard && state.channel === this.youChannel) {
        const tabTail = channels.filter((other) => other.channel !== state.channel).flatMap((other) => other.interim ?? []);
        // What looks like an echo of the tab so far is not shown as yours, held or interim.
        words = this.guard.withoutEchoes([...this.guard.heldWords(), ...words], tabTail);
      }
      if (words.length > 0) tails.push(segmentOf(this.withinUtteranceLimit(words.map(copyWord)), state.channel));
    }
    return tails;
  }

  /** True when the channel's tail changed. */
  private applyInterim(event: ResultsEvent, map: Mapper): boolean {
    const state = this.stateOf(event.channel);
    const words = this.wordsOf(event, state, map).filter((w) => !isCovered(state, w));
    this.guard?.observe(map(event.start + event.duration, 'end'));
    // An empty interim is silence or noise; keeping the last tail avoids a flicker before its final.
    if (words.length === 0) return false;
    state.interim = words;
    return true;
  }

  /** True when the channel's tail changed (an utterance that changed is added to `changed`). */
  private applyFinal(event: ResultsEvent, map: Mapper, changed: Set<Utterance>): boolean {
    const state = this.stateOf(event.channel);
    const hadInterim = state.interim !== null;
    state.interim = null;
    const words = this.wordsOf(event, state, map).filter((w) => !isCovered(state, w));
    const end = map(event.start + event.duration, 'end');
    if (event.timed && event.duration > 0) cover(state, map(event.start), end);
    const closes = event.speechFinal || event.fromFinalize;
    if (this.guard) {
      if (event.channel === this.youChannel) {
        this.guard.observe(end);
        this.guard.hold(words, closes);
        return hadInterim || words.length > 0;
      }
      this.guard.addTabFinal(words, event.timed ? end : Math.max(end, ...words.map((w) => w.end)));
    }
    this.placeAll(state, words, closes, changed);
    return hadInterim;
  }

  /** Places words of one final in `state`'s channel, then closes its open utterance if the final ended it. */
  private placeAll(state: ChannelState, words: readonly Word[], closes: boolean, changed: Set<Utterance>): void {
    for (const word of words) {
      if (this.full) return;
      if (!this.fits(word)) {
        this.markFull(word, changed);
        return;
      }
      this.place(state, word, changed);
    }
    if (closes && state.open) {
      changed.add(state.open);
      this.closeOpen(state);
    }
  }

  /** Places what the guard can decide now; true when it released anything. */
  private releaseHeld(changed: Set<Utterance>): boolean {
    if (!this.guard?.holding) return false;
    return this.placeReleased(this.guard.release(), changed);
  }

  private placeReleased(batches: ReleasedBatch[], changed: Set<Utterance>): boolean {
    if (this.youChannel === null || batches.length === 0) return false;
    const state = this.stateOf(this.youChannel);
    for (const batch of batches) this.placeAll(state, batch.words, batch.closes, changed);
    return true;
  }

  /** Maps the event's words to meeting time (and to "You" on that channel); untimed words are laid after what the channel has. */
  private wordsOf(event: ResultsEvent, state: ChannelState, map: Mapper): Word[] {
    const you = event.channel === this.youChannel;
    const speakerOf = (w: Word) => (you ? YOU_SPEAKER : w.speaker);
    if (!event.timed) {
      const anchor = Math.max(map(event.start), state.lastWordEnd);
      return event.words.map((w, i) => ({
        ...w,
        speaker: speakerOf(w),
        start: anchor + i * UNTIMED_WORD_SECONDS,
        end: anchor + (i + 1) * UNTIMED_WORD_SECONDS,
      }));
    }
    return event.words.map((w) => {
      const start = map(w.start);
      return { ...w, speaker: speakerOf(w), start, end: Math.max(start, map(w.end, 'end')) };
    });
  }

  /** The interim's first words that fit in one utterance, ending with the mark when some did not. */
  private withinUtteranceLimit(words: Word[]): Word[] {
    if (words.reduce((chars, w) => chars + w.text.length + 1, -1) <= this.maxUtteranceChars) return words;
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

  /** The store is full: the last utterance ends with the mark (at `dropped`'s time) and every channel closes. */
  private markFull(dropped: Word, changed: Set<Utterance>): void {
    this.full = true;
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
      const channel = last?.channel ?? 0;
      const only: Utterance = { id: this.newId(), words: [mark], text: mark.text, start: at, end: at, speaker: mark.speaker, channel, closed: true };
      this.addUtterance(this.stateOf(channel), only);
      changed.add(only);
    }
    this.count(mark);
    for (const state of this.channels.values()) {
      state.interim = null;
      if (state.open) changed.add(state.open);
      this.closeOpen(state);
    }
    // Nothing more is kept: what the guard holds is dropped with the rest.
    this.guard?.flush();
  }

  private count(word: Word): void {
    this.storedWords += 1;
    this.storedChars += word.text.length + 1;
  }

  private newId(): string {
    return `${this.idPrefix}${this.nextId++}`;
  }

  private place(state: ChannelState, word: Word, changed: Set<Utterance>): void {
    this.count(word);
    const latest = state.utterances[state.utterances.length - 1];
    const latestWord = latest?.words[latest.words.length - 1];
    if (latest && latestWord && word.start < latestWord.start - EPSILON) {
      // Late for its place in time: insert it where it belongs rather than at the end, or just
      // after it in an utterance of its own when its home is full.
      const home = findHome(state, word.start);
      if (home.text.length + 1 + word.text.length <= this.maxUtteranceChars) {
        this.insertSorted(state, home, word);
        changed.add(home);
      } else {
        const own: Utterance = { ...segmentOf([word], state.channel), id: this.newId(), closed: true };
        this.addUtterance(state, own);
        changed.add(own);
      }
      return;
    }
    let open = state.open;
    if (open && this.startsNewUtterance(open, word)) {
      changed.add(open);
      this.closeOpen(state);
      open = null;
    }
    if (!open) {
      open = { id: this.newId(), words: [], text: '', start: word.start, end: word.end, speaker: word.speaker, channel: state.channel, closed: false };
      this.addUtterance(state, open);
      state.open = open;
    }
    if (open.speaker === null && word.speaker !== null) open.speaker = word.speaker;
    open.words.push(word);
    open.start = Math.min(open.start, word.start);
    open.end = Math.max(open.end, word.end);
    open.text = open.text === '' ? word.text : `${open.text} ${word.text}`;
    state.lastWordEnd = Math.max(state.lastWordEnd, word.end);
    changed.add(open);
  }

  private startsNewUtterance(open: Utterance, word: Word): boolean {
    if (open.words.length >= this.maxUtteranceWords) return true;
    if (open.text.length + 1 + word.text.length > this.maxUtteranceChars) return true;
    // Without diarization every speaker is null: never a change.
    return word.speaker !== null && open.speaker !== null && word.speaker !== open.speaker;
  }

  /** Adds a new utterance to its channel's list and the store's, each in order of start. */
  private addUtterance(state: ChannelState, utterance: Utterance): void {
    insertByStart(state.utterances, utterance);
    insertByStart(this.utterances, utterance);
  }

  private insertSorted(state: ChannelState, utterance: Utterance, word: Word): void {
    let index = utterance.words.length;
    while (index > 0 && (utterance.words[index - 1] as Word).start > word.start) index--;
    utterance.words.splice(index, 0, word);
    const earlier = word.start < utterance.start;
    utterance.start = Math.min(utterance.start, word.start);
    utterance.end = Math.max(utterance.end, word.end);
    utterance.text = utterance.words.map((w) => w.text).join(' ');
    state.lastWordEnd = Math.max(state.lastWordEnd, word.end);
    if (earlier) {
      // It now starts earlier: move it back to its place among every channel's utterances.
      removeFromEnd(this.utterances, utterance);
      insertByStart(this.utterances, utterance);
    }
  }

  private closeOpen(state: ChannelState): void {
    if (state.open) state.open.closed = true;
    state.open = null;
  }
}

/** Inserts after every utterance starting at or before it: scanning from the end, where new ones go. */
function insertByStart(list: Utterance[], utterance: Utterance): void {
  let index = list.length;
  while (index > 0 && (list[index - 1] as Utterance).start > utterance.start) index--;
  list.splice(index, 0, utterance);
}

function removeFromEnd(list: Utterance[], utterance: Utterance): void {
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i] === utterance) {
      list.splice(i, 1);
      return;
    }
  }
}

function findHome(state: ChannelState, start: number): Utterance {
  for (let i = state.utterances.length - 1; i >= 0; i--) {
    const u = state.utterances[i] as Utterance;
    if (u.start <= start + EPSILON) return u;
  }
  return state.utterances[0] as Utterance;
}

function isCovered(state: ChannelState, word: Word): boolean {
  const mid = (word.start + word.end) / 2;
  // Few intervals in practice (finals are contiguous and merge), so a scan from the end is cheap.
  for (let i = state.covered.length - 1; i >= 0; i--) {
    const span = state.covered[i] as Interval;
    if (mid > span.start + EPSILON && mid < span.end - EPSILON) return true;
    if (span.end < mid) return false;
  }
  return false;
}

function cover(state: ChannelState, start: number, end: number): void {
  if (!(end > start)) return;
  const spans = state.covered;
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
  state.covered = merged;
}
