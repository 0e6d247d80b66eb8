/**
 * The echo guard of a meeting: on speakers the microphone also hears the others, so the tab's
 * words can come back on the "You" channel a little later and fainter. A microphone word is an
 * echo when a word of the tab with the same normalized text overlaps it in time, the microphone
 * allowed to lag by up to ECHO_MAX_DELAY_SECONDS (sound from the speakers, the capture path and the
 * echo canceller's buffer) plus ECHO_JITTER_SECONDS either way (word times of a faint copy are
 * placed less exactly). Each tab word explains one echo at most, so your own "and" said over the
 * others' "and" survives its echo. Echoes are dropped; everything else is the user's own speech.
 *
 * The two channels are transcribed independently, so a microphone final can arrive before the tab's
 * final for the same moment. The guard therefore holds microphone finals until the tab's finals
 * have settled the time their words span, and decides them then. The hold is bounded: once the
 * stream has moved ECHO_MAX_HOLD_SECONDS past a held word (by any result of either channel), the
 * word is decided against the tab words known by then. Held words stay on screen meanwhile, as
 * the start of the microphone's interim tail (lib/transcript/transcript-store.ts).
 *
 * Measured on simulated meetings (tests/unit/transcript/echo-guard-measure.test.ts): speaking in
 * turns, no echo is left as "You" and none of your words is lost; talking over each other on one
 * topic all along, about 2 % of the others' words still show as yours and 1.4 % of yours are lost
 * (your common words that coincide with the same word of theirs). Without the guard every echo is "You".
 *
 * Pure and deterministic: no timers, no clock but the times of the results it is given. Cost: each
 * word is compared with the tab words of the last REFERENCE_SECONDS (a few dozen), no more than
 * MAX_REFERENCE_WORDS in any case.
 */
import type { Word } from './types';

/** How much later the microphone may hear a word the tab played (measured echo delays are 50-200 ms). */
export const ECHO_MAX_DELAY_SECONDS = 0.3;
/** Slack either way for the word times of two independently transcribed channels. */
export const ECHO_JITTER_SECONDS = 0.1;
/** The longest a microphone word waits, in stream seconds, for the tab to settle its time. */
export const ECHO_MAX_HOLD_SECONDS = 3;
/** Tab words older than this (behind the newest result) can no longer be echoed by a word still to come. */
const REFERENCE_SECONDS = 30;
/** A bound on the reference whatever the server sends (30 s of speech is under 100 words). */
const MAX_REFERENCE_WORDS = 2_000;

