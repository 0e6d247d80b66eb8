import { describe, expect, it } from 'vitest';
import { type GatedFrame, VadGate } from '@/lib/audio/vad';
import { frames, render, type Segment } from '@/testkit/vad/synthetic-audio';

interface Sent {
  captureStart: number;
  samples: Int16Array;
}

/** Runs frames through a gate, copying what it sends (frames are only valid until the next push). */
function run(gate: VadGate, signal: Int16Array, t0 = 0): { sent: Sent[]; openAt: boolean[] } {
  const sent: Sent[] = [];
  const openAt: boolean[] = [];
  for (const { frame, captureStart } of frames(signal, t0)) {
    for (const g of gate.push(frame, captureStart)) sent.push({ captureStart: g.captureStart, samples: g.pcm.slice() });
    openAt.push(gate.isOpen);
  }
  return { sent, openAt };
}

const times = (sent: Sent[]) => sent.map((s) => s.captureStart);
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

// 3 s of background at -60 dBFS, a 1.5 s voiced burst at -25 dBFS starting exactly at 3.0 s
// (a frame edge), then 3 s of background.
const BURST: Segment[] = [
  { seconds: 3, noiseDb: -60 },
  { seconds: 1.5, noiseDb: -60, voiceDb: -25 },
  { seconds: 3, noiseDb: -60 },
];

