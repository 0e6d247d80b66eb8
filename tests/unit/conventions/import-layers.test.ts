/**
 * Which top-level folders may import which (issue 11): the benchmarks and the tests share one kit
 * (testkit/) and never import each other; the kit imports neither; the product (lib/, entrypoints/,
 * components/, proxy/) imports none of the three. Every import specifier in every source file is
 * resolved (relative, or the `@/` alias for the repository root) and checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const PRODUCT = ['lib', 'entrypoints', 'components', 'proxy'];
const CHECKED = [...PRODUCT, 'bench', 'tests', 'testkit', 'scripts'];

/** Folders each layer may not import from. */
const FORBIDDEN: Record<string, readonly string[]> = {
  bench: ['tests'],
  tests: ['bench'],
  testkit: ['tests', 'bench'],
  ...Object.fromEntries(PRODUCT.map((layer) => [layer, ['testkit', 'tests', 'bench']])),
};

export interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

export interface LayerViolation {
  file: string;
  specifier: string;
  imports: string;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;

/** The top-level folder an import lands in, or null for a package or a builtin. */
function targetFolder(file: string, specifier: string): string | null {
  let resolved: string;
  if (specifier.startsWith('@/')) resolved = specifier.slice(2);
  else if (specifier.startsWith('.')) resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  else return null;
  return resolved.split('/')[0] ?? null;
}

export function layerViolations(files: readonly SourceFile[]): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const file of files) {
    const forbidden = FORBIDDEN[file.path.split('/')[0] ?? ''] ?? [];
    for (const match of file.text.matchAll(SPECIFIER)) {
      const specifier = match[2] ?? '';
      const target = targetFolder(file.path, specifier);
      if (target !== null && forbidden.includes(target)) found.push({ file: file.path, specifier, imports: target });
    }
  }
  return found;
}

function sourceFiles(folder: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, folder), { withFileTypes: true })) {
    const relative = `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(relative));
    } else if (/\.(?:ts|tsx|mts|mjs|js)$/.test(entry.name)) {
      out.push({ path: relative, text: readFileSync(path.join(REPO_ROOT, relative), 'utf8') });
    }
  }
  return out;
}

describe('import layers', () => {
  it('finds each kind of crossing, however the import is written', () => {
    const files: SourceFile[] = [
      { path: 'bench/a.ts', text: "import { x } from '../tests/fixtures/x';" },
      { path: 'tests/e2e/b.spec.ts', text: "import type { Y } from '@/bench/y';\nconst z = await import('../../bench/z');" },
      { path: 'testkit/c.ts', text: "export { w } from '../tests/w';" },
      { path: 'lib/d.ts', text: "import '../testkit/setup';" },
      { path: 'proxy/e.ts', text: "import { v } from '@/tests/v';" },
      // Allowed: packages, the kit from either side, tests from tests, product from anywhere.
      { path: 'bench/ok.ts', text: "import { a } from '../testkit/a';\nimport { b } from '../lib/b';\nimport ws from 'ws';" },
      { path: 'tests/unit/ok.ts', text: "import { c } from '@/testkit/c';\nimport { d } from '../e2e/d';" },
    ];
    expect(layerViolations(files)).toEqual([
      { file: 'bench/a.ts', specifier: '../tests/fixtures/x', imports: 'tests' },
      { file: 'tests/e2e/b.spec.ts', specifier: '@/bench/y', imports: 'bench' },
      { file: 'tests/e2e/b.spec.ts', specifier: '../../bench/z', imports: 'bench' },
      { file: 'testkit/c.ts', specifier: '../tests/w', imports: 'tests' },
      { file: 'lib/d.ts', specifier: '../testkit/setup', imports: 'testkit' },
      { file: 'proxy/e.ts', specifier: '@/tests/v', imports: 'tests' },
    ]);
  });

  it('holds for every source file in the repository', () => {
    // This file's own samples above are text, not imports.
    const files = CHECKED.flatMap(sourceFiles).filter((file) => file.path !== 'tests/unit/conventions/import-layers.test.ts');
    expect(files.length).toBeGreaterThan(100);
    expect(layerViolations(files)).toEqual([]);
  });
});
