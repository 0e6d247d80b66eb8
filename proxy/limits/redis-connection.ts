/**
 * The proxy's one Redis connection, set up so that Redis being away never hangs or crashes a
 * request: no offline queue (a command fails at once while disconnected), one retry at most, short
 * connect and command timeouts, and reconnection in the background. It keeps the health the
 * server reports: degraded (and why) from the moment the connection drops until it is ready again.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LimitsHealth } from './shared-limits';

const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to this, so a restarted Redis is found again within about a second. */
const MAX_RECONNECT_DELAY_MS = 1000;

export interface RedisConnection {
  readonly client: Redis;
  readonly ready: boolean;
  health(): LimitsHealth;
  /** Counts a failed command (connection errors are counted as they come). */
  noteError(error: unknown): void;
  /** Failed commands and connection errors since start. */
  readonly errors: number;
  degradedSeconds(): number;
  /** Called each time the connection becomes ready again after an outage. */
  onRecovered(listener: () => void): void;
  close(): Promise<void>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Connects and waits up to the connect timeout for Redis; past that the proxy starts degraded. */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnection> {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // Commands issued in the same tick (a heartbeat's renewals and audio flushes) go in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  let errors = 0;
  let degradedSince: number | undefined = Date.now();
  let degradedMs = 0;
  let reason = 'connecting to Redis';
  let closing = false;
  const recovered: (() => void)[] = [];

  /** Each lost connection, failed reconnect or connection error counts as one error. */
  const markDown = (why: string) => {
    if (closing) return;
    errors += 1;
    reason = why;
    if (degradedSince !== undefined) return;
    degradedSince = Date.now();
    logger.warn({ reason: why }, 'shared limits degraded: Redis unreachable');
  };
  client.on('error', (error: unknown) => markDown(`Redis: ${messageOf(error)}`));
  client.on('close', () => markDown('Redis connection closed'));
  client.on('ready', () => {
    if (degradedSince !== undefined) {
      degradedMs += Date.now() - degradedSince;
      degradedSince = undefined;
      logger.info('shared limits: Redis ready');
      for (const listener of recovered) listener();
    }
  });

  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (client.status !== 'ready') logger.warn({ reason }, 'starting without Redis; shared limits degraded until it answers');

  return {
    client,
    get ready() {
      return client.status === 'ready';
    },
    health: () => (client.status === 'ready' ? { degraded: false } : { degraded: true, reason }),
    noteError(error) {
      errors += 1;
      logger.debug({ err: messageOf(error) }, 'Redis command failed');
    },
    get errors() {
      return errors;
    },
    degradedSeconds: () => (degradedMs + (degradedSince === undefined ? 0 : Date.now() - degradedSince)) / 1000,
    onRecovered: (listener) => {
      recovered.push(listener);
    },
    async close() {
      closing = true;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
