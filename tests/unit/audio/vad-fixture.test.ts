/**
 * The product bars on real speech (librivox clips joined with silences, clean and with pink noise at
 * 20 and 10 dB SNR): speech-frame recall >= 99.5 % while >= 60 % of non-speech frames are not sent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { VadGate, type VadOptions } from '@/lib/audio/vad';
import { buildVadFixture, loadVadFixture, readCommittedManifest, VAD_CONDITIONS, type VadCondition, type VadFixture } from '@/testkit/vad/vad-fixture';
import { fixtureFrames, scoreGating } from '@/testkit/vad/vad-score';

let fixture: VadFixture;
beforeAll(() => {
  fixture = loadVadFixture();
}, 60_000);

function gate(condition: VadCondition, options: VadOptions = {}) {
  const g = new VadGate(options);
  const { manifest } = fixture;
  const sent = new Array<boolean>(manifest.labels.length).fill(false);
  let previous = -Infinity;
  let inOrder = true;
  let once = true;
  for (const { frame, captureStart } of fixtureFrames(manifest, fixture.audio[condition])) {
    for (const out of g.push(frame, captureStart)) {
      const index = Math.round(out.captureStart * 50);
      if (out.captureStart <= previous) inOrder = false;
      if (sent[index]) once = false;
      previous = out.captureStart;
      sent[index] = true;
    }
  }
  return { ...scoreGating(manifest.labels, sent), inOrder, once };
}

describe('VAD gate on the labelled librivox fixture', () => {
  it('has speech, silence and onsets to score', () => {
    const { labels, onsets } = fixture.manifest;
    expect(labels.split('').filter((c) => c === 'S').length).toBeGreaterThan(1500);
    expect(labels.split('').filter((c) => c === 'N').length).toBeGreaterThan(800);
    expect(onsets).toHaveLength(8);
  });

  for (const condition of VAD_CONDITIONS) {
    it(`${condition}: sends >= 99.5 % of speech frames and holds back >= 60 % of silence frames`, () => {
      const score = gate(condition);
      expect(score.speechRecall, `missed frames ${score.missedSpeechFrames.join(',')}`).toBeGreaterThanOrEqual(0.995);
      expect(score.nonSpeechGated).toBeGreaterThanOrEqual(0.6);
    });
  }

  it('sends each frame at most once and in capture order', () => {
    for (const condition of VAD_CONDITIONS) {
      const score = gate(condition);
      expect(score.inOrder).toBe(true);
      expect(score.once).toBe(true);
    }
  });

  it('sends more at sensitivity 0 than at 1, and everything when disabled', () => {
    for (const condition of VAD_CONDITIONS) {
      expect(gate(condition, { sensitivity: 0 }).totalSent).toBeGreaterThan(gate(condition, { sensitivity: 1 }).totalSent);
      const off = gate(condition, { enabled: false });
      expect(off.totalSent).toBe(1);
    }
  });

  it('the committed labels match a rebuild from the Debian clips', () => {
    expect(buildVadFixture().manifest).toEqual(readCommittedManifest());
  }, 60_000);
});
