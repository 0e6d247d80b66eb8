/**
 * Screenshots of what a user sees, kept with the test's results and attached to the report.
 */
import type { Page, TestInfo } from '@playwright/test';

export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.bringToFront();
  await page.screenshot({ path: file, timeout: 10_000 });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  return file;
}
