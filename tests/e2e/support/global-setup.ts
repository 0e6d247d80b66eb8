/**
 * Before the suite: the extension must be built (npm test builds it first; a missing build is
 * built here so `npm run test:e2e` works alone) and the speech audio converted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXTENSION_DIR, REPO_ROOT } from '../../../testkit/browser/launch';
import { prepareAudio } from '../../../scripts/prepare-audio';

export default async function globalSetup(): Promise<void> {
  const built = existsSync(path.join(EXTENSION_DIR, 'manifest.json'));
  if (!built && process.env.CAPTIONIST_EXTENSION_DIR) {
    throw new Error(`CAPTIONIST_EXTENSION_DIR=${process.env.CAPTIONIST_EXTENSION_DIR} holds no built extension (manifest.json).`);
  }
  if (!built) {
    console.log(`No extension build at ${EXTENSION_DIR}; running wxt build`);
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  // The Firefox package for tests/e2e-firefox (npm test builds it; built here when missing).
  if (!existsSync(path.join(REPO_ROOT, '.output', 'firefox-mv3', 'manifest.json'))) {
    console.log('No Firefox build in .output/firefox-mv3; running wxt build -b firefox');
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build', '-b', 'firefox'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const audio = await prepareAudio();
  if (!audio.ok) throw new Error(audio.message);
}
