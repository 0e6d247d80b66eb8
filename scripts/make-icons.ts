/**
 * Renders public/icon/icon.svg to the PNG sizes Chrome wants, with the Debian Chromium.
 * Run after editing the SVG: npx tsx scripts/make-icons.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const iconDir = path.resolve(import.meta.dirname, '../public/icon');
const svg = readFileSync(path.join(iconDir, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium' });
try {
  const page = await browser.newPage();
  for (const size of [16, 32, 48, 128]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{width:${size}px;height:${size}px;display:block}</style>${svg}`);
    await page.screenshot({ path: path.join(iconDir, `${size}.png`), omitBackground: true });
  }
} finally {
  await browser.close();
}
