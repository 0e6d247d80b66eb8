/**
 * Finds the file paths a source file's comments cite (`see lib/audio/timeline.ts`, a document
 * under docs/, a sibling module) and which of them do not exist in the repository. Comments are read with TypeScript's scanner for .ts/.tsx, so paths inside strings
 * and template literals are not mistaken for citations; other text files use their own comment
 * syntax (`#`, `--`, `/* *\/`, `<!-- -->`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Extensions a cited file may have. A name needs one of these (or a `/`) to count as a path. */
const CITED_EXTENSIONS = ['md', 'ts', 'tsx', 'js', 'mjs', 'cjs', 'json', 'sql', 'conf', 'sh', 'yml', 'yaml', 'css', 'html', 'txt'];

/**
 * A path: optional `@/` or `./`/`../` prefixes, then segments, ending in a cited extension. Not
 * preceded by a character that would make it the tail of something longer (a URL, a scoped name).
 */
const PATH = new RegExp(
  String.raw`(?<![\w@/.:-])((?:@\/|(?:\.{1,2}\/)+)?[\w-][\w.-]*(?:\/[\w.-]+)*\.(?:${CITED_EXTENSIONS.join('|')}))(?![\w/-])`,
  'g',
);

const URL = /\b[a-z][a-z+.-]*:\/\/\S+/gi;

/** Dotted names that are products, not files (Node.js). */
const NOT_FILES = new Set(['Node.js']);

export interface Citation {
  file: string;
  line: number;
  cited: string;
}

/** The comments of a file, each with the line it starts on (1-based). */
export function commentsOf(fileName: string, text: string): { line: number; text: string }[] {
  const extension = path.extname(fileName);
  if (extension === '.ts' || extension === '.tsx') return typeScriptComments(text, extension === '.tsx');
  // Each pattern matches a quoted string or a comment, so a comment marker inside a string is skipped.
  const patterns: Record<string, RegExp> = {
    '.css': /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\//g,
    '.html': /<!--[\s\S]*?-->/g,
    '.sql': /'(?:[^']|'')*'|--.*$|\/\*[\s\S]*?\*\//gm,
  };
  const hashComments = /"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|(?<=^|\s)#.*$/gm;
  const pattern = patterns[extension] ?? (isHashCommented(fileName) ? hashComments : null);
  if (!pattern) return [];
  return [...text.matchAll(pattern)]
    .filter((match) => !match[0].startsWith("'") && !match[0].startsWith('"'))
    .map((match) => ({ line: lineAt(text, match.index), text: match[0] }));
}

function isHashCommented(fileName: string): boolean {
  const base = path.basename(fileName);
  return ['.sh', '.yml', '.yaml', '.conf'].includes(path.extname(base)) || base === 'Dockerfile' || base === 'run' || base.startsWith('.');
}

function typeScriptComments(text: string, jsx: boolean): { line: number; text: string }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard, text);
  const comments: { line: number; text: string }[] = [];
  // The scanner alone cannot tell a regular expression from a division, nor the `}` that ends a
  // template's `${…}` from a block's; rescanning on those tokens keeps it in step. `openBraces`
  // holds, for each `${` still open, how many `{` are open inside it.
  const openBraces: number[] = [];
  let previous: ts.SyntaxKind = ts.SyntaxKind.Unknown;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      comments.push({ line: lineAt(text, scanner.getTokenStart()), text: scanner.getTokenText() });
      continue;
    }
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia) continue;
    const depth = openBraces.length - 1;
    if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && startsExpression(previous)) {
      kind = scanner.reScanSlashToken();
    } else if (kind === ts.SyntaxKind.TemplateHead) {
      openBraces.push(0);
    } else if (kind === ts.SyntaxKind.OpenBraceToken && depth >= 0) {
      openBraces[depth] = (openBraces[depth] ?? 0) + 1;
    } else if (kind === ts.SyntaxKind.CloseBraceToken && depth >= 0) {
      if (openBraces[depth] === 0) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === ts.SyntaxKind.TemplateTail) openBraces.pop();
      } else {
        openBraces[depth] = (openBraces[depth] ?? 1) - 1;
      }
    }
    previous = kind;
  }
  return comments;
}

/** After these tokens a `/` begins a regular expression, not a division. */
function startsExpression(previous: ts.SyntaxKind): boolean {
  switch (previous) {
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.CloseParenToken:
    case ts.SyntaxKind.CloseBracketToken:
    case ts.SyntaxKind.CloseBraceToken:
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateTail:
    case ts.SyntaxKind.RegularExpressionLiteral:
      return false;
    default:
      return true;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The paths a comment cites. */
export function pathsIn(comment: string): string[] {
  const withoutUrls = comment.replace(URL, ' ');
  return [...withoutUrls.matchAll(PATH)].map((match) => match[1]!).filter((cited) => !NOT_FILES.has(cited));
}

/** Whether `cited` names a file or folder, from the citing file's folder or from the repository root. */
export function resolves(root: string, citingFile: string, cited: string): boolean {
  if (cited.startsWith('@/')) return existsSync(path.join(root, cited.slice(2)));
  const candidates = [path.resolve(root, path.dirname(citingFile), cited), path.resolve(root, cited)];
  return candidates.some((candidate) => isInside(root, candidate) && existsSync(candidate));
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Every citation in `text` (the file `file`, relative to `root`) that names nothing in the repository. */
export function brokenCitations(root: string, file: string, text: string): Citation[] {
  const broken: Citation[] = [];
  for (const comment of commentsOf(file, text)) {
    const lines = comment.text.split('\n');
    lines.forEach((lineText, offset) => {
      for (const cited of pathsIn(lineText)) {
        if (!resolves(root, file, cited)) broken.push({ file, line: comment.line + offset, cited });
      }
    });
  }
  return broken;
}
