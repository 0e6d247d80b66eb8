/**
 * The speech-to-text key lives on the proxy only. A developer who keeps it in their shell (or in
 * a VITE_/WXT_ variable, which Vite does expose to bundles) while building must still get an
 * extension without it: build with planted secrets in the environment and read every file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** `wxt build --mode <m>` writes to .output/chrome-mv3-<m>, away from the build the e2e suite uses. */
const MODE = 'secretcheck';
const OUT_DIR = path.join(ROOT, '.output', `chrome-mv3-${MODE}`);

const DEEPGRAM_KEY = `dg${randomBytes(20).toString('hex')}`;
const CLIENT_TOKEN = `tok${randomBytes(16).toString('hex')}`;

/** The secret as it would appear raw, base64-encoded (e.g. in a data: URL or a Basic header) or hex. */
function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [...new Set([secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Files under `dir` that contain any encoding of any secret, as "file: secret". */
function findSecrets(dir: string, secrets: string[]): string[] {
  const needles = secrets.flatMap(encodingsOf);
  const hits: string[] = [];
  for (const file of filesUnder(dir)) {
    const body = readFileSync(file).toString('latin1');
    for (const needle of needles) if (body.includes(needle)) hits.push(`${path.relative(dir, file)}: ${needle}`);
  }
  return hits;
}

afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

describe('the built extension', () => {
  it('holds no Deepgram key or proxy token that was in the environment at build time', { timeout: 180_000 }, async () => {
    const planted = {
      DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      VITE_DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      WXT_DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      CAPTIONIST_TOKENS: CLIENT_TOKEN,
      VITE_CAPTIONIST_TOKENS: CLIENT_TOKEN,
      WXT_CAPTIONIST_TOKENS: CLIENT_TOKEN,
    };
    await promisify(execFile)('npx', ['wxt', 'build', '--mode', MODE], {
      cwd: ROOT,
      env: { ...process.env, ...planted },
      timeout: 170_000,
    });
    const files = filesUnder(OUT_DIR).map((file) => path.relative(OUT_DIR, file));
    // A scan of an empty or partial build would pass for the wrong reason.
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'background.js', 'content-scripts/captions.js', 'offscreen.html']));
    expect(findSecrets(OUT_DIR, [DEEPGRAM_KEY, CLIENT_TOKEN])).toEqual([]);
  });

  it('the scan finds a secret in any of its encodings (so a pass above means something)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'secretcheck-'));
    try {
      mkdirSync(path.join(dir, 'chunks'));
      writeFileSync(path.join(dir, 'manifest.json'), '{"manifest_version":3}');
      for (const encoded of encodingsOf(DEEPGRAM_KEY)) {
        writeFileSync(path.join(dir, 'chunks', 'x.js'), `const a=1;const k="${encoded}";export{a};`);
        expect(findSecrets(dir, [DEEPGRAM_KEY])).toEqual([`chunks/x.js: ${encoded}`]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
