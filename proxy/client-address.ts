/**
 * Which address a request comes from. The socket's peer, unless that peer is a reverse proxy the
 * operator listed in TRUSTED_PROXIES: only then is X-Forwarded-For believed, since anyone else can
 * write that header to dodge the per-address limits or to get someone else throttled.
 */
import type { IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';

/** The socket's peer, IPv4-mapped IPv6 written as plain IPv4 so one client has one spelling. */
export function peerAddress(socket: Socket): string {
  return normalizeAddress(socket.remoteAddress ?? 'unknown');
}

function normalizeAddress(address: string): string {
  return address.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/**
 * The rightmost X-Forwarded-For entry that is not itself a trusted proxy: each trusted hop appends
 * the address it saw, so entries further left were written by the client and prove nothing.
 */
export function clientAddress(request: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = peerAddress(request.socket);
  if (!trustedProxies.has(peer)) return peer;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(normalizeAddress).filter((hop) => hop !== '');
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] ?? '';
    if (isIP(hop) === 0) return peer;
    if (!trustedProxies.has(hop)) return hop;
  }
  return peer;
}
