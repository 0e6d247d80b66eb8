/**
 * Why a listen socket that never opened failed, in the words "Test connection" uses.
 *
 * A browser hides a refused WebSocket handshake's HTTP status (close code 1006 for everything), so
 * a proxy that answers 401 to a wrong or missing token looks unreachable to the socket
 * (lib/listen/close-codes.ts classifyHandshakeFailure). The proxy says why over HTTP, on
 * /v1/auth-check: asked once the socket gives up, its answer replaces "Could not connect", so the
 * popup's box, its status line and the overlay name one cause in one sentence.
 */
import { quickCheck, relayAnsweredInstead, type FetchLike } from '../connection-test';
import type { WebSocketFactory } from '../listen/connection';
import type { UserFacingError } from '../contract/messages';
import type { Settings } from '../settings';

/** How long the question may hold back the failure (the popup asks with the same bound). */
export const EXPLAIN_TIMEOUT_MS = 3000;

/**
 * `createWebSocket`, when given, also asks whether a transcription relay answers at the address
 * (lib/listen/server-kind.ts): it refuses the token subprotocol, so the handshake failed although a
 * server answered, and the user is told to choose that kind rather than to start a proxy.
 */
export async function explainSocketFailure(
  error: UserFacingError,
  settings: Settings,
  fetchLike: FetchLike,
  timeoutMs = EXPLAIN_TIMEOUT_MS,
  createWebSocket?: WebSocketFactory,
): Promise<UserFacingError> {
  if (error.code !== 'proxy-unreachable') return error;
  try {
    const answer = await quickCheck(settings, fetchLike, timeoutMs);
    if (answer && !answer.ok) return { code: 'proxy-rejected', message: `${answer.message} ${answer.advice}` };
    const relay = answer === null && createWebSocket ? await relayAnsweredInstead(settings, createWebSocket, timeoutMs) : null;
    if (relay && !relay.ok) return { code: 'proxy-rejected', message: `${relay.message} ${relay.advice}` };
  } catch {
    // No better answer than the socket's own.
  }
  return error;
}
