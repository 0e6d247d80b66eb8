/**
 * A strict SubRip parser for the tests: sequential numbers from 1, "HH:MM:SS,mmm --> HH:MM:SS,mmm"
 * with nothing else on the line, at least one non-empty text line, exactly one blank line between
 * cues, LF line ends and a final newline. Anything else throws with the line number.
 */
export interface SrtCue {
  index: number;
  start: number;
  end: number;
  lines: string[];
}

const TIMING = /^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$/;

const ms = (h: string, m: string, s: string, milli: string) => ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(milli);

export function parseSrtStrict(input: string): SrtCue[] {
  if (input === '') return [];
  if (input.includes('\r')) throw new Error('CR in SRT');
  if (!input.endsWith('\n')) throw new Error('SRT does not end with a newline');
  const lines = input.slice(0, -1).split('\n');
  const cues: SrtCue[] = [];
  let i = 0;
  while (i < lines.length) {
    const number = lines[i];
    if (number !== String(cues.length + 1)) throw new Error(`line ${i + 1}: expected cue number ${cues.length + 1}, got ${JSON.stringify(number)}`);
    const timing = TIMING.exec(lines[i + 1] ?? '');
    if (!timing) throw new Error(`line ${i + 2}: bad timing ${JSON.stringify(lines[i + 1])}`);
    const [, h1, m1, s1, f1, h2, m2, s2, f2] = timing as unknown as string[];
    const start = ms(h1!, m1!, s1!, f1!);
    const end = ms(h2!, m2!, s2!, f2!);
    i += 2;
    const text: string[] = [];
    while (i < lines.length && lines[i] !== '') text.push(lines[i++] as string);
    if (text.length === 0) throw new Error(`cue ${cues.length + 1}: no text`);
    cues.push({ index: cues.length + 1, start, end, lines: text });
    if (i < lines.length) {
      if (lines[i] !== '') throw new Error(`line ${i + 1}: expected a blank line`);
      i += 1;
      if (i >= lines.length) throw new Error('blank line at the end of the file');
    }
  }
  return cues;
}
