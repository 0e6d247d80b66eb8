/**
 * Bundle budgets, checked on every CI run after `wxt build` (`npm run size`).
 *
 * Reads the built extension (.output/chrome-mv3, or the folder given as the first argument),
 * gzips every JavaScript file (level 9) and sums, per entry point, the files that entry loads:
 *   - the content script (injected into the pages people caption: the tightest budget),
 *   - each HTML page: its module script plus every chunk reached through static imports
 *     (modulepreload links and `import ... from "./x.js"`); chunks reached only through dynamic
 *     `import("./x.js")` are shown apart as "lazy",
 *   - the background service worker and unlisted scripts (the PCM AudioWorklet).
 * It also sizes the store zip (deflate-9 entries plus zip headers; within 0.5 % of what `wxt zip`
 * writes) without writing one. Prints a table; exits 1 naming every entry over budget and by how much.
 *
 * Sizes are in kB of 1000 bytes, as WXT's build log prints them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, gzipSync } from 'node:zlib';

export type EntryKind = 'content script' | 'page' | 'background' | 'unlisted script' | 'store zip';

export interface SizedEntry {
  kind: EntryKind;
  /** "content-scripts/captions.js", "popup.html", "store zip" */
  name: string;
  /** Files counted, relative to the output folder (JS only; for the zip, every file). */
  files: string[];
  /** Sum of the gzip sizes of `files` (for the zip: the zip's size). */
  bytes: number;
  /** Raw (uncompressed) size of `files`. */
  rawBytes: number;
  /** Chunks a page loads only through dynamic import(), gzip bytes (not in `bytes`). */
  lazyBytes: number;
  /** CSS the page links, gzip bytes (shown, not budgeted). */
  cssBytes: number;
}

/** Budgets in bytes, by entry name; `defaultFor` applies to any entry without its own. */
export interface Budgets {
  byName: Record<string, number>;
  defaultFor: Record<EntryKind, number>;
}

const KB = 1000;

/**
 * Chosen on 2026-11-25 from the sizes at e72b25b (in parentheses) with about a third of headroom
 * for the features still to come; the content script's 20 kB is the product's promise for the
 * pages it is injected into, not a number with headroom.
 */
export const BUDGETS: Budgets = {
  byName: {
    // (18.2: overlay 10, preact 5, webextension-polyfill 2.7.) 20 kB until 2026-12-06, when a meeting's
    // second live tail and "You", and the overlay's video clearance and focus key, took it to 20.2:
    // raised by 1 kB rather than cut a user-facing feature; the next overlay feature makes room first.
    'content-scripts/captions.js': 21 * KB,
    'background.js': 48 * KB, // (33.0)
    'offscreen.html': 72 * KB, // (47.5: zod schemas 24)
    'capture.html': 72 * KB, // Firefox's stand-in for the offscreen document, the same code (37.0 on 2026-12-06)
    'popup.html': 60 * KB, // (43.4: zod schemas 24, through storage/settings and protocol)
    'sidepanel.html': 72 * KB, // (50.3: zod schemas 24)
    'options.html': 72 * KB, // (54.2: zod schemas 24)
    'permission.html': 20 * KB, // (10.4)
    'pcm-worklet.js': 8 * KB, // (2.9)
    'store zip': 250 * KB, // (155.8)
  },
  defaultFor: {
    'content script': 21 * KB,
    page: 48 * KB,
    background: 48 * KB,
    'unlisted script': 16 * KB,
    'store zip': 250 * KB,
  },
};

function gzipBytes(data: Buffer): number {
  return gzipSync(data, { level: 9 }).length;
}

function listFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const relative = dir ? `${dir}/${name}` : name;
    if (statSync(path.join(root, relative)).isDirectory()) out.push(...listFiles(root, relative));
    else out.push(relative);
  }
  return out;
}

/** Resolves "./x.js" or "/chunks/x.js" written in `from` (a file relative to the output root). */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('/')) return specifier.slice(1);
  if (specifier.startsWith('./') || specifier.startsWith('../')) return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return undefined; // bare specifiers cannot load in an extension page
}

