/**
 * A relay opens its upstream for one channel (it chooses the parameters, not us), so a meeting's
 * two interleaved inputs (tab, microphone; lib/session/capture-session.ts) are mixed into one for
 * it. The average of the inputs: a gated input is digital silence and costs the other nothing but
 * 6 dB, which recognition does not notice.
 */
export function downmixToMono(pcm: ArrayBuffer, channels: number): ArrayBuffer {
  if (channels <= 1) return pcm;
  const input = new Int16Array(pcm, 0, Math.floor(pcm.byteLength / 2));
  const frames = Math.floor(input.length / channels);
  const output = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += input[frame * channels + channel] ?? 0;
    output[frame] = Math.round(sum / channels);
  }
  return output.buffer;
}
