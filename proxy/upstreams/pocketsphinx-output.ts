/**
 * Reads what `pocketsphinx_continuous -time yes` prints: per utterance, a hypothesis line, then one
 * `word start end confidence` line per segment, `<s>` first and `</s>` last. Times are seconds of
 * audio read so far (not wall-clock time), so pauses in the audio do not appear in them.
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

export interface PocketsphinxParser {
  /** Feed stdout as it arrives, in any chunking. */
  push(text: string): void;
  /** Emits the utterance being read, if any: call when the output has been quiet for a moment. */
  flush(): void;
  /** The process has exited: reads an unterminated last line too, then flushes. */
  end(): void;
}

export function createPocketsphinxParser(onUtterance: (utterance: EngineUtterance) => void): PocketsphinxParser {
  let partialLine = '';
  let current: EngineUtterance | undefined;

  const emit = () => {
    if (current === undefined) return;
    const done = current;
    current = undefined;
    if (done.segments.length > 0 || done.hypothesis.trim() !== '') onUtterance(done);
  };

  const readLine = (line: string) => {
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
