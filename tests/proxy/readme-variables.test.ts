/**
 * Convention: every environment variable the proxy reads is in proxy/README.md's table, and every
 * variable the table names is read. An operator configures the proxy from that table alone, so a
 * setting added without a row (or a row left behind by a removed setting) is a bug.
 *
 * The variables read are recorded, not grepped: the environment handed to the proxy's config
 * loaders is a Proxy that notes every name asked for, filled enough to reach each optional branch
 * (a Deepgram key, Redis, the archive).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadArchiveConfig } from '../../proxy/archive/archive-config';
import { loadConfig } from '../../proxy/config';

/** Read by the loaders but not the proxy's own settings. */
const NOT_SETTINGS = new Set(['PATH', 'HOME', 'NODE_ENV']);

const BRANCH_FILLERS: Record<string, string>[] = [
  {},
  {
    DEEPGRAM_API_KEY: 'readme-variables-test-key',
    REDIS_URL: 'redis://127.0.0.1:1',
    ARCHIVE_DATABASE_URL: 'postgres://127.0.0.1:1/archive',
    CAPTIONIST_TOKENS: 'readme-variables-token-0123456789abcdefghij',
  },
];

function variablesRead(): Set<string> {
  const read = new Set<string>();
  for (const filler of BRANCH_FILLERS) {
    const env = new Proxy(filler, {
      get(target, name) {
        if (typeof name === 'string' && /^[A-Z][A-Z0-9_]*$/.test(name)) read.add(name);
        return typeof name === 'string' ? target[name] : undefined;
      },
    });
    loadConfig(env);
    loadArchiveConfig(env);
  }
  for (const name of NOT_SETTINGS) read.delete(name);
  return read;
}

/** Names in the first column of the README's variables table (a row may name two: `A` / `B`). */
function variablesDocumented(): Set<string> {
  const readme = readFileSync(new URL('../../proxy/README.md', import.meta.url), 'utf8');
  const names = new Set<string>();
  for (const line of readme.split('\n')) {
    const firstCell = /^\| (`[A-Z][A-Z0-9_]*`(?: \/ `[A-Z][A-Z0-9_]*`)*) \|/.exec(line)?.[1];
    if (firstCell === undefined) continue;
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1] ?? '');
  }
  return names;
}

describe("proxy/README.md's variables table", () => {
  const read = variablesRead();
  const documented = variablesDocumented();

  it('reads a plausible set of variables (the recording works)', () => {
    expect(read.size).toBeGreaterThan(20);
    expect(read).toContain('REDIS_URL');
    expect(read).toContain('ARCHIVE_RETENTION_DAYS');
  });

  it('names every variable the proxy reads', () => {
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('names no variable the proxy does not read', () => {
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});
