/**
 * Comments cite only what is in this repository: every file path a comment names (a doc under
 * docs/, a module, a config file) must exist, either from the citing file's folder or from the
 * repository root. A bare file name (`see timeline.ts`) may name a file anywhere in the repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenCitations, commentsOf, pathsIn } from './comment-citations';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Tracked files, plus new ones not yet committed (so a new file is checked before its commit). */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return listed.split('\n').filter((file) => file !== '');
}

const TEXT_FILE = /(\.(ts|tsx|css|html|sql|sh|yml|yaml|conf)|Dockerfile|^\.ci\/run)$/;

/**
 * Names in comments that are not files of this repository, on purpose: what the build writes to
 * .output/, what nginx and the user write at run time, and examples of a syntax.
 */
const NOT_REPOSITORY_FILES: Readonly<Record<string, readonly string[]>> = {
  'bench/abuse-limits.ts': ['DIR/proxy/main.ts'], // a placeholder for another checkout's folder
  'bench/cluster.ts': ['nginx.conf'], // written to a temporary folder at run time
  'testkit/servers/cluster-topology.ts': ['nginx.conf'], // written to a temporary folder at run time
  'bench/panel.ts': ['sidepanel.html'], // a page of the built extension
  'scripts/check-bundle-size.ts': ['./x.js', 'content-scripts/captions.js', 'popup.html'], // an import's syntax; built files
  'proxy/deploy/docker-compose.yml': ['tokens.txt'], // the file the operator creates
  'tests/unit/check-bundle-size.test.ts': ['a.txt'], // an entry of the zip the test builds
};

describe('comment citations', () => {
  it('reads paths from comments only, and reports one that does not exist', () => {
    const source = [
      "const text = 'docs/not-a-citation.md';",
      '// Rules: docs/missing-protocol.md §4 and ../shared/reference/notes.md; see lib/i18n.ts.',
      '/** Background: https://example.com/guide.md (a URL, not a file). */',
      'const re = /\\/\\/ not a comment.md/;',
      'const t = `${a}//x.md`; // but this one is: docs/missing-too.md',
    ].join('\n');
    expect(commentsOf('lib/example.ts', source).map((comment) => comment.line)).toEqual([2, 3, 5]);
    expect(brokenCitations(ROOT, 'lib/example.ts', source)).toEqual([
      { file: 'lib/example.ts', line: 2, cited: 'docs/missing-protocol.md' },
      { file: 'lib/example.ts', line: 2, cited: '../shared/reference/notes.md' },
      { file: 'lib/example.ts', line: 5, cited: 'docs/missing-too.md' },
    ]);
  });

  it('resolves from the citing folder, from the root, by bare name and through @/', () => {
    const source = '// timeline.ts, ./pcm-pipeline.ts, lib/audio/timeline.ts, @/lib/i18n.ts, ../listen/protocol.ts, node_modules';
    expect(pathsIn(source)).toEqual(['timeline.ts', './pcm-pipeline.ts', 'lib/audio/timeline.ts', '@/lib/i18n.ts', '../listen/protocol.ts']);
    expect(brokenCitations(ROOT, 'lib/audio/resampler.ts', source)).toEqual([]);
    expect(brokenCitations(ROOT, 'proxy/server.ts', '// ./pcm-pipeline.ts')).toHaveLength(1);
  });

  it('finds comments in SQL, nginx, shell and CSS files too', () => {
    expect(brokenCitations(ROOT, 'a.sql', "-- see docs/gone.md\nSELECT '-- x.md';").map((b) => b.cited)).toEqual(['docs/gone.md']);
    expect(brokenCitations(ROOT, 'a.conf', 'server { # docs/gone.md\n}').map((b) => b.cited)).toEqual(['docs/gone.md']);
    expect(brokenCitations(ROOT, 'a.css', '/* docs/gone.md */ a { color: red; }').map((b) => b.cited)).toEqual(['docs/gone.md']);
  });

  it('every path a comment in this repository cites exists in it', () => {
    const files = repositoryFiles();
    const baseNames = new Set(files.map((file) => path.basename(file)));
    const broken = files
      .filter((file) => TEXT_FILE.test(file))
      .flatMap((file) => brokenCitations(ROOT, file, readFileSync(path.join(ROOT, file), 'utf8')))
      .filter(({ cited }) => cited.includes('/') || !baseNames.has(cited))
      .filter(({ file, cited }) => !NOT_REPOSITORY_FILES[file]?.includes(cited))
      .map(({ file, line, cited }) => `${file}:${line} cites ${cited}`);
    expect(broken).toEqual([]);
  });
});
