/**
 * The project's WXT config with one change, for `bench:latency --batch-ms`: the offscreen
 * session's socket batch (100 ms in lib/session/capture-session.ts) is rewritten at build time to
 * CAPTIONIST_BENCH_BATCH_MS, and the build goes to its own folder, so a smaller batch can be
 * measured in the real extension without a setting for it. With CAPTIONIST_BENCH_FLUSH_ON_OPEN=1
 * the batcher is also flushed right after the gate releases its pre-roll (a proposed change to
 * capture-session.ts, measured before anyone makes it). The build fails if the code it rewrites is
 * no longer in the source.
 */
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';
import base from '../wxt.config';

const batchMs = Number(process.env.CAPTIONIST_BENCH_BATCH_MS ?? '100');
/** '1': also send the partial batch at once when the VAD gate opens (a proposal, measured here). */
const flushOnOpen = process.env.CAPTIONIST_BENCH_FLUSH_ON_OPEN === '1';
const BATCH_CALL = 'new AudioBatcher(SAMPLE_RATE * inputs.length, 0.1,';
const PUSH_LOOP = 'for (const frame of toSend) batcher.push(frame.pcm, frame.captureStart);';

function batchSize(): Plugin {
  return {
    name: 'captionist-bench-batch',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('lib/session/capture-session.ts')) return null;
      if (!code.includes(BATCH_CALL)) throw new Error(`bench: "${BATCH_CALL}" not found in ${id}; update bench/latency-wxt.config.ts`);
      let out = code.replace(BATCH_CALL, `new AudioBatcher(SAMPLE_RATE * inputs.length, ${batchMs / 1000},`);
      if (flushOnOpen) {
        if (!out.includes(PUSH_LOOP)) throw new Error(`bench: "${PUSH_LOOP}" not found in ${id}; update bench/latency-wxt.config.ts`);
        // More than one frame out of the gate = it just opened and released its pre-roll.
        out = out.replace(PUSH_LOOP, `${PUSH_LOOP} if (toSend.length > 1) batcher.flush();`);
      }
      return out;
    },
  };
}

export default defineConfig({
  ...base,
  outDir: process.env.CAPTIONIST_BENCH_OUT_DIR ?? '.cache/latency-build',
  vite: async (env) => {
    const inner = typeof base.vite === 'function' ? await base.vite(env) : {};
    return { ...inner, plugins: [...(inner.plugins ?? []), batchSize()] };
  },
});
