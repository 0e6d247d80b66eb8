/**
 * What the Chrome Web Store asks of a listing, checked on the files in store/: the summary fits in
 * 132 characters, the store icon is 128x128, and every screenshot is 1280x800 or 640x400. The
 * extension's own icons come in the sizes Chrome uses (16, 32, 48, 128).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Width and height from a PNG's IHDR chunk (bytes 16-23); throws on anything but a PNG. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  if (bytes.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error(`${file} is not a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('store listing', () => {
  it('has a summary the store can show whole', () => {
    const listing = readFileSync(path.join(ROOT, 'store/listing.md'), 'utf8');
    const summary = /<!-- summary:[^>]*-->\n(.+)\n/.exec(listing)?.[1] ?? '';
    expect(summary.length).toBeGreaterThan(40);
    expect(summary.length).toBeLessThanOrEqual(132);
  });

  it('has a 128x128 store icon and screenshots of a size the store takes', () => {
    expect(pngSize(path.join(ROOT, 'store/icon-128.png'))).toEqual([128, 128]);
    const shots = readdirSync(path.join(ROOT, 'store/screenshots')).filter((f) => f.endsWith('.png'));
    expect(shots.length).toBeGreaterThanOrEqual(1);
    expect(shots.length).toBeLessThanOrEqual(5);
    for (const shot of shots) expect(['1280x800', '640x400'], shot).toContain(pngSize(path.join(ROOT, 'store/screenshots', shot)).join('x'));
  });

  it('the extension icons are there in every size Chrome uses', () => {
    for (const size of [16, 32, 48, 128]) expect(pngSize(path.join(ROOT, `public/icon/${size}.png`))).toEqual([size, size]);
  });
});
