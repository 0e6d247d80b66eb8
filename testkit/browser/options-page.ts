/**
 * Points the extension at a proxy the way a user does: through its options page.
 */
import type { BrowserContext } from '@playwright/test';

export interface ProxySettingsInput {
  proxyUrl: string;
  token: string;
  /** "What answers at this address" (lib/listen/server-kind.ts); left as it is when absent. */
  serverKind?: 'listen' | 'relay';
}

export type ConfigureResult = { ok: true } | { ok: false; message: string };

export async function configureExtension(
  context: BrowserContext,
  extensionId: string,
  input: ProxySettingsInput,
  timeoutMs = 10_000,
): Promise<ConfigureResult> {
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${extensionId}/options.html`, { timeout: timeoutMs });
    if (input.serverKind !== undefined) await page.locator(`input[name=server-kind][value=${input.serverKind}]`).check({ timeout: timeoutMs });
    await page.locator('#proxy-url').fill(input.proxyUrl, { timeout: timeoutMs });
    await page.locator('#token').fill(input.token, { timeout: timeoutMs });
    await page.locator('#save').click({ timeout: timeoutMs });
    const status = page.locator('[data-testid=options-status]');
    try {
      // The status's class, not its text: the page may be in any language (save-saved: entrypoints/options/options-app.tsx).
      await page.locator('[data-testid=options-status].save-saved').waitFor({ timeout: timeoutMs });
    } catch {
      const shown = (await status.textContent().catch(() => '')) ?? '';
      const help = (await page.locator('#proxy-url-help').textContent().catch(() => '')) ?? '';
      return { ok: false, message: `The options page did not save (status "${shown}", proxy URL note "${help}")` };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `Could not use the options page: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await page.close().catch(() => undefined);
  }
}
