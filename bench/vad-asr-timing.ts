/**
 * The timeline checked with a real recognizer (`npm run bench:vad -- --asr`, about 20 s per
 * condition): Debian's pocketsphinx decodes the fixture twice, once whole (its word times are then
 * meeting time) and once as the VAD gate sent it (its word times count only sent audio), and the
 * gated word times, mapped back through SentTimeline, are compared with the whole-file ones.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SentTimeline } from '../lib/audio/timeline';
import { VadGate } from '../lib/audio/vad';
import type { VadFixtureManifest } from '../testkit/vad/vad-fixture';
import { fixtureFrames } from '../testkit/vad/vad-score';

interface TimedWord {
  word: string;
  start: number;
  end: number;
}

function decode(pcm: Int16Array): TimedWord[] {
  const dir = mkdtempSync(join(tmpdir(), 'vad-asr-'));
  try {
    const file = join(dir, 'audio.raw');
    writeFileSync(file, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    const out = execFileSync('pocketsphinx_continuous', ['-infile', file, '-time', 'yes'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 24,
      timeout: 300_000,
    }).toString();
    // Word lines are "word start end posterior"; <s>, </s> and <sil> are not words.
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((p) => p.length === 4 && !(p[0] ?? '<').startsWith('<') && Number.isFinite(Number(p[1])))
      .map((p) => ({ word: p[0] ?? '', start: Number(p[1]), end: Number(p[2]) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AsrTimingResult {
  wordsWhole: number;
  wordsGated: number;
  matched: number;
  meanErrorMs: number;
  maxErrorMs: number;
  /** Server seconds received against meeting seconds. */
  sentSeconds: number;
  meetingSeconds: number;
  unmappedMeanErrorMs: number;
}

export function asrTiming(manifest: VadFixtureManifest, audio: Int16Array): AsrTimingResult {
  const gate = new VadGate();
  const timeline = new SentTimeline();
  const sent = new Int16Array(audio.length);
  let n = 0;
  for (const { frame, captureStart } of fixtureFrames(manifest, audio)) {
    for (const out of gate.push(frame, captureStart)) {
      timeline.recordSent(out.captureStart, out.duration);
      sent.set(out.pcm, n);
      n += out.pcm.length;
    }
  }
  const whole = decode(audio);
  const gated = decode(sent.subarray(0, n));
  let matched = 0;
  let sum = 0;
  let max = 0;
  let unmappedSum = 0;
  for (const w of gated) {
    const mapped = timeline.toMeetingRange(w.start, w.end);
    if (!mapped) continue;
    // The same word, decoded from the whole file, near where the mapping puts it.
    const twin = whole.find((x) => x.word === w.word && Math.abs(x.start - mapped.start) < 0.3);
    if (!twin) continue;
    const error = Math.abs(twin.start - mapped.start);
    matched++;
    sum += error;
    max = Math.max(max, error);
    unmappedSum += Math.abs(twin.start - w.start);
  }
  return {
    wordsWhole: whole.length,
    wordsGated: gated.length,
    matched,
    meanErrorMs: (sum / matched) * 1000,
    maxErrorMs: max * 1000,
    sentSeconds: timeline.sentDuration,
    meetingSeconds: manifest.totalSamples / manifest.sampleRate,
    unmappedMeanErrorMs: (unmappedSum / matched) * 1000,
  };
}
