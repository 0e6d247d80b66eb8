/**
 * Builds the speech audio the e2e suite and the demo play, from the recorded LibriVox clips that
 * Debian's pocketsphinx-testdata ships (16 kHz mono, with a reference transcript). The clips are
 * converted at run time with sox because large audio does not belong in the repository.
 *
 * Output (gitignored): .cache/audio/
 *   page-48k-stereo.wav   three clips with short gaps, 48 kHz stereo  (played by a tab's <audio>)
 *   mic-44k-mono.wav      the same speech, 44.1 kHz mono              (the fake microphone)
 *   demo-48k-stereo.wav   one clip, 48 kHz stereo                      (the demo page of `npm start`)
 *
 * Usage: `npx tsx scripts/prepare-audio.ts` (idempotent; prints the files it wrote or kept).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LIBRIVOX_DIR = process.env.LIBRIVOX_DIR ?? '/usr/share/pocketsphinx/test/data/librivox';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const AUDIO_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'audio');

/**
 * Clips of the concatenation, in order. Chosen because pocketsphinx (the proxy's local engine)
 * recognises most of their content words, so a test can demand several of them.
 */
export const SPEECH_CLIPS = [
  'sense_and_sensibility_01_austen_64kb-0920',
  'sense_and_sensibility_01_austen_64kb-0880',
  'sense_and_sensibility_01_austen_64kb-0930',
] as const;

export const DEMO_CLIP = 'sense_and_sensibility_01_austen_64kb-0920';

/** Silence before the first clip, between clips, and after the last one (seconds). */
const LEAD_SILENCE_S = 0.5;
const GAP_SILENCE_S = 0.8;
const TAIL_SILENCE_S = 1.5;

export interface PreparedAudio {
  /** 48 kHz stereo concatenation for a page's <audio> element. */
  page: string;
  /** 44.1 kHz mono concatenation for --use-file-for-fake-audio-capture. */
  mic: string;
  /** One clip, 48 kHz stereo, for the demo page. */
  demo: string;
  /** Duration of the concatenation, seconds (both page and mic files). */
  speechSeconds: number;
  /** Duration of the demo clip, seconds. */
  demoSeconds: number;
  /** Reference transcript of the concatenation, lower-case words in order. */
  referenceWords: string[];
  /** Reference transcript of the demo clip. */
  demoReferenceWords: string[];
}

export type PrepareResult = { ok: true; audio: PreparedAudio } | { ok: false; message: string };

/** Reads `transcription`: lines like `<s> words words </s> (clip-id)`. */
export function readReferenceTranscripts(dir: string = LIBRIVOX_DIR): Map<string, string[]> {
  const text = readFileSync(path.join(dir, 'transcription'), 'utf8');
  const byClip = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^(.*)\(([^()]+)\)\s*$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const words = match[1]
      .replace(/<\/?s>/g, ' ')
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    byClip.set(match[2].trim(), words);
  }
  return byClip;
}

function clipPath(clip: string): string {
  return path.join(LIBRIVOX_DIR, `${clip}.wav`);
}

async function soxDuration(file: string): Promise<number> {
  const { stdout } = await run('soxi', ['-D', file]);
  return Number.parseFloat(stdout.trim());
}

/** True if `out` exists and is newer than every input (so a rerun does nothing). */
function upToDate(out: string, inputs: string[]): boolean {
  if (!existsSync(out)) return false;
  const outTime = statSync(out).mtimeMs;
  return inputs.every((input) => statSync(input).mtimeMs <= outTime);
}

/**
 * Concatenates clips with silence between them into one WAV at `rate`/`channels`. sox pads each
 * input (resampled with its default high-quality `rate` effect) so the gaps are exact.
 */
async function writeConcatenation(clips: readonly string[], out: string, rate: number, channels: number): Promise<void> {
  const tmp = `${out}.tmp.wav`;
  const args: string[] = [];
  for (const clip of clips) args.push(clipPath(clip));
  args.push('-b', '16', '-r', String(rate), '-c', String(channels), tmp);
  // Gaps between clips: sox `pad` with `position@time` inserts silence inside the stream.
  const durations = await Promise.all(clips.map((clip) => soxDuration(clipPath(clip))));
  const inserts: string[] = [];
  let at = 0;
  for (let i = 0; i < durations.length - 1; i += 1) {
    at += durations[i] ?? 0;
    inserts.push(`${GAP_SILENCE_S}@${at.toFixed(3)}`);
  }
  args.push('pad', String(LEAD_SILENCE_S), ...inserts, String(TAIL_SILENCE_S));
  // `pad` positions are in input time, applied before the lead silence shifts everything.
  args.push('rate', '-v', String(rate));
  await run('sox', ['--combine', 'concatenate', ...args]);
  await rename(tmp, out);
}

export async function prepareAudio(): Promise<PrepareResult> {
  if (!existsSync(path.join(LIBRIVOX_DIR, 'transcription'))) {
    return {
      ok: false,
      message: `No LibriVox test speech at ${LIBRIVOX_DIR}. Install it with: apt-get install -y pocketsphinx-testdata`,
    };
  }
  try {
    await run('sox', ['--version']);
  } catch {
    return { ok: false, message: 'sox is not installed. Install it with: apt-get install -y sox' };
  }

  await mkdir(AUDIO_CACHE_DIR, { recursive: true });
  const inputs = SPEECH_CLIPS.map(clipPath);
  const page = path.join(AUDIO_CACHE_DIR, 'page-48k-stereo.wav');
  const mic = path.join(AUDIO_CACHE_DIR, 'mic-44k-mono.wav');
  const demo = path.join(AUDIO_CACHE_DIR, 'demo-48k-stereo.wav');
  const self = fileURLToPath(import.meta.url);

  if (!upToDate(page, [...inputs, self])) await writeConcatenation(SPEECH_CLIPS, page, 48_000, 2);
  if (!upToDate(mic, [...inputs, self])) await writeConcatenation(SPEECH_CLIPS, mic, 44_100, 1);
  if (!upToDate(demo, [clipPath(DEMO_CLIP), self])) await writeConcatenation([DEMO_CLIP], demo, 48_000, 2);

  const references = readReferenceTranscripts();
  const referenceWords = SPEECH_CLIPS.flatMap((clip) => references.get(clip) ?? []);
  const demoReferenceWords = references.get(DEMO_CLIP) ?? [];
  return {
    ok: true,
    audio: {
      page,
      mic,
      demo,
      speechSeconds: await soxDuration(page),
      demoSeconds: await soxDuration(demo),
      referenceWords,
      demoReferenceWords,
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await prepareAudio();
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  const { audio } = result;
  console.log(`page  ${audio.page}  (${audio.speechSeconds.toFixed(2)} s)`);
  console.log(`mic   ${audio.mic}  (${audio.speechSeconds.toFixed(2)} s)`);
  console.log(`demo  ${audio.demo}  (${audio.demoSeconds.toFixed(2)} s)`);
  console.log(`reference: ${audio.referenceWords.join(' ')}`);
}
