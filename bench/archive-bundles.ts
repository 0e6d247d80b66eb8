/**
 * The archive and the panel's search over it, bundled for a page of the built extension
 * (bench/session-search.ts): as they are now, and as they were before the search text
 * (lib/persistence/search-text.ts) at git ref `oldRef`, so one run compares both on the same data.
 * Each bundle sets globalThis[name] = { openTranscriptArchive, archiveHistory }.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from '../testkit/browser/launch';

/** The files that changed with the search text; every other import is today's (unchanged by it). */
const OLD_FILES = ['lib/persistence/transcript-archive.ts', 'lib/views/session-history-archive.ts'];

const ENTRY = `export { openTranscriptArchive } from './lib/persistence/transcript-archive';
export { archiveHistory } from './lib/views/session-history-archive';`;

/** Loads OLD_FILES as they were at `ref`. */
function filesAt(ref: string): Plugin {
  return {
    name: 'files-at-ref',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
        const relative = path.relative(REPO_ROOT, args.path);
        if (!OLD_FILES.includes(relative)) return undefined;
        return { contents: execFileSync('git', ['show', `${ref}:${relative}`], { cwd: REPO_ROOT, encoding: 'utf8' }), loader: 'ts' };
      });
    },
  };
}

export async function archiveBundle(globalName: string, oldRef?: string): Promise<string> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'bench-archive-entry.ts' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'chrome120',
    plugins: oldRef ? [filesAt(oldRef)] : [],
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote nothing');
  return output.text;
}