describe('VadGate', () => {
  it('releases at least 300 ms of audio from before the onset, in order, with original capture times', () => {
    for (const preRollMs of [0, 300, undefined]) {
      const signal = render(BURST);
      const { sent } = run(new VadGate({ preRollMs }), signal);
      const t = times(sent);
      const first = t[0] ?? Infinity;
      expect(first).toBeLessThanOrEqual(3.0 - 0.3 + 1e-9);
      // Contiguous from the first sent frame through the burst, and byte-identical to the input.
      const burstEnd = t.findIndex((x) => x >= 4.5);
      for (let i = 1; i <= burstEnd; i++) expect(near((t[i] ?? 0) - (t[i - 1] ?? 0), 0.02)).toBe(true);
      for (const s of sent.slice(0, 30)) {
        const offset = Math.round(s.captureStart * 16_000);
        expect(s.samples).toEqual(signal.slice(offset, offset + 320));
      }
    }
  });

  it('keeps sending for at least 500 ms after the last speech frame, even at sensitivity 1', () => {
    for (const opts of [{ hangoverMs: 0 }, { sensitivity: 1 }, {}]) {
      const { sent } = run(new VadGate(opts), render(BURST));
      const last = Math.max(...times(sent));
      // The burst ends at 4.5 s; the frame starting at 4.98 s is the 25th after it.
      expect(last).toBeGreaterThanOrEqual(4.5 + 0.5 - 0.02 - 1e-9);
      // ...and it does close again in the trailing 3 s of background.
      expect(last).toBeLessThan(6);
    }
  });

  it('sends nothing and reports closed during steady background', () => {
    const gate = new VadGate();
    const { sent, openAt } = run(gate, render([{ seconds: 10, noiseDb: -50 }]));
    expect(sent).toHaveLength(0);
    expect(openAt.every((o) => !o)).toBe(true);
  });

  it('is open from the onset through the hangover and closed otherwise (for KeepAlive)', () => {
    const { openAt } = run(new VadGate(), render(BURST));
    const frameOf = (t: number) => Math.round(t * 50);
    expect(openAt[frameOf(2.5)]).toBe(false);
    expect(openAt.slice(frameOf(3.1), frameOf(4.9)).every(Boolean)).toBe(true);
    expect(openAt[frameOf(6.5)]).toBe(false);
  });

  it('sends every frame unchanged, in order, when disabled', () => {
    const signal = render(BURST);
    const gate = new VadGate({ enabled: false });
    const { sent, openAt } = run(gate, signal, 100);
    expect(sent).toHaveLength(signal.length / 320);
    sent.forEach((s, i) => expect(near(s.captureStart, 100 + i * 0.02)).toBe(true));
    const joined = new Int16Array(signal.length);
    sent.forEach((s, i) => joined.set(s.samples, i * 320));
    expect(Buffer.from(joined.buffer).equals(Buffer.from(signal.buffer))).toBe(true);
    expect(openAt.every(Boolean)).toBe(true);
  });

  it('turned on mid-stream starts open and closes after the hangover; turned off sends again at once', () => {
    const gate = new VadGate({ enabled: false });
    const bg = frames(render([{ seconds: 4, noiseDb: -50 }]));
    const sentPerFrame: number[] = [];
    bg.forEach(({ frame, captureStart }, i) => {
      if (i === 50) gate.configure({ enabled: true });
      if (i === 150) gate.configure({ enabled: false });
      sentPerFrame.push(gate.push(frame, captureStart).length);
    });
    expect(sentPerFrame.slice(0, 50).every((n) => n === 1)).toBe(true);
    expect(sentPerFrame.slice(50, 75).every((n) => n === 1)).toBe(true); // >= 500 ms hangover
    expect(sentPerFrame.slice(90, 150).every((n) => n === 0)).toBe(true);
    expect(sentPerFrame.slice(150).every((n) => n === 1)).toBe(true);
  });

  it('learns a 15 dB louder background and closes again within 3 s', () => {
    const { openAt } = run(new VadGate(), render([{ seconds: 3, noiseDb: -60 }, { seconds: 8, noiseDb: -45 }]));
    const closedAgain = openAt.findIndex((o, i) => i > 150 && !o);
    expect(closedAgain).toBeGreaterThan(150);
    expect((closedAgain - 150) * 0.02).toBeLessThanOrEqual(3);
    expect(openAt.slice(closedAgain).every((o) => !o)).toBe(true);
  });

  it('stays closed on digital silence and opens for speech after it', () => {
    const { sent } = run(new VadGate(), render([{ seconds: 3, noiseDb: -90, zero: true }, { seconds: 1, noiseDb: -90, voiceDb: -40, zero: false }]));
    const t = times(sent);
    expect(t.length).toBeGreaterThan(0);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(3 - 0.4 - 0.1 - 1e-9); // only the pre-roll before 3 s
    expect(Math.min(...t)).toBeLessThanOrEqual(3 - 0.3 + 1e-9);
  });

  it('does not open for a single click in the background', () => {
    const { sent } = run(new VadGate(), render([{ seconds: 3, noiseDb: -60 }, { seconds: 3, noiseDb: -60, click: true }]));
    expect(sent).toHaveLength(0);
  });

  it('opens for a voice 10 dB over a loud white-noise background at every sensitivity', () => {
    for (const sensitivity of [0, 0.5, 1]) {
      const signal = render([{ seconds: 3, noiseDb: -30 }, { seconds: 2, noiseDb: -30, voiceDb: -20 }, { seconds: 3, noiseDb: -30 }]);
      const t = times(run(new VadGate({ sensitivity }), signal).sent);
      // Everything from 300 ms before the voice to its end, and nothing from the last 2 s.
      for (let f = 2.7; f < 5; f += 0.02) expect(t.some((x) => Math.abs(x - f) < 0.005)).toBe(true);
      expect(t.every((x) => x < 6)).toBe(true);
    }
  });

  it('reuses its output arrays and frame objects (no allocation per frame)', () => {
    const gate = new VadGate();
    const seen = new Set<readonly GatedFrame[]>();
    const objects = new Set<GatedFrame>();
    for (const { frame, captureStart } of frames(render([...BURST, ...BURST]))) {
      const out = gate.push(frame, captureStart);
      seen.add(out);
      for (const g of out) objects.add(g);
    }
    // One array per output length and one object per pre-roll slot plus the pass-through.
    expect(seen.size).toBeLessThanOrEqual(3);
    expect(objects.size).toBeLessThanOrEqual(26);
  });

  it('rejects frames that are not 320 samples', () => {
    expect(() => new VadGate().push(new Int16Array(160), 0)).toThrow(RangeError);
  });
});
