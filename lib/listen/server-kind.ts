/**
 * Which protocol the server at the user's URL speaks (the Options setting `serverKind`):
 *
 * - 'listen': Captionist's proxy, or anything Deepgram-compatible at /v1/listen. The token goes as
 *   the WebSocket subprotocols `token, <T>`; the socket sends KeepAlive, Finalize and CloseStream
 *   text frames and reads Deepgram's messages (protocol.ts).
 * - 'relay': the small transcription relay many Deepgram integration guides build at
 *   `/ws/transcribe`. It takes the key or a token as the `api_key` query parameter, selects no
 *   subprotocol (a browser that offers one then fails the handshake), reads only binary frames
 *   (a text frame makes it drop the connection) and sends its own normalized messages
 *   (relay-protocol.ts). So in this kind the socket sends audio only: silence stands in for
 *   KeepAlive, Finalize and CloseStream (listen-socket.ts).
 */
export const SERVER_KINDS = ['listen', 'relay'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The query parameter such relays read the key or token from. */
export const RELAY_TOKEN_PARAM = 'api_key';

/**
 * Silence sent when an idle relay connection needs traffic (the KeepAlive of the 'listen' kind).
 * Deepgram closes a stream that got neither audio nor a text message for 10 s (NET-0001), and a
 * relay can only pass audio on; the socket sends this after `keepAliveIdleMs` (4 s) without
 * sending, so two can be late before the upstream gives up. Silence is billed as audio: 0.1 s
 * every 4 s of quiet is 2.5 % of the quiet time, the least that still reliably counts as a frame
 * of audio (it is the size of one of the session's own batches).
 */
export const RELAY_KEEPALIVE_SILENCE_SECONDS = 0.1;

/**
 * Silence sent where the 'listen' kind sends Finalize (the VAD gate closed) and before closing.
 * The relay's upstream ends an utterance only after hearing a pause (endpointing: Deepgram's
 * guides use 10-500 ms); with the gate shut it hears none, and the last words would stay interim
 * until someone speaks again. 0.6 s covers endpointing up to 500 ms with room for a batch.
 */
export const RELAY_FINALIZE_SILENCE_SECONDS = 0.6;

/**
 * How long closing waits, after the last audio and the closing silence, for the relay's last
 * results before the client closes (a relay knows no CloseStream, so it never closes first).
 */
export const RELAY_CLOSE_GRACE_MS = 2000;

/**
 * The URL for a relay: the user's URL with the token as `api_key` (replacing one already there,
 * so the Options field wins); without a token the URL is used as given (a key the user put on it
 * is kept). Nothing else is added: a relay chooses its own upstream parameters.
 */
export function buildRelayUrl(base: string | URL, token: string): string {
  const url = new URL(typeof base === 'string' ? base.trim() : base.href);
  const value = token.trim();
  if (value !== '') url.searchParams.set(RELAY_TOKEN_PARAM, value);
  // A fragment makes the WebSocket constructor throw; it never means anything to the server.
  url.hash = '';
  return url.toString();
}
