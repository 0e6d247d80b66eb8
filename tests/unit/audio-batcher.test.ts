import { describe, expect, it } from 'vitest';
import { AudioBatcher } from '@/lib/session/audio-batcher';

function collect() {
  const batches: { samples: number[]; start: number; seconds: number }[] = [];
  const batcher = new AudioBatcher(16_000, 0.1, (pcm, start, seconds) =>
    batches.push({ samples: Array.from(pcm), start, seconds }),
  );
  return { batches, batcher };
}

const frame = (value: number) => new Int16Array(320).fill(value);

describe('AudioBatcher', () => {
  it('sends five contiguous 20 ms frames as one 100 ms message starting at the first frame', () => {
    const { batches, batcher } = collect();
    for (let i = 0; i < 5; i++) batcher.push(frame(i), 1 + i * 0.02);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.samples).toHaveLength(1600);
    expect(batches[0]!.start).toBeCloseTo(1, 9);
    expect(batches[0]!.seconds).toBeCloseTo(0.1, 9);
    expect(batches[0]!.samples[320]).toBe(1);
  });

  it('never joins frames across a gap in capture time', () => {
    const { batches, batcher } = collect();
    batcher.push(frame(1), 0);
    batcher.push(frame(2), 0.02);
    batcher.push(frame(3), 5); // the VAD skipped silence
    batcher.flush();
    expect(batches.map((b) => [b.start, b.samples.length])).toEqual([
      [0, 640],
      [5, 320],
    ]);
  });

  it('flush sends a partial batch once and then nothing', () => {
    const { batches, batcher } = collect();
    batcher.push(frame(1), 0);
    batcher.flush();
    batcher.flush();
    expect(batches).toHaveLength(1);
  });
});
