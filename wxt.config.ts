import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

/**
 * The public half of a fixed key pins the extension id to
 * dbmknijkimjaniglhfaegghkialpjohk for unpacked builds, so the proxy's origin allowlist and the
 * e2e suite can name it. (Chrome Web Store builds get their id from the store; drop the key there.)
 */
const EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5KeB3+nSS47js51lMNSz948/bOYvT13Mujq4W2E9ziPlayXeRjAOPI6cA3V0NmGhLPsMBGAxPSBsFDJK1D7sd4u3hwOEZGaiDgAaW1XkIRJTxs4K8XhTZxTbyZiZ/63NbHkRgNKvzLm3r4buskV+iXWAp8XK7u3TRy+6SCyffbvdkuou4DdZ/XrVhMnS/kVpXMwN+GN+kILNZVg8N36D1S0ovoR7bLsNukNQdXGOIzBGe2P+LL07W4zoUw+SLwVx6eWMcpoVSBOTn5yFS9yWTv2lAoh4Cu8mVoXhfjjYi0uMj3WCw4od+DIwYRHxmkaTPdONGMXbmXykHT8ooyLskQIDAQAB';

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  imports: false,
  webExt: { disabled: true },
  vite: () => ({
    plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
  }),
  manifest: {
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    key: EXTENSION_PUBLIC_KEY,
    minimum_chrome_version: '116',
    permissions: ['storage', 'offscreen', 'tabCapture', 'activeTab', 'scripting', 'clipboardWrite'],
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
  },
});
