/**
 * `npm run bench:vad`: our VAD gate against the seed-style energy VAD and WebRTC's VAD (libfvad in
 * WASM, modes 0-3, raw and with our pre-roll/hangover) on the labelled librivox fixture (clean,
 * pink noise at 20 dB and 10 dB SNR). Prints speech-frame recall, the share of non-speech not sent,
 * the share of all audio sent, and per-frame cost (absolute and as a ratio to ours).
 * The bar (issue 3): recall >= 99.5 % while >= 60 % of non-speech is not sent.
 * With `-- --asr`, also checks the timeline with a real recognizer (see vad-asr-timing.ts).
 */
import { VadGate } from '../lib/audio/vad';
import { loadVadFixture, VAD_CONDITIONS, withAddedNoise } from '../testkit/vad/vad-fixture';
import { fixtureFrames, scoreGating, type GatingScore } from '../testkit/vad/vad-score';
import { asrTiming } from './vad-asr-timing';
import { FvadDetector, loadFvad, RawDetectorGate, SeedStyleVad, type FrameGate } from './vad-peers';

const BAR_RECALL = 0.995;
const BAR_GATED = 0.6;
const COST_PASSES = 15;

interface Candidate {
  name: string;
  ours?: boolean;
  make(): FrameGate;
}

const fixture = loadVadFixture();
const fvad = await loadFvad();
/** The three conditions the bar applies to, then harder ones beyond it (reported, not required). */
const conditions: { name: string; audio: Int16Array; barred: boolean }[] = [
  ...VAD_CONDITIONS.map((c) => ({ name: c, audio: fixture.audio[c], barred: true })),
  { name: 'white10', audio: withAddedNoise(fixture, 'whitenoise', 10), barred: false },
  { name: 'pink5', audio: withAddedNoise(fixture, 'pinknoise', 5), barred: false },
  { name: 'pink0', audio: withAddedNoise(fixture, 'pinknoise', 0), barred: false },
];
const modes = [0, 1, 2, 3] as const;
const candidates: Candidate[] = [
  { name: 'ours (default, sensitivity 0.5)', ours: true, make: () => new VadGate() },
  { name: 'ours, sensitivity 0', make: () => new VadGate({ sensitivity: 0 }) },
  { name: 'ours, sensitivity 1', make: () => new VadGate({ sensitivity: 1 }) },
  { name: 'seed-style RMS > 0.01, 1 s hang', make: () => new SeedStyleVad() },
  ...modes.map((mode) => ({ name: `WebRTC fvad mode ${mode}, raw`, make: () => new RawDetectorGate(new FvadDetector(fvad, mode)) })),
  ...modes.map((mode) => ({
    name: `WebRTC fvad mode ${mode} + our pre-roll/hangover`,
    make: () => new VadGate({ detector: new FvadDetector(fvad, mode), onsetFrames: 1 }),
  })),
];

function evaluate(c: Candidate, audio: Int16Array): GatingScore {
  const gate = c.make();
  const sent = new Array<boolean>(fixture.manifest.labels.length).fill(false);
  for (const { frame, captureStart } of fixtureFrames(fixture.manifest, audio)) {
    for (const out of gate.push(frame, captureStart)) sent[Math.round(out.captureStart * 50)] = true;
  }
  return scoreGating(fixture.manifest.labels, sent);
}

/**
 * Microseconds per frame (gate decision plus any copying), the fastest of COST_PASSES passes over
 * the condition's frames: the minimum is the least disturbed by other work on a shared machine.
 */
