/**
 * The first thing the background does each time it starts, before it injects any overlay: the
 * token and the history are for extension pages only (lib/contract/storage/access.ts says why).
 */
import { restrictStorageToTrustedContexts } from '../contract/storage/access';

/**
 * Closes storage.local and storage.sync to content scripts. Settles either way (a failure is
 * logged): the overlay injection waits for it (browser-session-deps.ts), and must not wait forever.
 */
export function closeStorageToContentScripts(): Promise<void> {
  return restrictStorageToTrustedContexts().catch((error: unknown) =>
    console.error('[captionist] storage could not be closed to content scripts', error),
  );
}
