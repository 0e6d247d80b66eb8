/**
 * Builds bench:panel's baseline extension (panel-baseline-wxt.config.ts: every transcript row
 * rendered at once) into .cache/panel-baseline-build, apart from the product's .output/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../testkit/browser/launch';

const OUT_DIR = path.join(REPO_ROOT, '.cache', 'panel-baseline-build');

/** Returns the unpacked baseline extension; builds it unless `rebuild` is false and it exists. */
export function buildPanelBaseline(rebuild: boolean): string {
  const extensionDir = path.join(OUT_DIR, 'chrome-mv3');
  if (rebuild || !existsSync(path.join(extensionDir, 'manifest.json'))) {
    console.error(`building the panel baseline (every row at once) -> ${path.relative(REPO_ROOT, extensionDir)}`);
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build', '-c', path.join(REPO_ROOT, 'bench', 'panel-baseline-wxt.config.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, CAPTIONIST_BENCH_OUT_DIR: OUT_DIR },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return extensionDir;
}
