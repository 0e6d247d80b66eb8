/**
 * Builds the extension for a benchmark into its own folder (.cache/latency-build/batch-<N>ms),
 * with the socket batch set to N ms (see latency-wxt.config.ts; 100 ms is the product's own
 * build), so benchmarks neither race other builds of .output/ nor need a setting for the batch.
 *
 * `gitRef` builds a committed version instead of the work tree (`git archive` into
 * .cache/latency-src/, sharing node_modules): useful when the work tree is mid-edit.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../testkit/browser/launch';

export const BENCH_BUILD_ROOT = path.join(REPO_ROOT, '.cache', 'latency-build');
const SOURCE_ROOT = path.join(REPO_ROOT, '.cache', 'latency-src');

function checkout(gitRef: string): string {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${gitRef}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(SOURCE_ROOT, commit.slice(0, 12));
  if (!existsSync(path.join(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execSync(`git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  }
  return dir;
}

/** Returns the unpacked extension folder; builds it unless `rebuild` is false and it exists. */
export function buildBenchExtension(batchMs: number, rebuild: boolean, gitRef?: string, flushOnOpen = false): string {
  const outDir = path.join(BENCH_BUILD_ROOT, `batch-${batchMs}ms${flushOnOpen ? '-flush' : ''}`);
  const extensionDir = path.join(outDir, 'chrome-mv3');
  if (rebuild || !existsSync(path.join(extensionDir, 'manifest.json'))) {
    const root = gitRef ? checkout(gitRef) : REPO_ROOT;
    console.error(`building ${gitRef ?? 'the work tree'} with ${batchMs} ms socket batches${flushOnOpen ? ', flushed when the gate opens' : ''} -> ${path.relative(REPO_ROOT, extensionDir)}`);
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build', root, '-c', path.join(REPO_ROOT, 'bench', 'latency-wxt.config.ts')], {
      cwd: root,
      env: { ...process.env, CAPTIONIST_BENCH_BATCH_MS: String(batchMs), CAPTIONIST_BENCH_FLUSH_ON_OPEN: flushOnOpen ? '1' : '0', CAPTIONIST_BENCH_OUT_DIR: outDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return extensionDir;
}