/** The form two words are compared in: lower case, letters and digits only ("Right," = "right"). */
export function normalizeWord(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

interface ReferenceWord {
  key: string;
  start: number;
  end: number;
  /** Already heard again once: the speakers play a word once, so it explains one echo at most. */
  claimed: boolean;
}

/**
 * Whether `mic` is `tab` played later by a delay up to the maximum: it starts that much later
 * (within the jitter either way), so the two overlap in time once the delay is taken off. Judged
 * by the start: a word's end is placed less exactly, and a window as long as the word would
 * take twice as many of your own common words for echoes.
 */
function overlapsDelayed(mic: { start: number; end: number }, tab: { start: number; end: number }): boolean {
  const delay = mic.start - tab.start;
  return delay >= -ECHO_JITTER_SECONDS && delay <= ECHO_MAX_DELAY_SECONDS + ECHO_JITTER_SECONDS && mic.end > tab.start;
}

/** Whether `word` (heard by the microphone) is one of `tabWords` heard again. */
export function isEcho(word: Word, tabWords: readonly Word[]): boolean {
  const key = normalizeWord(word.text);
  if (key === '') return false;
  return tabWords.some((tab) => normalizeWord(tab.text) === key && overlapsDelayed(word, tab));
}

/** `micWords` without the echoes of `tabWords`. */
export function withoutEchoes(micWords: readonly Word[], tabWords: readonly Word[]): Word[] {
  return micWords.filter((word) => !isEcho(word, tabWords));
}

/** Microphone words released by the guard, in order; `closes` when the final they came in ended the utterance. */
export interface ReleasedBatch {
  words: Word[];
  closes: boolean;
}

export class EchoGuard {
  /** The tab's final words, in order of start. */
  private reference: ReferenceWord[] = [];
  /** Meeting time up to which the tab's finals are in: its words before this are all known. */
  private tabSettled = 0;
  /** The newest time any result of either channel reached: the clock the hold is bounded by. */
  private newest = 0;
  private held: ReleasedBatch[] = [];
  private droppedWords = 0;

  /** Microphone words dropped as echoes so far. */
  get dropped(): number {
    return this.droppedWords;
  }

  /** True while microphone words wait for the tab. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** A final of the tab: its words become reference, and the tab is settled up to `settledUntil`. */
  addTabFinal(words: readonly Word[], settledUntil: number): void {
    for (const word of words) {
      const key = normalizeWord(word.text);
      if (key === '') continue;
      let index = this.reference.length;
      while (index > 0 && (this.reference[index - 1] as ReferenceWord).start > word.start) index--;
      this.reference.splice(index, 0, { key, start: word.start, end: word.end, claimed: false });
    }
    if (this.reference.length > MAX_REFERENCE_WORDS) this.reference.splice(0, this.reference.length - MAX_REFERENCE_WORDS);
    this.tabSettled = Math.max(this.tabSettled, settledUntil);
    this.observe(settledUntil);
  }

  /** The end of any result (either channel, interim or final): moves the hold's clock on. */
  observe(time: number): void {
    if (!Number.isFinite(time) || time <= this.newest) return;
    this.newest = time;
    const horizon = time - REFERENCE_SECONDS;
    let stale = 0;
    while (stale < this.reference.length && (this.reference[stale] as ReferenceWord).end < horizon) stale++;
    if (stale > 0) this.reference.splice(0, stale);
  }

  /** A final of the microphone: held until it can be decided (see release). An empty one that closes is held too, to keep its place. */
  hold(words: readonly Word[], closes: boolean): void {
    if (words.length === 0 && !closes) return;
    this.held.push({ words: [...words], closes });
  }

  /** Microphone words still waiting, in order. */
  heldWords(): Word[] {
    return this.held.flatMap((batch) => batch.words);
  }

  /**
   * What can be decided now, echoes dropped, in order. A word is decided once the tab is settled
   * past its end (with the jitter), or the stream moved ECHO_MAX_HOLD_SECONDS past it; a batch
   * releases its words in order up to the first one still undecided.
   */
  release(): ReleasedBatch[] {
    return this.releaseWhile((word) => this.decidable(word));
  }

  /** Decides everything held against the tab words known now (the session is ending). */
  flush(): ReleasedBatch[] {
    return this.releaseWhile(() => true);
  }

  /** `micWords` (an interim tail) without the echoes of the tab's known finals and of `tabTail`. */
  withoutEchoes(micWords: readonly Word[], tabTail: readonly Word[] = []): Word[] {
    return micWords.filter((word) => !this.echoesReference(word) && !isEcho(word, tabTail));
  }

  private decidable(word: Word): boolean {
    return this.tabSettled >= word.end + ECHO_JITTER_SECONDS || this.newest >= word.end + ECHO_MAX_HOLD_SECONDS;
  }

  private releaseWhile(ready: (word: Word) => boolean): ReleasedBatch[] {
    const released: ReleasedBatch[] = [];
    while (this.held.length > 0) {
      const batch = this.held[0] as ReleasedBatch;
      let count = 0;
      while (count < batch.words.length && ready(batch.words[count] as Word)) count++;
      const decided = batch.words.splice(0, count);
      const kept = decided.filter((word) => !this.claimEcho(word));
      this.droppedWords += decided.length - kept.length;
      if (batch.words.length > 0) {
        if (kept.length > 0) released.push({ words: kept, closes: false });
        break;
      }
      this.held.shift();
      if (kept.length > 0 || batch.closes) released.push({ words: kept, closes: batch.closes });
    }
    return released;
  }

  /** The tab word `word` would be the echo of: the same word, overlapping within the delay, not yet claimed. */
  private sourceOf(word: Word): ReferenceWord | null {
    const key = normalizeWord(word.text);
    if (key === '') return null;
    // Newest first: an echo is of a recent tab word, and words starting after the mic word ends
    // (beyond the jitter) cannot be its source.
    for (let i = this.reference.length - 1; i >= 0; i--) {
      const tab = this.reference[i] as ReferenceWord;
      if (tab.start > word.end + ECHO_JITTER_SECONDS) continue;
      if (!tab.claimed && tab.key === key && overlapsDelayed(word, tab)) return tab;
    }
    return null;
  }

  private echoesReference(word: Word): boolean {
    return this.sourceOf(word) !== null;
  }

  /**
   * Whether `word` is an echo, claiming its tab word if so: when you say "the" just as the others
   * do, the microphone hears two "the" and only one of them is the echo.
   */
  private claimEcho(word: Word): boolean {
    const source = this.sourceOf(word);
    if (source) source.claimed = true;
    return source !== null;
  }
}
