import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUDGETS, checkBudgets, importsOf, measureOutput, zipSize } from '@/scripts/check-bundle-size';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A miniature `wxt build` output. */
function fakeOutput(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bundle-size-'));
  dirs.push(root);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), body);
  }
  return root;
}

/** Incompressible JavaScript of about `bytes` gzip bytes. */
const noise = (bytes: number) => `var x="${randomBytes(bytes).toString('base64')}";`;

const MANIFEST = JSON.stringify({ manifest_version: 3, background: { service_worker: 'background.js' } });

describe('check-bundle-size', () => {
  it('reads static and dynamic imports of minified modules', () => {
    const { staticImports, dynamicImports } = importsOf('import{t as e}from"./a.js";import"./b.js";export*from"./c.js";const d=()=>import("./d.js");');
    expect(staticImports.sort()).toEqual(['./a.js', './b.js', './c.js']);
    expect(dynamicImports).toEqual(['./d.js']);
  });

  it("counts a page's script, its modulepreloads and their imports, and keeps lazy chunks apart", () => {
    const root = fakeOutput({
      'manifest.json': MANIFEST,
      'background.js': 'console.log(1)',
      'popup.html': '<script type="module" src="/chunks/popup-1.js"></script><link rel="modulepreload" href="/chunks/shared-1.js"><link rel="stylesheet" href="/assets/a.css">',
      'assets/a.css': 'body{color:red}',
      'chunks/popup-1.js': 'import{a}from"./shared-1.js";import{b}from"./deep-1.js";const l=()=>import("./lazy-1.js");',
      'chunks/shared-1.js': 'export const a=1;',
      'chunks/deep-1.js': 'export const b=2;',
      'chunks/lazy-1.js': 'export const c=3;',
      'chunks/unused-1.js': 'export const u=4;',
    });
    const popup = measureOutput(root).find((entry) => entry.name === 'popup.html');
    expect(popup?.files.sort()).toEqual(['chunks/deep-1.js', 'chunks/popup-1.js', 'chunks/shared-1.js']);
    expect(popup?.lazyBytes).toBeGreaterThan(0);
    expect(popup?.cssBytes).toBeGreaterThan(0);
  });

  it('fails a content script over 21 kB gzip and names it; passes one under', () => {
    const over = fakeOutput({ 'manifest.json': MANIFEST, 'background.js': '', 'content-scripts/captions.js': noise(22_000) });
    const overCheck = checkBudgets(measureOutput(over)).find((check) => check.entry.kind === 'content script');
    expect(overCheck).toMatchObject({ over: true, budget: 21_000 });
    expect(overCheck?.entry.bytes).toBeGreaterThan(21_000);

    const under = fakeOutput({ 'manifest.json': MANIFEST, 'background.js': '', 'content-scripts/captions.js': noise(15_000) });
    expect(checkBudgets(measureOutput(under)).every((check) => !check.over)).toBe(true);
  });

  it('budgets the content script at 21 kB and the worklet as an unlisted script', () => {
    expect(BUDGETS.byName['content-scripts/captions.js']).toBe(21_000);
    const root = fakeOutput({ 'manifest.json': MANIFEST, 'background.js': '', 'pcm-worklet.js': 'registerProcessor("x",class{})' });
    expect(measureOutput(root).find((entry) => entry.name === 'pcm-worklet.js')?.kind).toBe('unlisted script');
  });

  it('sizes a zip from headers and deflated data', () => {
    const root = fakeOutput({ 'a.txt': 'x'.repeat(1000), 'd/b.bin': randomBytes(100) });
    // a.txt deflates to a few bytes; b.bin is stored (100); names 5 and 7; one folder "d/" (2).
    const size = zipSize(root, ['a.txt', 'd/b.bin']);
    const fixed = 22 + (76 + 2 * 5) + (76 + 2 * 7) + (76 + 2 * 2) + 100;
    expect(size).toBeGreaterThan(fixed);
    expect(size).toBeLessThan(fixed + 30);
  });
});