/** Static and dynamic relative imports of a built (minified) ES module. */
export function importsOf(code: string): { staticImports: string[]; dynamicImports: string[] } {
  const staticImports = new Set<string>();
  const dynamicImports = new Set<string>();
  // `import{a as b}from"./x.js"`, `import"./x.js"`, `export{a}from"./x.js"`, `export*from"./x.js"`
  for (const match of code.matchAll(/\b(?:import|export)\s*(?:[\w*${},\s]*?\bfrom\s*)?["'`]([^"'`]+\.js)["'`]/g)) {
    if (match[1]) staticImports.add(match[1]);
  }
  for (const match of code.matchAll(/\bimport\s*\(\s*["'`]([^"'`]+\.js)["'`]\s*\)/g)) {
    if (match[1]) dynamicImports.add(match[1]);
  }
  for (const dynamic of dynamicImports) staticImports.delete(dynamic);
  return { staticImports: [...staticImports], dynamicImports: [...dynamicImports] };
}

/** The JS files `start` pulls in through static imports (itself included), and those only reached dynamically. */
export function moduleClosure(root: string, start: readonly string[]): { eager: string[]; lazy: string[] } {
  const eager = new Set<string>();
  const lazy = new Set<string>();
  const visit = (file: string, into: Set<string>) => {
    if (eager.has(file) || into.has(file) || !existsSync(path.join(root, file))) return;
    into.add(file);
    const { staticImports, dynamicImports } = importsOf(readFileSync(path.join(root, file), 'utf8'));
    for (const specifier of staticImports) {
      const target = resolveSpecifier(file, specifier);
      if (target) visit(target, into);
    }
    for (const specifier of dynamicImports) {
      const target = resolveSpecifier(file, specifier);
      if (target) visit(target, lazy);
    }
  };
  for (const file of start) visit(file, eager);
  for (const file of eager) lazy.delete(file);
  return { eager: [...eager], lazy: [...lazy] };
}

/** Module scripts, modulepreloads and stylesheets an HTML page names. */
export function pageAssets(html: string, page: string): { scripts: string[]; styles: string[] } {
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) {
    const target = match[1] && resolveSpecifier(page, match[1].startsWith('/') || match[1].startsWith('.') ? match[1] : `./${match[1]}`);
    if (target) scripts.push(target);
  }
  for (const match of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = match[0];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (!href) continue;
    const target = resolveSpecifier(page, href.startsWith('/') || href.startsWith('.') ? href : `./${href}`);
    if (!target) continue;
    if (/\brel="modulepreload"/.test(tag)) scripts.push(target);
    else if (/\brel="stylesheet"/.test(tag)) styles.push(target);
  }
  return { scripts, styles };
}

/**
 * The exact size of a zip holding every file of `root` with DEFLATE level 9 (stored when that is
 * not smaller): local header 30 + name + data, central header 46 + name, end record 22.
 */
export function zipSize(root: string, files: readonly string[]): number {
  let total = 22;
  // Folder entries ("chunks/"), as JSZip (which `wxt zip` uses) writes them.
  const folders = new Set(files.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)));
  for (const folder of folders) total += 30 + 46 + 2 * Buffer.byteLength(folder);
  for (const file of files) {
    const data = readFileSync(path.join(root, file));
    const compressed = Math.min(deflateRawSync(data, { level: 9 }).length, data.length);
    const name = Buffer.byteLength(file);
    total += 30 + name + compressed + 46 + name;
  }
  return total;
}

function sizeOf(root: string, files: readonly string[]): { bytes: number; rawBytes: number } {
  let bytes = 0;
  let rawBytes = 0;
  for (const file of files) {
    const data = readFileSync(path.join(root, file));
    bytes += gzipBytes(data);
    rawBytes += data.length;
  }
  return { bytes, rawBytes };
}

