/**
 * Caps on open client connections, counted from the moment TCP accepts them (before any byte of a
 * request): one total, so the proxy never runs out of file descriptors, and one per address, so a
 * single client cannot take them all and `/healthz` keeps answering while it tries.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { peerAddress } from './client-address';
import type { Refusal } from './http-refusal';

/** File descriptors kept back for the listening sockets, logs, pipes to the local engine and DNS. */
const RESERVED_FILES = 64;

/** The soft limit on open files (`ulimit -n`, systemd's LimitNOFILE), where Linux says it. */
export function readOpenFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line?.[1] === undefined ? undefined : Number(line[1]);
  } catch {
    return undefined;
  }
}

/**
 * As many client connections as the file limit allows when each brings an upstream socket
 * (Deepgram): two descriptors per stream. At the common 1,024 that is 480; raise the limit to
 * serve more (proxy/README.md, "Deploying").
 */
export function defaultMaxConnections(openFileLimit = readOpenFileLimit() ?? 1024): number {
  return Math.max(16, Math.floor((openFileLimit - RESERVED_FILES) / 2));
}

export interface ConnectionLimitsOptions {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Reverse proxies carry many clients over their connections: only the total applies to them. */
  trustedProxies: readonly string[];
}

export class ConnectionLimits {
  private total = 0;
  private readonly perAddress = new Map<string, number>();
  private readonly trusted: ReadonlySet<string>;

  constructor(private readonly options: ConnectionLimitsOptions) {
    this.trusted = new Set(options.trustedProxies);
  }

  get open(): number {
    return this.total;
  }

  /**
   * Counts a new connection until it closes, or says why it may not stay (and does not count it).
   */
  admit(socket: Socket): Refusal | undefined {
    const address = peerAddress(socket);
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.total >= this.options.maxConnections) {
      return {
        status: 503,
        error: 'server_full',
        message: `The proxy has ${this.total} connections open, as many as it is set to hold (MAX_CONNECTIONS); try again shortly.`,
      };
    }
    if (!this.trusted.has(address) && fromAddress >= this.options.maxConnectionsPerAddress) {
      return {
        status: 429,
        error: 'too_many_connections',
        message: `Your address already has ${fromAddress} connections open to this proxy, the most allowed (MAX_CONNECTIONS_PER_ADDRESS).`,
      };
    }
    this.total += 1;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.total -= 1;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    return undefined;
  }
}
