/**
 * The Chrome Web Store package: `npm run zip` (wxt zip --mode store) must leave out the manifest's
 * development `key` (the store names the extension itself and refuses an upload that carries one),
 * and keep everything else the unpacked build has. The zip is read back as the store would.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
// JSZip is what wxt zip writes with (a dependency of wxt), so the test reads with the same library.
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_MODE } from '../../wxt.config';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT_DIR = path.join(ROOT, '.output', `chrome-mv3-${STORE_MODE}`);
const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const ZIP = path.join(ROOT, '.output', `${name}-${version}-chrome.zip`);

afterAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
  rmSync(ZIP, { force: true });
});

describe('the store zip', () => {
  it('has no development key, and the permissions and files of the unpacked build', { timeout: 180_000 }, async () => {
    await promisify(execFile)('npm', ['run', 'zip'], { cwd: ROOT, timeout: 170_000 });
    const zip = await JSZip.loadAsync(readFileSync(ZIP));
    const manifestFile = zip.file('manifest.json');
    expect(manifestFile).not.toBeNull();
    const manifest = JSON.parse((await manifestFile?.async('string')) ?? '{}') as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('key');
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions).toEqual(['storage', 'offscreen', 'tabCapture', 'activeTab', 'scripting', 'sidePanel']);
    for (const size of [16, 32, 48, 128]) expect(zip.file(`icon/${size}.png`), `icon/${size}.png`).not.toBeNull();
    expect(zip.file('_locales/en/messages.json')).not.toBeNull();
  });
});
