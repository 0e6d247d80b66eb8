import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

/**
 * The public half of a fixed key pins the extension id to
 * dbmknijkimjaniglhfaegghkialpjohk for unpacked builds, so the proxy's origin allowlist and the
 * e2e suite can name it. Chrome Web Store builds get their id from the store, which refuses an
 * upload carrying a `key`: `npm run zip` builds in STORE_MODE, which leaves it out, and the zip hook
 * below refuses any Chrome zip that still has one (tests/unit/store-zip.test.ts).
 */
export const STORE_MODE = 'store';

export const FIREFOX_ADDON_ID = 'captionist@captionist.invalid';

const EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5KeB3+nSS47js51lMNSz948/bOYvT13Mujq4W2E9ziPlayXeRjAOPI6cA3V0NmGhLPsMBGAxPSBsFDJK1D7sd4u3hwOEZGaiDgAaW1XkIRJTxs4K8XhTZxTbyZiZ/63NbHkRgNKvzLm3r4buskV+iXWAp8XK7u3TRy+6SCyffbvdkuou4DdZ/XrVhMnS/kVpXMwN+GN+kILNZVg8N36D1S0ovoR7bLsNukNQdXGOIzBGe2P+LL07W4zoUw+SLwVx6eWMcpoVSBOTn5yFS9yWTv2lAoh4Cu8mVoXhfjjYi0uMj3WCw4od+DIwYRHxmkaTPdONGMXbmXykHT8ooyLskQIDAQAB';

/**
 * Chrome: the pinned id (not in the store build), and the offscreen document and tab capture that
 * hold a session. No clipboardWrite: Copy writes with navigator.clipboard.writeText on the user's
 * click in the side panel, which needs no permission (tests/e2e/side-panel.spec.ts copies without it).
 */
function chromeOnly(mode: string) {
  return {
    ...(mode === STORE_MODE ? {} : { key: EXTENSION_PUBLIC_KEY }),
    minimum_chrome_version: '116',
    permissions: ['storage', 'offscreen', 'tabCapture', 'activeTab', 'scripting'],
  };
}

/**
 * Firefox has neither offscreen documents nor tabCapture: the microphone is held by an extension
 * tab instead (lib/background/capture-tab.ts). `key` is Chrome's; Firefox names the add-on by its
 * gecko id.
 *
 * strict_min_version 140: the ESR that first reads data_collection_permissions (Mozilla requires
 * it of new add-ons), and newer than everything else used (MV3 event pages 109, sidebar_action,
 * scripting, storage.session 115, runtime.getContexts 130).
 * data_collection_permissions: the user's speech leaves the browser for the proxy they configure
 * (and, through it, possibly Deepgram), which is Mozilla's "personal communications" category.
 * content_security_policy: Firefox's default for MV3 pages adds upgrade-insecure-requests, which
 * turns ws://localhost into wss:// and so breaks a proxy on the same computer (seen in Firefox 153:
 * the socket closes with 1015). Without it, the settings' own rule still holds: wss:// everywhere
 * but on this computer (lib/settings.ts checkProxyUrl).
 */
const FIREFOX_ONLY = {
  // No clipboardWrite, as in Chrome: Firefox lets a page without it write within a user gesture,
  // and Copy writes in the click's handler. The Firefox e2e (tests/e2e-firefox/microphone.spec.ts)
  // presses Copy with the mouse on a page first cleared of activation (testkit/firefox/user-click.ts).
  permissions: ['storage', 'activeTab', 'scripting'],
  content_security_policy: { extension_pages: "script-src 'self'" },
  browser_specific_settings: {
    gecko: {
      id: FIREFOX_ADDON_ID,
      strict_min_version: '140.0',
      data_collection_permissions: { required: ['personalCommunications'] },
    },
  },
};

/**
 * Asked for one site at a time, when the user turns on "Start captions when I open this site"
 * (lib/auto-start-store.ts): the background then sees that site's pages load (tabs.onUpdated names
 * a tab's URL only with host permission). Nothing is granted at install.
 */
const OPTIONAL_HOST_PERMISSIONS = ['http://*/*', 'https://*/*'];

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  imports: false,
  // Firefox builds would default to MV2; both browsers get the same MV3 extension.
  manifestVersion: 3,
  webExt: { disabled: true },
  vite: () => ({
    plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
  }),
  hooks: {
    // The last guard before a package leaves: whatever the mode, a zip never carries the key.
    'zip:extension:start': (wxt) => {
      const manifest = JSON.parse(readFileSync(path.join(wxt.config.outDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      if ('key' in manifest) throw new Error(`The manifest still has the development key: build store packages with \`npm run zip\` (--mode ${STORE_MODE}).`);
    },
  },
  manifest: ({ browser, mode }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    ...(browser === 'firefox' ? FIREFOX_ONLY : chromeOnly(mode)),
    optional_host_permissions: OPTIONAL_HOST_PERMISSIONS,
    action: { default_title: 'Captionist' },
    commands: {
      'toggle-captions': {
        // Not Alt+Shift+C: Chromium 156 holds it, and silently leaves the command without a key
        // (the overlay e2e checks every command got its suggested key).
        suggested_key: { default: 'Alt+Shift+O' },
        description: '__MSG_commandToggleCaptions__',
      },
      'toggle-overlay': {
        suggested_key: { default: 'Alt+Shift+H' },
        description: '__MSG_overlayCommandShowHide__',
      },
      // The box is the page's last element: reaching it with Tab took about ten presses.
      'focus-captions': {
        suggested_key: { default: 'Alt+Shift+F' },
        description: '__MSG_overlayCommandFocus__',
      },
    },
  }),
});
