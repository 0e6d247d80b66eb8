/**
 * The project's WXT config with one change, for `bench:panel`'s named baseline: the transcript
 * list renders every row at once (TranscriptList's `progressive` defaults to false instead of
 * true), so the benchmark can compare the panel with the same panel without progressive render
 * from the live end. The product has no switch for it; the change is made here, at build time, and
 * the build goes to its own folder. The build fails if the code it rewrites is no longer there.
 */
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';
import base from '../wxt.config';

const PROGRESSIVE_DEFAULT = 'progressive = true }: TranscriptListProps';

function renderEveryRowAtOnce(): Plugin {
  let rewritten = false;
  return {
    name: 'captionist-bench-panel-baseline',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('components/transcript-list.tsx')) return null;
      if (!code.includes(PROGRESSIVE_DEFAULT)) throw new Error(`bench: "${PROGRESSIVE_DEFAULT}" not found in ${id}; update bench/panel-baseline-wxt.config.ts`);
      rewritten = true;
      return code.replace(PROGRESSIVE_DEFAULT, 'progressive = false }: TranscriptListProps');
    },
    // WXT builds each entrypoint on its own; only the side panel's build includes the list.
    generateBundle(_options, bundle) {
      const sidePanel = Object.keys(bundle).some((name) => name.includes('sidepanel'));
      if (sidePanel && !rewritten) throw new Error('bench: the side panel was built without components/transcript-list.tsx being rewritten');
    },
  };
}

export default defineConfig({
  ...base,
  outDir: process.env.CAPTIONIST_BENCH_OUT_DIR ?? '.cache/panel-baseline-build',
  vite: async (env) => {
    const inner = typeof base.vite === 'function' ? await base.vite(env) : {};
    return { ...inner, plugins: [...(inner.plugins ?? []), renderEveryRowAtOnce()] };
  },
});
