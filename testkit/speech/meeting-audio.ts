/**
 * The audio of a meeting test, built from the five LibriVox clips of pocketsphinx-testdata with sox
 * (into .cache/meeting/, rebuilt when a clip or this file changes):
 *
 *   tab.wav        the others: three clips with gaps, 48 kHz stereo (a page's <audio>)
 *   mic.wav        you: the other two clips, 44.1 kHz mono (Chromium's fake microphone), so the
 *                  two channels say different things, and a word of one clip heard on the other
 *                  channel is told apart by its content words
 *   mic-echo.wav   you on speakers: mic.wav at full level plus the tab's audio at -10 dB, 50 ms late
 *                  (after `echoLeadSeconds` more silence, where the test starts the tab's playback)
 *
 * Gaps are long enough that the engine ends an utterance at each (as in the pipeline-fidelity spec).
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LIBRIVOX_DIR, readReferenceTranscripts } from '../../scripts/prepare-audio';

const run = promisify(execFile);

const clip = (n: string) => `sense_and_sensibility_01_austen_64kb-${n}`;
export const TAB_CLIPS = ['0870', '0890', '0930'].map(clip);
export const MIC_CLIPS = ['0880', '0920'].map(clip);
const LEAD_S = 1.0;
const GAP_S = 1.5;
const TAIL_S = 2.5;
/** The echo: the tab's audio this much quieter and later in the microphone. */
export const ECHO_DB = -10;
export const ECHO_DELAY_S = 0.05;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = path.join(REPO_ROOT, '.cache', 'meeting');

export interface MeetingAudio {
  tab: string;
  mic: string;
  micEcho: string;
  /** Seconds of tab.wav (the longer). */
  seconds: number;
  /** Reference words of each channel, in order. */
  tabReference: string[];
  micReference: string[];
  /** The clip files in each channel's order (for the engine-on-the-files bar). */
  tabClips: string[];
  micClips: string[];
}

/** Where buildMeetingAudio writes (known before it runs, for a spec's fake-microphone option). */
export function meetingAudioFiles(echoLeadSeconds: number): { tab: string; mic: string; micEcho: string } {
  return {
    tab: path.join(DIR, 'tab.wav'),
    mic: path.join(DIR, 'mic.wav'),
    micEcho: path.join(DIR, `mic-echo-lead${Math.round(echoLeadSeconds * 1000)}ms.wav`),
  };
}

const clipFile = (clip: string) => path.join(LIBRIVOX_DIR, `${clip}.wav`);

async function silence(seconds: number, file: string): Promise<string> {
  await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', file, 'trim', '0', String(seconds)]);
  return file;
}

async function concatenate(clips: readonly string[], out: string, rate: number, channels: number, leadSeconds = LEAD_S): Promise<void> {
  const [lead, gap, tail] = await Promise.all([
    silence(leadSeconds, `${out}.lead.wav`),
    silence(GAP_S, `${out}.gap.wav`),
    silence(TAIL_S, `${out}.tail.wav`),
  ]);
  const inputs = [lead, ...clips.flatMap((clip, i) => (i === 0 ? [clipFile(clip)] : [gap, clipFile(clip)])), tail];
  const tmp = `${out}.tmp.wav`;
  await run('sox', [...inputs, '-b', '16', '-c', String(channels), tmp, 'rate', '-v', String(rate)]);
  await rename(tmp, out);
  await Promise.all([lead, gap, tail].map((file) => rm(file, { force: true })));
}

function stale(out: string, inputs: readonly string[]): boolean {
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return inputs.some((input) => statSync(input).mtimeMs > built);
}

/**
 * `echoLeadSeconds`: silence added before the echo mix, for the time between the microphone's
 * capture starting and the tab's playback starting in the test.
 */
export async function buildMeetingAudio(echoLeadSeconds: number): Promise<MeetingAudio> {
  await mkdir(DIR, { recursive: true });
  const tabClips = TAB_CLIPS;
  const micClips = MIC_CLIPS;
  const sources = [...tabClips, ...micClips].map(clipFile).concat(fileURLToPath(import.meta.url));
  const { tab, mic, micEcho } = meetingAudioFiles(echoLeadSeconds);
  if (stale(tab, sources)) await concatenate(tabClips, tab, 48_000, 2);
  if (stale(mic, sources)) await concatenate(micClips, mic, 44_100, 1);
  if (stale(micEcho, sources)) {
    // Both parts at 16 kHz mono first, then mixed: you at full level from the lead on; the tab's
    // audio at -10 dB from lead + 50 ms.
    const you = path.join(DIR, 'echo-you.wav');
    const others = path.join(DIR, 'echo-others.wav');
    await concatenate(micClips, you, 16_000, 1, LEAD_S + echoLeadSeconds);
    await concatenate(tabClips, others, 16_000, 1, LEAD_S + echoLeadSeconds + ECHO_DELAY_S);
    const tmp = `${micEcho}.tmp.wav`;
    await run('sox', ['-m', '-v', '1', you, '-v', String(10 ** (ECHO_DB / 20)), others, '-b', '16', '-c', '1', tmp, 'rate', '-v', '44100']);
    await rename(tmp, micEcho);
    await Promise.all([you, others].map((file) => rm(file, { force: true })));
  }
  const references = readReferenceTranscripts();
  const words = (clips: readonly string[]) =>
    clips.flatMap((clip) => {
      const reference = references.get(clip);
      if (!reference) throw new Error(`No reference transcript for ${clip} in ${LIBRIVOX_DIR}/transcription`);
      return reference;
    });
  const { stdout } = await run('soxi', ['-D', tab]);
  return {
    tab,
    mic,
    micEcho,
    seconds: Number.parseFloat(stdout),
    tabReference: words(tabClips),
    micReference: words(micClips),
    tabClips: tabClips.map(clipFile),
    micClips: micClips.map(clipFile),
  };
}
