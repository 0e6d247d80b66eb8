/**
 * "Test connection" for a transcription relay (lib/listen/server-kind.ts, 'relay'). Such a relay
 * has no HTTP endpoints of its own to ask, so the probe is the session's own way in:
 *
 *   1. Open the URL with the token as `api_key` and no subprotocol. If that fails and a token is
 *      set, try once with the `token` subprotocol: a server that opens then is a /v1/listen server
 *      (the other kind), which is worth saying.
 *   2. Send a second of silence, audio only (a text frame would make a relay drop the connection),
 *      and read what comes back: the relay's captions, a close with its reason (1008 or 1011 for a
 *      wrong token or a refused upstream), or nothing while it stays open.
 *
 * It says the relay works only when it sent captions back; a relay that accepted the token and the
 * audio and stayed open is reported as connected, with why nothing came (silence).
 */
import { cleanReason } from './listen/close-codes';
import type { WebSocketLike } from './listen/connection';
import { parseServerMessage } from './listen/protocol';
import { parseRelayMessage } from './listen/relay-protocol';
import { buildRelayUrl } from './listen/server-kind';
import { failure, watchSocket, type ConnectionTestDeps, type ConnectionTestResult, type ConnectionTimeouts } from './connection-test';
import { t } from './i18n';

/** Silence sent to prove the relay takes audio: 10 frames of 0.1 s (16 kHz mono linear16). */
const PROBE_FRAMES = 10;
const PROBE_FRAME_BYTES = 3200;

function closeQuietly(socket: WebSocketLike): void {
  socket.onerror = () => undefined;
  socket.onopen = socket.onmessage = socket.onclose = null;
  try {
    socket.close(1000);
  } catch {
    // Already closed.
  }
}

/** Whether the URL opens with the `token` subprotocol chosen by the server: a /v1/listen server. */
async function opensAsListenServer(url: URL, token: string, deps: ConnectionTestDeps, timeouts: ConnectionTimeouts): Promise<boolean> {
  let socket: WebSocketLike;
  try {
    socket = deps.createWebSocket(url.href, ['token', token]);
  } catch {
    return false;
  }
  const events = watchSocket(socket);
  try {
    return (await events.next(Date.now() + timeouts.openMs))?.kind === 'open' && socket.protocol === 'token';
  } finally {
    closeQuietly(socket);
  }
}

function otherKind(host: string): ConnectionTestResult {
  return failure('other-kind', t('optionsConnectionListenAnswered', host), t('optionsConnectionChooseListenAdvice'));
}

export async function testRelayConnection(url: URL, token: string, deps: ConnectionTestDeps, timeouts: ConnectionTimeouts): Promise<ConnectionTestResult> {
  const host = url.host;
  let socket: WebSocketLike;
  try {
    socket = deps.createWebSocket(buildRelayUrl(url, token), undefined);
  } catch (error) {
    return failure('invalid-settings', t('optionsConnectionSocketRefused', String(error)), t('optionsConnectionFixSettingsAdvice'));
  }
  socket.binaryType = 'arraybuffer';
  const events = watchSocket(socket);
  try {
    const first = await events.next(Date.now() + timeouts.openMs);
    if (first === null) return failure('timeout', t('optionsConnectionTimeout', host, timeouts.openMs / 1000), t('optionsConnectionUnreachableAdvice'));
    if (first.kind !== 'open') {
      closeQuietly(socket);
      if (token !== '' && (await opensAsListenServer(url, token, deps, timeouts))) return otherKind(host);
      return failure('upgrade-failed', t('optionsConnectionRelayNoHandshake', host, url.pathname), t('optionsConnectionRelayNoHandshakeAdvice'));
    }
    try {
      for (let i = 0; i < PROBE_FRAMES; i++) socket.send(new ArrayBuffer(PROBE_FRAME_BYTES));
    } catch {
      // Closing already; its close event says why.
    }
    const deadline = Date.now() + timeouts.answerMs;
    for (;;) {
      const event = await events.next(deadline);
      if (event === null) {
        const seconds = (PROBE_FRAMES * PROBE_FRAME_BYTES) / 32_000;
        return { ok: true, kind: 'ok', engine: null, serverKind: 'relay', message: t('optionsConnectionRelayQuiet', host, seconds) };
      }
      if (event.kind === 'message') {
        const frame = event.data;
        if (typeof frame !== 'string' && !(frame instanceof ArrayBuffer) && !ArrayBuffer.isView(frame)) continue;
        if (parseRelayMessage(frame).ok) return { ok: true, kind: 'ok', engine: null, serverKind: 'relay', message: t('optionsConnectionRelayOk', host) };
        if (parseServerMessage(frame).ok) return otherKind(host);
      } else if (event.kind === 'closed') {
        const reason = cleanReason(event.reason) || t('optionsConnectionRelayNoReason');
        return failure('refused', t('optionsConnectionRelayClosed', host, event.code, reason), t('optionsConnectionRelayClosedAdvice'));
      }
    }
  } finally {
    closeQuietly(socket);
  }
}
