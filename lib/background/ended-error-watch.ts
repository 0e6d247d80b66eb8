/**
 * The last session's error is old news once the settings or the token change or a connection
 * check passes: the popup stops showing it (session-control.ts clearEndedError).
 */
import { connectionCheckItem, proxyTokenItem, syncedSettingsItem } from '../contract/storage/items';
import { clearEndedError, type SessionControlDeps } from './session-control';

export function clearEndedErrorOnChanges(deps: SessionControlDeps): void {
  const clearError = () => void clearEndedError(deps);
  syncedSettingsItem.watch(clearError);
  proxyTokenItem.watch(clearError);
  connectionCheckItem.watch((check) => {
    if (check?.ok) clearError();
  });
}
