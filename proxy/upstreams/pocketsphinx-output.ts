/**
 * Reads what `pocketsphinx_continuous -time yes` prints: per utterance, a hypothesis line, then one
 * `word start end confidence` line per segment, `<s>` first and `</s>` last. Times are seconds of
 * audio read so far (not wall-clock time), so pauses in the audio do not appear in them.
 *
 * The local engine's decoder (./pocketsphinx-stream.py) prints finals in exactly that form and,
 * between them, the partial hypothesis of the utterance going on as one JSON line
 * `{"partial":[[word,start,end,confidence],...]}`, which no line of a final can be.
 */

export interface EngineSegment {
  /** As printed, e.g. `was(2)`, `<sil>`, `[NOISE]`. */
  word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface EngineUtterance {
  hypothesis: string;
  segments: EngineSegment[];
}

const SEGMENT_LINE = /^(\S+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

/** `<s>`, `</s>`, `<sil>`, `[NOISE]`, `[SPEECH]`, `++BREATH++`: markers, not words a person said. */
export function isFiller(word: string): boolean {
  return /^<.*>$/.test(word) || /^\[.*\]$/.test(word) || /^\+\+.*\+\+$/.test(word);
}

/** `was(2)` is the second pronunciation of "was" in the dictionary. */
export function baseWord(word: string): string {
  return word.replace(/\(\d+\)$/, '');
}

/** The utterance still going on, as decoded so far: its segments may change until the final. */
export interface EnginePartial {
  segments: EngineSegment[];
}

const PARTIAL_PREFIX = '{"partial":';

/** A partial line's segments, or undefined when the line is not one (or is malformed). */
export function readPartialLine(line: string): EnginePartial | undefined {
  if (!line.startsWith(PARTIAL_PREFIX)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const rows = (parsed as { partial?: unknown }).partial;
  if (!Array.isArray(rows)) return undefined;
  const segments: EngineSegment[] = [];
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row)) return undefined;
    const [word, start, end, confidence] = row as unknown[];
    if (typeof word !== 'string' || typeof start !== 'number' || typeof end !== 'number' || typeof confidence !== 'number') return undefined;
    segments.push({ word, start, end, confidence });
  }
  return { segments };
}

export interface PocketsphinxParser {
  /** Feed stdout as it arrives, in any chunking. */
  push(text: string): void;
  /** Emits the utterance being read, if any: call when the output has been quiet for a moment. */
  flush(): void;
  /** The process has exited: reads an unterminated last line too, then flushes. */
  end(): void;
}

export function createPocketsphinxParser(
  onUtterance: (utterance: EngineUtterance) => void,
  /** Partial lines (./pocketsphinx-stream.py only); without it they are skipped. */
  onPartial?: (partial: EnginePartial) => void,
): PocketsphinxParser {
  let partialLine = '';
  let current: EngineUtterance | undefined;

  const emit = () => {
    if (current === undefined) return;
    const done = current;
    current = undefined;
    if (done.segments.length > 0 || done.hypothesis.trim() !== '') onUtterance(done);
  };

  const readLine = (line: string) => {
    if (line.startsWith(PARTIAL_PREFIX)) {
      // A partial comes only between finals: whatever final was being read is complete.
      emit();
      const partial = readPartialLine(line);
      if (partial !== undefined) onPartial?.(partial);
      return;
    }
    const match = SEGMENT_LINE.exec(line.trim());
    if (match === null) {
      // A hypothesis line starts the next utterance (it may be empty when nothing was recognised).
      emit();
      current = { hypothesis: line.trim(), segments: [] };
      return;
    }
    current ??= { hypothesis: '', segments: [] };
    const [, word = '', start = '0', end = '0', confidence = '0'] = match;
    current.segments.push({ word, start: Number(start), end: Number(end), confidence: Number(confidence) });
    if (word === '</s>') emit();
  };

  return {
    push(text) {
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) readLine(line.replace(/\r$/, ''));
    },
    flush() {
      if (partialLine === '') emit();
    },
    end() {
      if (partialLine !== '') {
        readLine(partialLine);
        partialLine = '';
      }
      emit();
    },
  };
}
