/**
 * The storage half of the border guard: only lib/contract/ touches extension storage. Every key
 * is defined once in lib/contract/storage/items.ts, with its parse step and version; everything
 * else goes through those items, so no module reads a key raw, and no one adds a key unseen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/** The extension's own code (tests and e2e pages may read storage to check it). */
const SCANNED = ['lib', 'components', 'entrypoints'];
const ALLOWED = path.join('lib', 'contract') + path.sep;

/** Raw storage calls, and the storage library the items are built on. */
const FORBIDDEN: readonly { what: string; pattern: RegExp }[] = [
  { what: 'browser.storage / chrome.storage', pattern: /\b(?:browser|chrome)\s*\.\s*storage\b/ },
  { what: 'the storage library (define an item in lib/contract/storage/items.ts)', pattern: /from\s+['"](?:wxt\/utils\/storage|@wxt-dev\/storage)['"]/ },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(?:ts|tsx|js|mjs)$/.test(name) ? [full] : [];
  });
}

/** `file:line: what` for every forbidden use in `text` (a file's contents). */
export function storageUses(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { what, pattern } of FORBIDDEN) if (pattern.test(line)) found.push(`${file}:${index + 1}: ${what}`);
  });
  return found;
}

describe('storage guard', () => {
  it('finds browser.storage, chrome.storage and the storage library (so the check below can fail)', () => {
    expect(storageUses('x.ts', "await browser.storage.local.get('proxyToken');")).toHaveLength(1);
    expect(storageUses('x.ts', 'chrome.storage.sync.set({ a: 1 })')).toHaveLength(1);
    expect(storageUses('x.ts', "import { storage } from 'wxt/utils/storage';")).toHaveLength(1);
    expect(storageUses('x.ts', "import { settingsItem } from './contract/storage/items';")).toEqual([]);
  });

  it('finds no storage use outside lib/contract/', () => {
    const offenders = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !file.startsWith(ALLOWED))
      .flatMap((file) => storageUses(file, readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
