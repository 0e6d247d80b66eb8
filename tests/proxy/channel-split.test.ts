import { describe, expect, it } from 'vitest';
import { createChannelSplitter } from '@/proxy/upstreams/channel-split';

/** Interleaved Int16 little-endian frames from per-channel sample lists. */
function interleaved(channels: number[][]): Buffer {
  const length = channels[0]?.length ?? 0;
  const out = Buffer.alloc(length * channels.length * 2);
  for (let sample = 0; sample < length; sample += 1) {
    channels.forEach((values, channel) => out.writeInt16LE(values[sample] ?? 0, (sample * channels.length + channel) * 2));
  }
  return out;
}

const samplesOf = (buffer: Buffer): number[] => Array.from({ length: buffer.length / 2 }, (_, index) => buffer.readInt16LE(index * 2));

describe('channel splitter', () => {
  it('gives each channel its own samples in order, however the messages cut the frames', () => {
    const tab = [1, -2, 300, -32768, 32767, 5, 6];
    const mic = [-1, 2, -300, 32767, -32768, -5, -6];
    const stream = interleaved([tab, mic]);
    for (const cut of [1, 3, 4, 5, 28]) {
      const splitter = createChannelSplitter(2);
      const got: Buffer[][] = [];
      for (let at = 0; at < stream.length; at += cut) got.push(splitter.push(stream.subarray(at, at + cut)));
      expect(samplesOf(Buffer.concat(got.map((parts) => parts[0] ?? Buffer.alloc(0)))), `tab, cut every ${cut} bytes`).toEqual(tab);
      expect(samplesOf(Buffer.concat(got.map((parts) => parts[1] ?? Buffer.alloc(0)))), `mic, cut every ${cut} bytes`).toEqual(mic);
    }
  });

  it('keeps a partial frame for the next message rather than shifting it onto another channel', () => {
    const splitter = createChannelSplitter(3);
    const frame = interleaved([[7], [8], [9]]);
    expect(splitter.push(frame.subarray(0, 4)).map(samplesOf)).toEqual([[], [], []]);
    expect(splitter.push(frame.subarray(4)).map(samplesOf)).toEqual([[7], [8], [9]]);
  });
});
