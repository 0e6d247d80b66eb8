/**
 * Screenshots of what a user sees, kept with the test's results and attached to the report.
 */
import { writeFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';

export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.bringToFront();
  await page.screenshot({ path: file, timeout: 10_000 });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  return file;
}

/** Keeps a text artifact (caption lines, clipboard) next to the screenshots and in the report. */
export async function saveText(testInfo: TestInfo, name: string, text: string): Promise<string> {
  const file = testInfo.outputPath(name);
  await writeFile(file, text, 'utf8');
  await testInfo.attach(name, { path: file, contentType: name.endsWith('.json') ? 'application/json' : 'text/plain' });
  return file;
}
