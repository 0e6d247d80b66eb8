/**
 * The permissions the manifest asks for (wxt.config.ts), pinned: a new one is a decision, not a
 * side effect. Hosts are optional, asked for one site at a time (lib/auto-start-store.ts).
 */
import { describe, expect, it } from 'vitest';
import config from '../../wxt.config';

type ManifestFn = (env: { browser: string }) => Record<string, unknown>;

function manifestFor(browser: string): Record<string, unknown> {
  return (config.manifest as ManifestFn)({ browser });
}

describe('manifest permissions', () => {
  it('Chrome: the install-time permissions, no host permission at install, http(s) hosts only on request', () => {
    const manifest = manifestFor('chrome');
    expect(manifest.permissions).toEqual(['storage', 'offscreen', 'tabCapture', 'activeTab', 'scripting', 'clipboardWrite']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.optional_permissions).toBeUndefined();
  });

  it('Firefox: the same, without what it lacks (offscreen, tabCapture)', () => {
    const manifest = manifestFor('firefox');
    expect(manifest.permissions).toEqual(['storage', 'activeTab', 'scripting', 'clipboardWrite']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
  });
});