export function measureOutput(root: string): SizedEntry[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as {
    background?: { service_worker?: string };
    content_scripts?: { js?: string[] }[];
  };
  const all = listFiles(root);
  const entries: SizedEntry[] = [];
  const covered = new Set<string>();
  const add = (kind: EntryKind, name: string, start: string[], styles: string[] = []) => {
    const { eager, lazy } = moduleClosure(root, start);
    eager.forEach((file) => covered.add(file));
    lazy.forEach((file) => covered.add(file));
    const { bytes, rawBytes } = sizeOf(root, eager);
    entries.push({
      kind,
      name,
      files: eager,
      bytes,
      rawBytes,
      lazyBytes: sizeOf(root, lazy).bytes,
      cssBytes: sizeOf(root, styles.filter((file) => existsSync(path.join(root, file)))).bytes,
    });
  };

  // Runtime-registered content scripts are not in the manifest; WXT puts them all in content-scripts/.
  const contentScripts = new Set([
    ...all.filter((file) => file.startsWith('content-scripts/') && file.endsWith('.js')),
    ...(manifest.content_scripts ?? []).flatMap((script) => script.js ?? []),
  ]);
  for (const file of contentScripts) add('content script', file, [file]);
  for (const page of all.filter((file) => file.endsWith('.html'))) {
    const { scripts, styles } = pageAssets(readFileSync(path.join(root, page), 'utf8'), page);
    add('page', page, scripts, styles);
  }
  const worker = manifest.background?.service_worker;
  if (worker) add('background', worker, [worker]);
  // Whatever JS no entry above loads and is not a shared chunk: unlisted scripts (the worklet).
  for (const file of all.filter((f) => f.endsWith('.js') && !f.startsWith('chunks/') && !covered.has(f))) {
    add('unlisted script', file, [file]);
  }
  entries.push({ kind: 'store zip', name: 'store zip', files: all, bytes: zipSize(root, all), rawBytes: sizeOf(root, all).rawBytes, lazyBytes: 0, cssBytes: 0 });
  return entries;
}

export interface BudgetCheck {
  entry: SizedEntry;
  budget: number;
  over: boolean;
}

export function checkBudgets(entries: readonly SizedEntry[], budgets: Budgets = BUDGETS): BudgetCheck[] {
  return entries.map((entry) => {
    const budget = budgets.byName[entry.name] ?? budgets.defaultFor[entry.kind];
    return { entry, budget, over: entry.bytes > budget };
  });
}

const kb = (bytes: number) => (bytes / KB).toFixed(1);

export function formatTable(checks: readonly BudgetCheck[]): string {
  const header = ['entry', 'kind', 'gzip kB', 'budget kB', 'use', 'raw kB', 'lazy kB', 'css kB', 'files'];
  const rows = checks.map(({ entry, budget, over }) => [
    entry.name,
    entry.kind,
    kb(entry.bytes),
    kb(budget),
    `${Math.round((entry.bytes / budget) * 100)} %${over ? ' OVER' : ''}`,
    kb(entry.rawBytes),
    entry.lazyBytes ? kb(entry.lazyBytes) : '-',
    entry.cssBytes ? kb(entry.cssBytes) : '-',
    entry.kind === 'store zip' ? `${entry.files.length} files` : String(entry.files.length),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function main(): number {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const root = path.resolve(process.argv[2] ?? path.join(repoRoot, '.output', 'chrome-mv3'));
  if (!existsSync(path.join(root, 'manifest.json'))) {
    console.error(`No built extension at ${root} (no manifest.json). Run \`npx wxt build\` first.`);
    return 1;
  }
  const checks = checkBudgets(measureOutput(root));
  console.log(`Bundle sizes of ${path.relative(process.cwd(), root) || root} (gzip -9; kB = 1000 bytes)\n`);
  console.log(formatTable(checks));
  const over = checks.filter((check) => check.over);
  if (over.length === 0) {
    console.log('\nAll entries within budget.');
    return 0;
  }
  console.error('');
  for (const { entry, budget } of over) {
    console.error(`OVER BUDGET: ${entry.name} is ${kb(entry.bytes)} kB gzip, budget ${kb(budget)} kB (+${kb(entry.bytes - budget)} kB). Files: ${entry.files.join(', ')}`);
  }
  return 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
