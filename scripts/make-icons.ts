/**
 * Renders public/icon/icon.svg to the PNG sizes Chrome wants, with the Debian Chromium, and the
 * Chrome Web Store's 128x128 listing icon (store/icon-128.png: the artwork 96x96 in the middle,
 * with 16 pixels of transparent padding each side, as the store's image guidelines ask).
 * Run after editing the SVG: npx tsx scripts/make-icons.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const iconDir = path.resolve(import.meta.dirname, '../public/icon');
const storeDir = path.resolve(import.meta.dirname, '../store');
const svg = readFileSync(path.join(iconDir, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium' });
try {
  const page = await browser.newPage();
  for (const size of [16, 32, 48, 128]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{width:${size}px;height:${size}px;display:block}</style>${svg}`);
    await page.screenshot({ path: path.join(iconDir, `${size}.png`), omitBackground: true });
  }
  await page.setViewportSize({ width: 128, height: 128 });
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{width:96px;height:96px;display:block;margin:16px}</style>${svg}`);
  await page.screenshot({ path: path.join(storeDir, 'icon-128.png'), omitBackground: true });
} finally {
  await browser.close();
}
