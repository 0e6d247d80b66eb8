/**
 * The end-to-end timing test: the labelled librivox fixture goes through the VAD gate; a
 * simulated server timestamps each speech onset the way a recognizer would, counting only the audio
 * it received on its connection (restarting at 0 after a reconnect) and reporting to the 10 ms.
 * The timeline maps those times back as they arrive; they must land within 50 ms of the true onsets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SentTimeline } from '@/lib/audio/timeline';
import { VadGate } from '@/lib/audio/vad';
import { BandEnergyDetector, type FrameVerdict, type SpeechDetector } from '@/lib/audio/vad-detector';
import { loadVadFixture, VAD_CONDITIONS, type VadCondition, type VadFixture } from '@/testkit/vad/vad-fixture';
import { fixtureFrames } from '@/testkit/vad/vad-score';

let fixture: VadFixture;
beforeAll(() => {
  fixture = loadVadFixture();
}, 60_000);

interface OnsetResult {
  onset: number;
  connection: number;
  serverTime: number;
  mapped: number | null;
}

/**
 * Streams the fixture through gate -> timeline -> simulated server. Reconnects (server clock back
 * to 0, timeline.startConnection) at each time in `reconnects`. Each onset is timestamped at the
 * first received audio at or after it and mapped at once, as a live result would be.
 */
function stream(condition: VadCondition, reconnects: number[], gate = new VadGate()): OnsetResult[] {
  const timeline = new SentTimeline();
  const pending = [...fixture.manifest.onsets];
  const results: OnsetResult[] = [];
  const reconnectQueue = [...reconnects];
  let connection = 0;
  let serverClock = 0;
  for (const { frame, captureStart } of fixtureFrames(fixture.manifest, fixture.audio[condition])) {
    if (reconnectQueue.length > 0 && captureStart >= (reconnectQueue[0] ?? Infinity)) {
      reconnectQueue.shift();
      connection++;
      serverClock = 0;
      timeline.startConnection();
    }
    for (const out of gate.push(frame, captureStart)) {
      timeline.recordSent(out.captureStart, out.duration);
      const onset = pending[0];
      if (onset !== undefined && out.captureStart + out.duration > onset) {
        pending.shift();
        const serverTime = Math.floor((serverClock + Math.max(0, onset - out.captureStart)) * 100) / 100;
        results.push({ onset, connection, serverTime, mapped: timeline.toMeetingTime(serverTime) });
      }
      serverClock += out.duration;
    }
  }
  return results;
}

describe('meeting-time timeline on gated real speech', () => {
  for (const condition of VAD_CONDITIONS) {
    it(`${condition}: server-timestamped speech onsets map back within 50 ms of the true onsets, across reconnects`, () => {
      const { onsets } = fixture.manifest;
      // Two reconnects, in the silences after the 3rd and 6th clips.
      const reconnects = [(onsets[3] ?? 0) - 0.8, (onsets[6] ?? 0) - 0.8];
      const results = stream(condition, reconnects);
      expect(results).toHaveLength(onsets.length);
      expect(new Set(results.map((r) => r.connection))).toEqual(new Set([0, 1, 2]));
      for (const r of results) expect(Math.abs((r.mapped ?? NaN) - r.onset), `onset ${r.onset}`).toBeLessThanOrEqual(0.05);
      // Without the timeline the server's times would be off by seconds.
      expect(Math.max(...results.map((r) => Math.abs(r.serverTime - r.onset)))).toBeGreaterThan(5);
    });
  }

  it('would catch a gate that clips onsets: one that decides 600 ms late maps onsets > 50 ms off', () => {
    // Our detector, but its verdicts arrive 30 frames late: the 400 ms pre-roll no longer reaches
    // back to the onset, so the first audio the server hears is after it.
    const inner = new BandEnergyDetector();
    const delayed: FrameVerdict[] = new Array<FrameVerdict>(30).fill(0);
    const late: SpeechDetector = {
      classify: (frame) => {
        delayed.push(inner.classify(frame));
        return delayed.shift() ?? 0;
      },
      setSensitivity: (s) => inner.setSensitivity(s),
      reset: () => inner.reset(),
    };
    const results = stream('clean', [], new VadGate({ detector: late }));
    expect(Math.max(...results.map((r) => Math.abs((r.mapped ?? NaN) - r.onset)))).toBeGreaterThan(0.05);
  });
});
