/**
 * Why a listen socket that never opened failed, in the words "Test connection" uses.
 *
 * A browser hides a refused WebSocket handshake's HTTP status (close code 1006 for everything), so
 * a proxy that answers 401 to a wrong or missing token looks unreachable to the socket
 * (lib/listen/close-codes.ts classifyHandshakeFailure). The proxy says why over HTTP, on
 * /v1/auth-check: asked once the socket gives up, its answer replaces "Could not connect", so the
 * popup's box, its status line and the overlay name one cause in one sentence.
 */
import { quickCheck, type FetchLike } from '../connection-test';
import type { UserFacingError } from '../contract/messages';
import type { Settings } from '../settings';

/** How long the question may hold back the failure (the popup asks with the same bound). */
export const EXPLAIN_TIMEOUT_MS = 3000;

export async function explainSocketFailure(error: UserFacingError, settings: Settings, fetchLike: FetchLike, timeoutMs = EXPLAIN_TIMEOUT_MS): Promise<UserFacingError> {
  if (error.code !== 'proxy-unreachable') return error;
  try {
    const answer = await quickCheck(settings, fetchLike, timeoutMs);
    if (answer && !answer.ok) return { code: 'proxy-rejected', message: `${answer.message} ${answer.advice}` };
  } catch {
    // No better answer than the socket's own.
  }
  return error;
}
