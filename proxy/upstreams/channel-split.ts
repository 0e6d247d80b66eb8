/**
 * Splits interleaved 16-bit PCM (channel 0 sample, channel 1 sample, ...) into one buffer per
 * channel, as a multichannel stream arrives in messages of any size. A message that ends inside
 * a sample frame (a client may cut anywhere) leaves the rest of that frame for the next message,
 * so every channel keeps its own samples in order and none is shifted onto another.
 */

const SAMPLE_BYTES = 2;

export interface ChannelSplitter {
  /** The channels' samples that this message completes, one buffer per channel (empty when none). */
  push(chunk: Buffer): Buffer[];
}

export function createChannelSplitter(channels: number): ChannelSplitter {
  const frameBytes = channels * SAMPLE_BYTES;
  let carry = Buffer.alloc(0);
  return {
    push(chunk) {
      const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const frames = Math.floor(data.length / frameBytes);
      // Copied: the caller's buffer may be reused, and the carry must outlive it.
      carry = Buffer.from(data.subarray(frames * frameBytes));
      const outputs = Array.from({ length: channels }, () => Buffer.allocUnsafe(frames * SAMPLE_BYTES));
      for (let frame = 0; frame < frames; frame += 1) {
        const at = frame * frameBytes;
        for (let channel = 0; channel < channels; channel += 1) {
          const from = at + channel * SAMPLE_BYTES;
          const output = outputs[channel];
          if (output === undefined) continue;
          // Byte copies: the samples' values are never read, so endianness plays no part.
          output[frame * SAMPLE_BYTES] = data[from] ?? 0;
          output[frame * SAMPLE_BYTES + 1] = data[from + 1] ?? 0;
        }
      }
      return outputs;
    },
  };
}
