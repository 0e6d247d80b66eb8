/**
 * What the manifest asks of the user, per browser and build (wxt.config.ts), pinned: a new
 * permission is a decision, not a side effect.
 * - No clipboard permission in either browser: Copy writes on the user's click in the side panel,
 *   which needs none (tests/e2e/side-panel.spec.ts copies and reads the clipboard back with only
 *   clipboard-read granted to the test; tests/e2e-firefox/microphone.spec.ts copies on a mouse click
 *   in a page that held no user activation before it).
 * - Hosts are optional, asked for one site at a time (lib/auto-start-store.ts).
 * - The development key is in every Chrome build but the store's (tests/unit/store-zip.test.ts reads
 *   the zip itself).
 */
import { describe, expect, it } from 'vitest';
import config, { STORE_MODE } from '../../wxt.config';

type ManifestOf = (env: { browser: string; mode: string; command: 'build'; manifestVersion: 3 }) => Record<string, unknown>;

const manifestOf = config.manifest as unknown as ManifestOf;

function manifestFor(browser: 'chrome' | 'firefox', mode = 'production') {
  return manifestOf({ browser, mode, command: 'build', manifestVersion: 3 });
}

describe('manifest permissions', () => {
  it('Chrome asks for exactly what a session needs: no clipboard permission, no host at install, http(s) hosts only on request', () => {
    const manifest = manifestFor('chrome');
    expect(manifest.permissions).toEqual(['storage', 'offscreen', 'tabCapture', 'activeTab', 'scripting']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.optional_permissions).toBeUndefined();
  });

  it('Firefox asks for the same minus what it lacks (offscreen documents, tab capture): no clipboard permission either', () => {
    const manifest = manifestFor('firefox');
    expect(manifest.permissions).toEqual(['storage', 'activeTab', 'scripting']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.optional_permissions).toBeUndefined();
  });

  it('the development key pins the id in ordinary builds and is left out of the store build', () => {
    expect(typeof manifestFor('chrome').key).toBe('string');
    expect(manifestFor('chrome', 'development')).toHaveProperty('key');
    expect(manifestFor('chrome', STORE_MODE)).not.toHaveProperty('key');
    expect(manifestFor('firefox')).not.toHaveProperty('key');
  });
});
