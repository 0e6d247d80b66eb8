import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, FRAME_SECONDS } from '@/lib/audio/format';
import { InputGates, interleave } from '@/lib/audio/input-gates';
import { VadGate } from '@/lib/audio/vad';
import { frames, render, type Segment } from '@/testkit/vad/synthetic-audio';

/** Frame indexes a gate (or gates) sent, with the samples of each. */
function sentByLoneGate(signal: Int16Array): Map<number, Int16Array> {
  const gate = new VadGate();
  const sent = new Map<number, Int16Array>();
  for (const { frame, captureStart } of frames(signal)) {
    for (const out of gate.push(frame, captureStart)) sent.set(Math.round(out.captureStart / FRAME_SECONDS), out.pcm.slice());
  }
  return sent;
}

function runGates(signals: Int16Array[], options = {}): { index: number; pcm: Int16Array }[] {
  const gates = new InputGates(signals.length, options);
  const perInput = signals.map((signal) => frames(signal));
  const sent: { index: number; pcm: Int16Array }[] = [];
  for (let i = 0; i < perInput[0]!.length; i++) {
    for (const out of gates.push(perInput.map((f) => f[i]!.frame))) {
      sent.push({ index: Math.round(out.captureStart / FRAME_SECONDS), pcm: out.pcm.slice() });
    }
  }
  return sent;
}

const quiet = (seconds: number): Segment => ({ seconds, noiseDb: -60 });
const voice = (seconds: number): Segment => ({ seconds, noiseDb: -60, voiceDb: -25 });

describe('InputGates', () => {
  it('with one input sends exactly the frames a lone VAD gate sends, in order', () => {
    const signal = render([quiet(2), voice(1), quiet(2), voice(1), quiet(2)]);
    const expected = sentByLoneGate(signal);
    const sent = runGates([signal]);
    expect(sent.map((s) => s.index)).toEqual([...expected.keys()]);
    for (const { index, pcm } of sent) expect(pcm).toEqual(expected.get(index));
  });

  it('with two inputs sends a frame when either gate lets it through, with both inputs interleaved', () => {
    const tab = render([quiet(1), voice(1), quiet(4)], 1);
    const mic = render([quiet(4), voice(1), quiet(1)], 2);
    const union = new Set([...sentByLoneGate(tab).keys(), ...sentByLoneGate(mic).keys()]);
    const sent = runGates([tab, mic]);
    expect(sent.map((s) => s.index)).toEqual([...union].sort((a, b) => a - b));
    // Both stretches are there, and the silence between them is not sent.
    expect(sent.some((s) => s.index * FRAME_SECONDS > 1 && s.index * FRAME_SECONDS < 2)).toBe(true);
    expect(sent.some((s) => s.index * FRAME_SECONDS > 4 && s.index * FRAME_SECONDS < 5)).toBe(true);
    expect(sent.some((s) => s.index * FRAME_SECONDS > 3 && s.index * FRAME_SECONDS < 3.5)).toBe(false);
    for (const { index, pcm } of sent) {
      const at = index * FRAME_SAMPLES;
      expect(pcm.length).toBe(2 * FRAME_SAMPLES);
      for (const i of [0, 1, 159, 319]) {
        expect(pcm[2 * i]).toBe(tab[at + i]);
        expect(pcm[2 * i + 1]).toBe(mic[at + i]);
      }
    }
  });

  it('keeps the onset of a second speaker who starts while the first is speaking: no frame skipped or sent twice', () => {
    const tab = render([quiet(1), voice(3), quiet(2)], 3);
    const mic = render([quiet(2), voice(1), quiet(3)], 4);
    const sent = runGates([tab, mic]);
    const indexes = sent.map((s) => s.index);
    // One contiguous run from the tab's pre-roll to its hangover: the microphone's pre-roll (before
    // 2 s) went out inside it, with the microphone's real samples.
    for (let i = 1; i < indexes.length; i++) expect(indexes[i]).toBe(indexes[i - 1]! + 1);
    const micOnsetFrame = Math.round(1.9 / FRAME_SECONDS);
    const frame = sent.find((s) => s.index === micOnsetFrame)!;
    expect(frame.pcm[1]).toBe(mic[micOnsetFrame * FRAME_SAMPLES]);
  });

  it('with the VAD off sends every frame', () => {
    const tab = render([quiet(1)], 5);
    const mic = render([quiet(1)], 6);
    expect(runGates([tab, mic], { enabled: false }).map((s) => s.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('refuses a push without one frame per input', () => {
    expect(() => new InputGates(2).push([new Int16Array(FRAME_SAMPLES)])).toThrow(RangeError);
  });
});

describe('interleave', () => {
  it('writes input 0, input 1, input 0, ... sample by sample', () => {
    const a = Int16Array.from({ length: FRAME_SAMPLES }, (_, i) => i);
    const b = Int16Array.from({ length: FRAME_SAMPLES }, (_, i) => 1000 - i);
    const out = interleave([a, b], new Int16Array(2 * FRAME_SAMPLES));
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 1000, 1, 999, 2, 998]);
  });
});
