/**
 * The Host header allowlist, against DNS rebinding: a page at http://evil.example can point its
 * name at 127.0.0.1 and then read this proxy as its own origin, but its requests still say
 * `Host: evil.example`. Allowed: localhost, IP literals (a browser sends one only when the page's
 * own address is that IP, so it is not a rebound name), and the names in ALLOWED_HOSTS (the public
 * name nginx passes with `proxy_set_header Host $host`, proxy/deploy/nginx-site.conf).
 */
import { isIP } from 'node:net';
import type { Refusal } from './http-refusal';

/** The name in a Host header, without port or brackets, lower case; undefined when absent. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const host = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(host);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  // One colon separates a port; more than one is a bare IPv6 address (not valid in Host, but harmless).
  const withoutPort = host.split(':').length === 2 ? host.slice(0, host.indexOf(':')) : host;
  return withoutPort.replace(/\.$/, '');
}

export function createHostCheck(allowedHosts: readonly string[]): (header: string | undefined) => Refusal | undefined {
  const allowed = new Set(['localhost', ...allowedHosts]);
  return (header) => {
    const name = hostName(header);
    if (name !== undefined && (allowed.has(name) || isIP(name) !== 0)) return undefined;
    const shown = name === undefined ? 'no Host header' : `the host name "${name.slice(0, 100)}"`;
    return {
      status: 421,
      error: 'unknown_host',
      message: `This proxy does not answer requests for ${shown}; if it is the proxy's public name, add it to ALLOWED_HOSTS.`,
    };
  };
}
