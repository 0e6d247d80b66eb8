/**
 * `npm run bench:metrics [-- --sockets 0,4000 --rounds 40]`
 *
 * What one /metrics scrape costs the proxy's event loop (every stream waits while it runs), with
 * as many sockets open as the proxy holds for N streams (two per stream: the client's and the
 * upstream's). Ours (proxy/metrics.ts: prom-client's default process metrics without the ones that
 * list every handle, request and resource) against prom-client's full default set, in one run,
 * scrapes interleaved. Sockets are loopback TCP pairs in this process, both ends counted.
 */
import { createServer, connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createProxyMetrics } from '../proxy/metrics';
import { percentile } from './proxy-frame-stamp';

const { values: args } = parseArgs({
  options: {
    sockets: { type: 'string', default: '0,1000,4000' },
    rounds: { type: 'string', default: '40' },
  },
});
const socketCounts = args.sockets.split(',').map(Number);
const rounds = Number(args.rounds);

const ours = createProxyMetrics({ processMetrics: true });
const fullDefaults = new Registry();
collectDefaultMetrics({ register: fullDefaults, prefix: 'full_' });

const clientEnds: Socket[] = [];
const serverEnds: Socket[] = [];
const server = createServer((socket) => serverEnds.push(socket));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

/** Opens loopback pairs until `total` sockets (both ends) are open. */
async function openSockets(total: number): Promise<void> {
  while (clientEnds.length < total / 2) {
    const pairs = Math.min(100, total / 2 - clientEnds.length);
    await Promise.all(
      Array.from(
        { length: pairs },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', () => resolve());
            socket.once('error', reject);
            clientEnds.push(socket);
          }),
      ),
    );
  }
  // The server's ends arrive in its 'connection' events.
  while (serverEnds.length < clientEnds.length) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function timeScrape(render: () => Promise<string>): Promise<number> {
  const started = performance.now();
  await render();
  return performance.now() - started;
}

const rows: string[] = [];
for (const count of socketCounts) {
  await openSockets(count);
  const oursMs: number[] = [];
  const fullMs: number[] = [];
  for (let round = 0; round < rounds + 5; round += 1) {
    const a = await timeScrape(() => ours.render());
    const b = await timeScrape(() => fullDefaults.metrics());
    // The first rounds compile and warm both paths.
    if (round < 5) continue;
    oursMs.push(a);
    fullMs.push(b);
  }
  oursMs.sort((a, b) => a - b);
  fullMs.sort((a, b) => a - b);
  const median = (values: number[]) => percentile(values, 50);
  rows.push(
    [
      clientEnds.length + serverEnds.length,
      `${median(oursMs).toFixed(2)} / ${percentile(oursMs, 90).toFixed(2)}`,
      `${median(fullMs).toFixed(2)} / ${percentile(fullMs, 90).toFixed(2)}`,
      `**${(median(fullMs) / median(oursMs)).toFixed(2)}x**`,
    ].join(' | '),
  );
}
for (const socket of [...clientEnds, ...serverEnds]) socket.destroy();
server.close();

process.stdout.write(
  [
    '',
    `One /metrics render, ms (median / p90 of ${rounds}, interleaved), with sockets open in the process:`,
    '',
    "open sockets | ours (proxy/metrics.ts) | prom-client's full default set | full / ours",
    '---|---|---|---',
    ...rows,
    '',
  ].join('\n'),
);
