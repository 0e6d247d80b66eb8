/**
 * The project's WXT config with one change, for `bench:latency --batch-ms`: the offscreen
 * session's socket batch (100 ms in lib/session/capture-session.ts) is rewritten at build time to
 * CAPTIONIST_BENCH_BATCH_MS, and the build goes to its own folder, so a smaller batch can be
 * measured in the real extension without a setting for it. The build fails if the batch
 * constructor call it rewrites is no longer in the source.
 */
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';
import base from '../wxt.config';

const batchMs = Number(process.env.CAPTIONIST_BENCH_BATCH_MS ?? '100');
const BATCH_CALL = /new AudioBatcher\(SAMPLE_RATE, 0\.1,/;

function batchSize(): Plugin {
  return {
    name: 'captionist-bench-batch',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('lib/session/capture-session.ts')) return null;
      if (!BATCH_CALL.test(code)) throw new Error(`bench: "new AudioBatcher(SAMPLE_RATE, 0.1," not found in ${id}; update bench/latency-wxt.config.ts`);
      return code.replace(BATCH_CALL, `new AudioBatcher(SAMPLE_RATE, ${batchMs / 1000},`);
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
