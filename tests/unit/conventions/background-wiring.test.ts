/**
 * entrypoints/background.ts is a table of contents: it imports from lib/ and calls, in order, what
 * the background does (lib/background/ holds every rule, each module one concern). A handler
 * table, a condition or a callback written in the entrypoint is logic that belongs in a module of
 * lib/background/, where it can be named and tested; so is the 41st line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ENTRYPOINT = 'entrypoints/background.ts';
const MAX_LINES = 40;

/** What the entrypoint may import: WXT's own modules and the product's library. */
function mayImport(specifier: string): boolean {
  return specifier === '#imports' || specifier === 'wxt/browser' || specifier.startsWith('@/lib/');
}

/** Expressions that decide or define something, rather than pass a value along. */
const LOGIC: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.ArrowFunction, 'a function'],
  [ts.SyntaxKind.FunctionExpression, 'a function'],
  [ts.SyntaxKind.ClassExpression, 'a class'],
  [ts.SyntaxKind.ConditionalExpression, 'a condition'],
  [ts.SyntaxKind.BinaryExpression, 'an operator'],
  [ts.SyntaxKind.PrefixUnaryExpression, 'an operator'],
  [ts.SyntaxKind.ObjectLiteralExpression, 'an object literal (a table)'],
  [ts.SyntaxKind.ArrayLiteralExpression, 'an array literal'],
  [ts.SyntaxKind.AwaitExpression, 'an await'],
]);

/** "line N: what" for everything in `text` (the entrypoint's source) that is more than wiring. */
export function wiringViolations(text: string): string[] {
  const source = ts.createSourceFile(ENTRYPOINT, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`);

  const lines = text.replace(/\n$/, '').split('\n').length;
  if (lines > MAX_LINES) found.push(`${lines} lines, more than ${MAX_LINES}`);

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      if (!mayImport(specifier)) at(statement, `imports ${specifier} (only #imports, wxt/browser and @/lib/)`);
    } else if (ts.isExportAssignment(statement)) {
      checkDefineBackground(statement.expression, at);
    } else {
      at(statement, `a top-level ${ts.SyntaxKind[statement.kind]} (only imports and export default defineBackground)`);
    }
  }
  return found;
}

function checkDefineBackground(expression: ts.Expression, at: (node: ts.Node, what: string) => void): void {
  const main = ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'defineBackground' ? expression.arguments[0] : undefined;
  if (main === undefined || !ts.isArrowFunction(main) || !ts.isBlock(main.body)) {
    at(expression, 'the default export is not defineBackground(() => { ... })');
    return;
  }
  for (const statement of main.body.statements) {
    const calls = ts.isExpressionStatement(statement)
      ? [statement.expression]
      : ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.map((declaration) => declaration.initializer ?? declaration)
        : [];
    if (calls.length === 0) at(statement, `${ts.SyntaxKind[statement.kind]} (only calls, and constants a call returns)`);
    for (const call of calls) {
      if (!ts.isCallExpression(call)) at(call, 'a constant that no call returns');
      const visit = (node: ts.Node): void => {
        const logic = LOGIC.get(node.kind);
        if (logic !== undefined) at(node, logic);
        else ts.forEachChild(node, visit);
      };
      visit(call);
    }
  }
}

describe('entrypoints/background.ts', () => {
  it('only wires: imports from lib/ and calls, in at most 40 lines', () => {
    expect(wiringViolations(readFileSync(path.join(ROOT, ENTRYPOINT), 'utf8'))).toEqual([]);
  });
});

describe('the wiring check fails on', () => {
  const wrap = (body: string, imports = "import { defineBackground } from '#imports';") =>
    `${imports}\nexport default defineBackground(() => {\n${body}\n});\n`;

  it('nothing but wiring', () => {
    const imports = "import { defineBackground } from '#imports';\nimport { browser } from 'wxt/browser';\nimport { a, b } from '@/lib/background/a';";
    expect(wiringViolations(wrap('  const x = a(browser);\n  b(x, browser.tabs);', imports))).toEqual([]);
  });

  it('a handler table, a callback, a condition or an await written in the entrypoint', () => {
    const body = [
      "  answer({ 'session/get': () => get() });",
      '  listen((tab) => stop(tab));',
      '  start(isFirefox ? mic : tab);',
      '  const ready = call(await load());',
    ].join('\n');
    expect(wiringViolations(wrap(body))).toEqual([
      'line 3: an object literal (a table)',
      'line 4: a function',
      'line 5: a condition',
      'line 6: an await',
    ]);
  });

  it('statements other than calls, and constants that are not what a call returns', () => {
    expect(wiringViolations(wrap('  if (x) start();\n  const y = 1;\n  let z;'))).toEqual([
      'line 3: IfStatement (only calls, and constants a call returns)',
      'line 4: a constant that no call returns',
      'line 5: a constant that no call returns',
    ]);
  });

  it('an import from outside lib/, and code beside defineBackground', () => {
    const text = wrap('  start();', "import { defineBackground } from '#imports';\nimport { x } from '@/components/x';\nimport fs from 'node:fs';") + 'function helper() {}\n';
    expect(wiringViolations(text)).toEqual([
      "line 2: imports @/components/x (only #imports, wxt/browser and @/lib/)",
      "line 3: imports node:fs (only #imports, wxt/browser and @/lib/)",
      'line 7: a top-level FunctionDeclaration (only imports and export default defineBackground)',
    ]);
  });

  it('more than 40 lines', () => {
    expect(wiringViolations(wrap(Array.from({ length: 40 }, () => '  start();').join('\n')))).toEqual(['43 lines, more than 40']);
  });

  it('a default export that is not defineBackground', () => {
    expect(wiringViolations('export default main();\n')).toEqual(['line 1: the default export is not defineBackground(() => { ... })']);
  });
});
