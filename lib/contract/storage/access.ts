/**
 * Who may read storage. Chrome lets content scripts read storage.local and storage.sync unless
 * the extension says otherwise; here that would hand the proxy token, the speaker names and the
 * history settings to the overlay, which runs inside pages we do not control (and, before this, a
 * settings save reached every live overlay through storage.onChanged). So both are closed to
 * everything but the extension's own pages and its service worker. storage.session already is.
 *
 * The background calls this each time it starts (the setting is not documented to persist), before
 * it injects any content script. The overlay is served what it needs by the background
 * (lib/background/overlay-view.ts). tests/e2e/storage-access.spec.ts checks it in Chromium.
 */
import { browser } from 'wxt/browser';

/** The areas closed to content scripts. */
export const TRUSTED_ONLY_AREAS = ['local', 'sync'] as const;

interface AccessLevelArea {
  setAccessLevel?: (details: { accessLevel: 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS' }) => Promise<void>;
}

export async function restrictStorageToTrustedContexts(): Promise<void> {
  await Promise.all(
    TRUSTED_ONLY_AREAS.map(async (name) => {
      // Typed loosely: the polyfill's types predate setAccessLevel on these areas (Chrome has it).
      const area = browser.storage[name] as unknown as AccessLevelArea;
      if (typeof area.setAccessLevel !== 'function') {
        console.warn(`[captionist] storage.${name}.setAccessLevel is missing: content scripts may read it`);
        return;
      }
      await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
    }),
  );
}
