/**
 * Who may open a stream: the client token (browser subprotocol or Authorization header) and the
 * browser origin. Tokens are compared in constant time and never leave this module: callers get a
 * label such as "token#2" to count limits and write logs with.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The subprotocol that announces a token; the proxy echoes it in the 101, or browsers drop the socket. */
export const TOKEN_SUBPROTOCOL = 'token';

export interface PresentedToken {
  token: string | undefined;
  via: 'subprotocol' | 'header' | 'none';
}

/** Reads `Sec-WebSocket-Protocol: token, <T>` first (browsers), then `Authorization: Token <T>`. */
export function readPresentedToken(request: IncomingMessage): PresentedToken {
  const protocols = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const marker = protocols.findIndex((item) => item.toLowerCase() === TOKEN_SUBPROTOCOL);
  if (marker !== -1 && protocols[marker + 1] !== undefined) {
    return { token: protocols[marker + 1], via: 'subprotocol' };
  }
  const match = /^token\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] !== undefined) return { token: match[1], via: 'header' };
  return { token: undefined, via: 'none' };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * `label` follows the token's place in the list (logs); `limitKey` follows the token itself, so
 * instances with the lists in different orders still count a token's shared limits under one key.
 * It is 64 bits of the token's SHA-256: it names the token in Redis without revealing it.
 */
export type TokenCheck = { ok: true; label: string; limitKey: string } | { ok: false; message: string };

export interface TokenVerifier {
  /** True when no tokens are configured (loopback only): any or no token is accepted. */
  readonly open: boolean;
  check(presented: string | undefined): TokenCheck;
}

/**
 * Hashing both sides gives equal-length buffers for timingSafeEqual, and every configured token is
 * compared whatever matched, so timing says nothing about which token (or how much of one) matched.
 */
export function createTokenVerifier(tokens: readonly string[]): TokenVerifier {
  const digests = tokens.map(digest);
  const limitKeys = digests.map((known) => `sha256:${known.toString('hex').slice(0, 16)}`);
  return {
    open: tokens.length === 0,
    check(presented) {
      if (digests.length === 0) return { ok: true, label: 'anonymous', limitKey: 'anonymous' };
      if (presented === undefined) {
        return { ok: false, message: 'A client token is required: send it as the WebSocket subprotocol "token, <token>" or an "Authorization: Token <token>" header.' };
      }
      const candidate = digest(presented);
      let matched = -1;
      digests.forEach((known, index) => {
        if (timingSafeEqual(known, candidate) && matched === -1) matched = index;
      });
      if (matched === -1) return { ok: false, message: 'The client token is not valid for this proxy.' };
      return { ok: true, label: `token#${matched + 1}`, limitKey: limitKeys[matched] ?? `token#${matched + 1}` };
    },
  };
}

/**
 * No Origin header means a non-browser client (curl, a server, a test), which the token already
 * governs; a browser page always sends one and must be on the list.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  return allowed.includes(origin.toLowerCase().replace(/\/+$/, ''));
}
