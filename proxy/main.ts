/**
 * `npm run proxy`: reads the environment, starts the proxy, prints one line when it is ready.
 * Tools (e2e tests, the run script) spawn this with PORT=0 and read the port from that line:
 *   Captionist proxy listening on ws://HOST:PORT/v1/listen (engine: ...)
 * Logs are JSON on stderr, so stdout holds only that line.
 */
import { pino } from 'pino';
import { loadArchiveConfig } from './archive/archive-config';
import { isLoopbackHost, loadConfig } from './config';
import { createProxyMetrics } from './metrics';
import { ProxyStartError, startProxy } from './server';

/** A URL as it may be printed: user and password (should anyone put them there) left out. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

async function main(): Promise<number> {
  const loaded = loadConfig(process.env);
  const archive = loadArchiveConfig(process.env);
  const errors = [...(loaded.ok ? [] : loaded.errors), ...(archive.ok ? [] : archive.errors)];
  if (!loaded.ok || !archive.ok) {
    process.stderr.write(`Captionist proxy cannot start:\n${errors.map((error) => `  - ${error}`).join('\n')}\n`);
    return 1;
  }
  const { config } = loaded;
  const logger = pino({ level: config.logLevel, base: { service: 'captionist-proxy' } }, pino.destination(2));

  let proxy;
  try {
    proxy = await startProxy(config, { logger, metrics: createProxyMetrics({ processMetrics: true }), archive: archive.config });
  } catch (error) {
    if (error instanceof ProxyStartError) {
      process.stderr.write(`Captionist proxy cannot start: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  // Signals are handled from before the ready line, so whoever reads it may stop us at once.
  const running = proxy;
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping: no new streams, letting open ones finish');
      void running.close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error instanceof Error ? error.message : String(error) }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

  const describe = (kind: string) =>
    kind === 'deepgram'
      ? `Deepgram at ${withoutCredentials(config.deepgramUrl)}`
      : kind === 'compatible'
        ? `Deepgram-compatible server at ${withoutCredentials(config.chain?.compatible?.url ?? '')}`
        : 'local pocketsphinx — offline, less accurate';
  // With UPSTREAMS, the fallback chain in the order streams try it.
  const engine = proxy.upstreamKinds.map(describe).join(', falling back to ');
  // Without tokens (allowed on loopback only) anyone on this computer may connect: say so plainly.
  const openNote =
    config.tokens.length === 0 && isLoopbackHost(config.host) ? ' — no client tokens set: any or no token is accepted, from this computer only' : '';
  process.stdout.write(`Captionist proxy listening on ${proxy.url} (engine: ${engine})${openNote}\n`);
  logger.info(
    {
      url: proxy.url,
      engine: proxy.upstreamKind,
      upstreams: proxy.upstreamKinds,
      tokens: config.tokens.length,
      origins: config.allowedOrigins,
      metricsPort: proxy.metricsPort,
      archive: archive.config === undefined ? 'off' : { bufferRows: archive.config.bufferRows, retentionDays: archive.config.retentionDays },
    },
    'proxy ready',
  );
  return await stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Captionist proxy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