function costPerFrame(c: Candidate, audio: Int16Array): number {
  const frames = [...fixtureFrames(fixture.manifest, audio)].map((f) => ({ frame: f.frame.slice(), t: f.captureStart }));
  const times: number[] = [];
  for (let pass = 0; pass <= COST_PASSES; pass++) {
    const gate = c.make();
    const start = process.hrtime.bigint();
    for (const { frame, t } of frames) gate.push(frame, t);
    const ns = Number(process.hrtime.bigint() - start);
    if (pass > 0) times.push(ns / frames.length / 1000); // pass 0 warms up
  }
  return Math.min(...times);
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const pad = (s: string, n: number) => s.padEnd(n);
const padL = (s: string, n: number) => s.padStart(n);

const counts = { S: 0, N: 0 };
for (const ch of fixture.manifest.labels) if (ch === 'S' || ch === 'N') counts[ch]++;
console.log(
  `VAD fixture: ${(fixture.manifest.totalSamples / 16_000).toFixed(1)} s of librivox speech and silences, ` +
    `${counts.S} speech frames, ${counts.N} non-speech frames (20 ms), ${fixture.manifest.onsets.length} onsets.`,
);
console.log(`Bar: speech recall >= ${BAR_RECALL * 100} % with >= ${BAR_GATED * 100} % of non-speech not sent.\n`);

const header = `${pad('condition', 9)} ${pad('VAD', 46)} ${padL('speech recall', 13)} ${padL('non-speech not sent', 19)} ${padL('total sent', 10)} ${padL('us/frame', 9)} ${padL('cost x ours', 11)}  bar`;
console.log(header);
console.log('-'.repeat(header.length));
const winners: string[] = [];
for (const { name: condition, audio, barred } of conditions) {
  if (!barred && condition === conditions.find((c) => !c.barred)?.name) console.log('Beyond the bar (harder noise, for information):\n');
  const ourCost = costPerFrame(candidates[0] as Candidate, audio);
  let ourScore: GatingScore | null = null;
  for (const c of candidates) {
    const score = evaluate(c, audio);
    if (c.ours) ourScore = score;
    const cost = c.ours ? ourCost : costPerFrame(c, audio);
    const meets = score.speechRecall >= BAR_RECALL && score.nonSpeechGated >= BAR_GATED;
    console.log(
      `${pad(condition, 9)} ${pad(c.name, 46)} ${padL(pct(score.speechRecall), 13)} ${padL(pct(score.nonSpeechGated), 19)} ${padL(pct(score.totalSent), 10)} ${padL(cost.toFixed(2), 9)} ${padL((cost / ourCost).toFixed(2), 11)}  ${meets ? 'meets' : '-'}`,
    );
    // A peer "wins" if it has better recall while gating at least as much as ours.
    if (barred && !c.name.startsWith('ours') && ourScore && score.speechRecall > ourScore.speechRecall && score.nonSpeechGated >= ourScore.nonSpeechGated) {
      winners.push(`${condition}: ${c.name}`);
    }
  }
  console.log('');
}
console.log(
  winners.length === 0
    ? 'No peer had higher speech recall at equal or better gating in the barred conditions: keeping our gate.'
    : `Peers with higher recall at equal or better gating: ${winners.join('; ')}`,
);

if (process.argv.includes('--asr')) {
  console.log('\nTimeline with a real recognizer: pocketsphinx word starts from the gated stream, mapped back,');
  console.log('against the same words decoded from the whole recording.\n');
  console.log(`${pad('condition', 9)} ${padL('words whole/gated/matched', 25)} ${padL('sent s / meeting s', 19)} ${padL('mapped error mean/max', 22)} ${padL('unmapped mean', 14)}`);
  for (const condition of VAD_CONDITIONS) {
    const r = asrTiming(fixture.manifest, fixture.audio[condition]);
    console.log(
      `${pad(condition, 9)} ${padL(`${r.wordsWhole}/${r.wordsGated}/${r.matched}`, 25)} ${padL(`${r.sentSeconds.toFixed(1)} / ${r.meetingSeconds.toFixed(1)}`, 19)} ${padL(`${r.meanErrorMs.toFixed(1)} / ${r.maxErrorMs.toFixed(0)} ms`, 22)} ${padL(`${(r.unmappedMeanErrorMs / 1000).toFixed(2)} s`, 14)}`,
    );
  }
}
