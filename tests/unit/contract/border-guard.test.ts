/**
 * The contract's border, checked by reading the source tree (the way the refined-github
 * extension tests its own feature conventions): what must go through lib/contract/ does, and no
 * message is answered by two contexts (the first answer wins in Chrome, so two answerers race).
 *
 * To add a rule of the "only lib/contract/ may say this" kind, add a row to CONTRACT_ONLY.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAPTURE_QUERY_SHAPES, OFFSCREEN_COMMAND_SHAPES, OVERLAY_REQUEST_SHAPES, PAGE_REQUEST_SHAPES } from '@/lib/contract/messages';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE_DIRS = ['lib', 'components', 'entrypoints'];
const CONTRACT_DIR = 'lib/contract/';

export interface SourceFile {
  /** Relative to the repository, with forward slashes. */
  path: string;
  text: string;
}

/** Something only lib/contract/ may use. */
interface ContractOnlyRule {
  name: string;
  pattern: RegExp;
  why: string;
}

const CONTRACT_ONLY: ContractOnlyRule[] = [
  {
    name: 'runtime messaging',
    pattern: /\b(?:runtime\.sendMessage|runtime\.onMessage|tabs\.sendMessage)\b/,
    why: 'lib/contract/messaging.ts checks every message and sender; a direct call skips both',
  },
];

/** Each receiver of lib/contract/messaging.ts and the request types it answers. */
const RECEIVERS: Record<string, readonly string[]> = {
  answerPageRequests: Object.keys(PAGE_REQUEST_SHAPES),
  answerOverlayRequests: Object.keys(OVERLAY_REQUEST_SHAPES),
  answerOffscreenCommands: Object.keys(OFFSCREEN_COMMAND_SHAPES),
  answerCaptureQueries: Object.keys(CAPTURE_QUERY_SHAPES),
};

function readSources(): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const relative = `${dir}/${name}`;
      if (statSync(path.join(ROOT, relative)).isDirectory()) walk(relative);
      else if (/\.tsx?$/.test(name)) files.push({ path: relative, text: readFileSync(path.join(ROOT, relative), 'utf8') });
    }
  };
  SOURCE_DIRS.forEach(walk);
  return files;
}

/** "file:line: text" for each use of a contract-only API outside lib/contract/. */
export function contractOnlyViolations(files: readonly SourceFile[], rules: readonly ContractOnlyRule[] = CONTRACT_ONLY): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (file.path.startsWith(CONTRACT_DIR)) continue;
    file.text.split('\n').forEach((line, index) => {
      for (const rule of rules) if (rule.pattern.test(line)) found.push(`${file.path}:${index + 1}: ${rule.name} (${rule.why}): ${line.trim()}`);
    });
  }
  return found;
}

/**
 * Entry points that are one context in two browsers: Firefox's capture tab stands in for Chrome's
 * offscreen document (lib/background/capture-tab.ts), and no build has both (each page's
 * manifest.include names its browser).
 */
const SAME_CONTEXT: Readonly<Record<string, string>> = { capture: 'offscreen' };

/** The extension context (entry point) a file under entrypoints/ starts, if any. */
function entryContext(file: string): string | null {
  const match = /^entrypoints\/([^/]+?)(?:\.tsx?$|\/)/.exec(file);
  return match ? (SAME_CONTEXT[match[1]!] ?? match[1]!) : null;
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveImport(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return null; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) if (known.has(candidate)) return candidate;
  return null;
}

/** For each file, the contexts whose code includes it (through imports from their entry files). */
export function contextsOf(files: readonly SourceFile[]): Map<string, Set<string>> {
  const known = new Set(files.map((f) => f.path));
  const imports = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const match of file.text.matchAll(IMPORT)) {
      const resolved = resolveImport(file.path, (match[1] ?? match[2])!, known);
      if (resolved) targets.push(resolved);
    }
    imports.set(file.path, targets);
  }
  const contexts = new Map<string, Set<string>>();
  for (const file of files) {
    const context = entryContext(file.path);
    if (!context) continue;
    const queue = [file.path];
    while (queue.length > 0) {
      const next = queue.pop()!;
      const set = contexts.get(next) ?? new Set<string>();
      if (set.has(context)) continue;
      set.add(context);
      contexts.set(next, set);
      queue.push(...(imports.get(next) ?? []));
    }
  }
  return contexts;
}

/** Each request type and the contexts that answer it: those whose code calls its receiver. */
export function answeringContexts(files: readonly SourceFile[], receivers: Record<string, readonly string[]> = RECEIVERS): Map<string, Set<string>> {
  const contexts = contextsOf(files);
  const answered = new Map<string, Set<string>>();
  for (const types of Object.values(receivers)) for (const type of types) answered.set(type, answered.get(type) ?? new Set());
  for (const file of files) {
    if (file.path.startsWith(CONTRACT_DIR)) continue; // where the receivers are defined
    for (const [receiver, types] of Object.entries(receivers)) {
      if (!new RegExp(`\\b${receiver}\\s*\\(`).test(file.text)) continue;
      // A receiver in a file no entry point reaches is counted as its own context: it is a bug either way.
      const where = contexts.get(file.path) ?? new Set([`(unreached) ${file.path}`]);
      for (const type of types) for (const context of where) answered.get(type)!.add(context);
    }
  }
  return answered;
}

/** "type: contexts" for every request type answered by no context or by more than one. */
export function answererViolations(files: readonly SourceFile[], receivers?: Record<string, readonly string[]>): string[] {
  return [...answeringContexts(files, receivers)]
    .filter(([, where]) => where.size !== 1)
    .map(([type, where]) => `${type}: answered in ${where.size === 0 ? 'no context' : [...where].sort().join(', ')}`);
}

describe('the contract border', () => {
  const sources = readSources();

  it('reads the source tree (the guard is looking at something)', () => {
    expect(sources.some((f) => f.path === 'entrypoints/background.ts')).toBe(true);
    expect(sources.some((f) => f.path === 'lib/contract/messaging.ts')).toBe(true);
  });

  it('only lib/contract/ sends or receives runtime messages', () => {
    expect(contractOnlyViolations(sources)).toEqual([]);
  });

  it('every request type is answered in exactly one context', () => {
    expect(answererViolations(sources)).toEqual([]);
    const answered = answeringContexts(sources);
    expect([...answered.get('session/get')!]).toEqual(['background']);
    expect([...answered.get('offscreen/start')!]).toEqual(['offscreen']);
    expect([...answered.get('overlay/live-session')!]).toEqual(['background']);
  });

  it('no request type belongs to two receivers', () => {
    const all = Object.values(RECEIVERS).flat();
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('the guard itself fails on', () => {
  it('runtime messaging outside lib/contract/', () => {
    const files: SourceFile[] = [
      { path: 'components/x.ts', text: "import { browser } from 'wxt/browser';\nbrowser.runtime.sendMessage({ type: 'session/get' });" },
      { path: 'entrypoints/background.ts', text: 'chrome.tabs.sendMessage(1, {});\nbrowser.runtime.onMessage.addListener(() => {});' },
      { path: 'lib/contract/messaging.ts', text: 'browser.runtime.sendMessage(m);' },
    ];
    expect(contractOnlyViolations(files).map((v) => v.split(':').slice(0, 2).join(':'))).toEqual([
      'components/x.ts:2',
      'entrypoints/background.ts:1',
      'entrypoints/background.ts:2',
    ]);
  });

  it('a request answered in two contexts, including through a module both import', () => {
    const files: SourceFile[] = [
      { path: 'entrypoints/background.ts', text: "import { wire } from '@/lib/shared';\nanswerPageRequests({});" },
      { path: 'entrypoints/offscreen/main.ts', text: "import { wire } from '../../lib/shared';\nanswerOffscreenCommands({});" },
      { path: 'lib/shared.ts', text: 'export const wire = () => answerPageRequests({});' },
    ];
    const receivers = { answerPageRequests: ['session/get'], answerOffscreenCommands: ['offscreen/start'] };
    expect(answererViolations(files, receivers)).toEqual(['session/get: answered in background, offscreen']);
    expect(answererViolations(files.slice(0, 2), receivers)).toEqual([]);
    expect(answererViolations(files.slice(1, 2), receivers)).toEqual(['session/get: answered in no context']);
  });
});
