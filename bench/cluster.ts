/**
 * `npm run bench:cluster [-- --streams 100,300,600,1000 --seconds 20 --runs 1]`
 *
 * In one run, for each N: (a) one proxy instance alone, and (b) three instances behind the real
 * nginx (proxy/deploy/nginx-cluster.conf rendered for loopback ports by testkit/servers/cluster-topology.ts)
 * sharing one real redis-server (REDIS_URL), both against the same fake upstream and the same load
 * generator as `npm run bench:proxy` (its runPhase, fake and client are imported, not copied).
 * While the proxied streams run, a tenth as many control streams go straight to the fake, and
 * "added" is proxied minus control, as in bench:proxy.
 *
 * nginx listens on plain HTTP: the bench client speaks ws:// only, and TLS would add nginx's
 * crypto to a cost that is about relaying. The shipped per-address limits (limit_conn 32,
 * limit_req 2 r/s) are taken out of the rendered file, because every bench stream comes from
 * 127.0.0.1; nothing else is changed. nginx's worker gets enough connections for 2 per stream.
 *
 * Redis operations: MONITOR counts every command the instances send (round trips; the commands a
 * Lua script runs inside Redis are counted apart) from before the streams open until after they
 * have closed: stream start, heartbeats (every REDIS_SLOT_TTL_SECONDS / 3 = 5 s) and stream end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, NGINX_BIN, renderClusterConf } from '../testkit/servers/cluster-topology';
import { startRedis } from '../testkit/servers/redis-server';
import { StampGroup } from './proxy-frame-stamp';
import {
  KEY,
  TOKEN,
  runPhase,
  setPhaseTiming,
  sleep,
  startFake,
  startProcess,
  stopProcess,
  type FakeProcess,
  type PhaseResult,
} from './proxy';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '100,300,600,1000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    instances: { type: 'string', default: '3' },
    runs: { type: 'string', default: '1' },
    // p99 added at or under this many ms: the stream count "held".
    'held-ms': { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const streamCounts = args.streams.split(',').map(Number);
const instanceCount = Number(args.instances);
const runs = Number(args.runs);
const heldMs = Number(args['held-ms']);
const measureSeconds = Number(args.seconds);
setPhaseTiming(measureSeconds, Number(args.warmup));

const PROXY_ENV = {
  DEEPGRAM_API_KEY: KEY,
  CAPTIONIST_TOKENS: TOKEN,
  MAX_STREAMS_PER_TOKEN: '100000',
  MAX_CONNECTIONS_PER_ADDRESS: '100000',
  LOG_LEVEL: 'warn',
};

/** nginx.conf around the rendered site, with room for 2 connections per stream. */
function nginxMainConf(folder: string, site: string): string {
  return [
    'worker_processes 1;',
    'worker_rlimit_nofile 20000;',
    `pid ${path.join(folder, 'nginx.pid')};`,
    `error_log ${path.join(folder, 'error.log')} warn;`,
    'events { worker_connections 10000; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${path.join(folder, kind)};`),
    `  include ${site};`,
    '}',
  ].join('\n');
}

interface Nginx {
  url: string;
  workerPid: number;
  stop(): Promise<void>;
}

async function startNginx(instancePorts: number[]): Promise<Nginx> {
  const folder = mkdtempSync(path.join(tmpdir(), 'captionist-bench-nginx-'));
  const port = await freePort();
  const site = renderClusterConf({ instancePorts, listenPort: port, tls: false, certificate: '', key: '' })
    .replace(/^\s*limit_conn captionist_conn_per_ip \d+;$/m, '')
    .replace(/^\s*limit_req zone=captionist_token_per_ip[^;]*;$/gm, '')
    .replace(/^\s*ssl_[^;]*;$/gm, '');
  writeFileSync(path.join(folder, 'site.conf'), site);
  writeFileSync(path.join(folder, 'nginx.conf'), nginxMainConf(folder, path.join(folder, 'site.conf')));
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', folder, '-c', path.join(folder, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore', detached: true });
  let workerPid = 0;
  const deadline = Date.now() + 10_000;
  while (workerPid === 0) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${readFileSync(path.join(folder, 'error.log'), 'utf8')}`);
    if (Date.now() > deadline) throw new Error('nginx did not start');
    await sleep(50);
    const children = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    workerPid = Number(children[0] ?? 0);
  }
  return {
    url: `ws://127.0.0.1:${port}/v1/listen`,
    workerPid,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

interface Step {
  streams: number;
  alone: PhaseResult;
  cluster: PhaseResult;
  /** Commands the instances sent Redis over the cluster phase, and commands Lua scripts ran inside it. */
  redisCalls: number;
  redisLuaCalls: number;
  redisByCommand: Record<string, number>;
  loadavg: string;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function controls(streams: number): number {
  return Math.min(streams, Math.max(50, Math.round(streams / 10)));
}

async function alonePhase(fake: FakeProcess, streams: number): Promise<PhaseResult> {
  const proxy = await startProcess('proxy/main.ts', { ...PROXY_ENV, PORT: '0', DEEPGRAM_URL: fake.url }, /listening on ws:\/\//);
  try {
    const url = /listening on (ws:\/\/\S+)/.exec(proxy.line)?.[1] ?? '';
    await sleep(300);
    return await runPhase(
      [
        { group: StampGroup.Proxied, url, headers: { Authorization: `Token ${TOKEN}` }, count: streams },
        { group: StampGroup.Control, url: fake.url, headers: { Authorization: `Token ${KEY}` }, count: controls(streams) },
      ],
      fake,
      { proxy: proxy.child.pid ?? 0 },
      url.replace(/^ws:/, 'http:').replace(/\/v1\/listen$/, '/metrics'),
    );
  } finally {
    await stopProcess(proxy.child);
  }
}

async function clusterPhase(fake: FakeProcess, redisUrl: string, streams: number): Promise<Omit<Step, 'alone' | 'loadavg'>> {
  const ports = await Promise.all(Array.from({ length: instanceCount }, () => freePort()));
  const instances = await Promise.all(
    ports.map((port) =>
      startProcess('proxy/main.ts', { ...PROXY_ENV, PORT: String(port), DEEPGRAM_URL: fake.url, REDIS_URL: redisUrl, TRUSTED_PROXIES: '127.0.0.1' }, /listening on ws:\/\//),
    ),
  );
  const nginx = await startNginx(ports);
  const monitorClient = new Redis(redisUrl);
  try {
    const monitor = await monitorClient.monitor();
    const byCommand: Record<string, number> = {};
    let lua = 0;
    monitor.on('monitor', (_time: string, commandArgs: string[], source: string) => {
      if (source === 'lua') {
        lua += 1;
        return;
      }
      const name = (commandArgs[0] ?? '').toLowerCase();
      byCommand[name] = (byCommand[name] ?? 0) + 1;
    });
    await sleep(1000); // the instances' own connection set-up is over before counting
    for (const key of Object.keys(byCommand)) byCommand[key] = 0;
    lua = 0;
    const result = await runPhase(
      [
        { group: StampGroup.Proxied, url: nginx.url, headers: { Authorization: `Token ${TOKEN}` }, count: streams },
        { group: StampGroup.Control, url: fake.url, headers: { Authorization: `Token ${KEY}` }, count: controls(streams) },
      ],
      fake,
      { watch: [...instances.map((instance) => instance.child.pid ?? 0), nginx.workerPid] },
      // /metrics of the first instance (nginx routes only /v1/listen, /v1/auth-check, /healthz).
      `http://127.0.0.1:${ports[0]}/metrics`,
    );
    await sleep(1000); // the instances release the last slots
    monitor.disconnect();
    return {
      streams,
      cluster: result,
      redisCalls: Object.values(byCommand).reduce((sum, count) => sum + count, 0),
      redisLuaCalls: lua,
      redisByCommand: { ...byCommand },
    };
  } finally {
    monitorClient.disconnect();
    await nginx.stop();
    await Promise.all(instances.map((instance) => stopProcess(instance.child)));
  }
}

const f1 = (value: number) => value.toFixed(1);

function addedOf(phase: PhaseResult): { p50: number; p99: number } {
  const proxied = phase.groups.get(StampGroup.Proxied)?.frames;
  const control = phase.groups.get(StampGroup.Control)?.frames;
  if (proxied === undefined || control === undefined) return { p50: Number.NaN, p99: Number.NaN };
  return { p50: proxied.p50 - control.p50, p99: proxied.p99 - control.p99 };
}

function relayed(phase: PhaseResult): number {
  const proxied = phase.groups.get(StampGroup.Proxied);
  return (proxied?.framesSent ?? 0) + (proxied?.answered ?? 0);
}

function dropped(phase: PhaseResult): number {
  return phase.groups.get(StampGroup.Proxied)?.failedStreams ?? 0;
}

function stepLine(step: Step): string {
  const alone = addedOf(step.alone);
  const cluster = addedOf(step.cluster);
  const instanceCpu = step.cluster.watchedCpuPercent.slice(0, instanceCount);
  const nginxCpu = step.cluster.watchedCpuPercent[instanceCount] ?? Number.NaN;
  const aloneMicros = ((step.alone.proxyCpuPercent / 100) * measureSeconds * 1e6) / Math.max(1, relayed(step.alone));
  const clusterMicros = ((instanceCpu.reduce((a, b) => a + b, 0) / 100) * measureSeconds * 1e6) / Math.max(1, relayed(step.cluster));
  const nginxMicros = ((nginxCpu / 100) * measureSeconds * 1e6) / Math.max(1, relayed(step.cluster));
  return [
    step.streams,
    `${f1(alone.p50)} / ${f1(alone.p99)}${alone.p99 <= heldMs ? '' : ' ✗'}`,
    `${f1(cluster.p50)} / ${f1(cluster.p99)}${cluster.p99 <= heldMs ? '' : ' ✗'}`,
    step.alone.proxyCpuPercent.toFixed(0),
    instanceCpu.map((value) => value.toFixed(0)).join(' + '),
    nginxCpu.toFixed(0),
    `${aloneMicros.toFixed(1)} / ${clusterMicros.toFixed(1)} + ${nginxMicros.toFixed(1)}`,
    `${step.alone.machineCpuPercent.toFixed(0)} / ${step.cluster.machineCpuPercent.toFixed(0)}`,
    `${(step.redisCalls / step.streams).toFixed(2)} (${Object.entries(step.redisByCommand).map(([name, count]) => `${name} ${count}`).join(', ')}; lua inside ${step.redisLuaCalls})`,
    `${dropped(step.alone)} / ${dropped(step.cluster)}`,
    step.loadavg,
  ].join(' | ');
}

async function main(): Promise<void> {
  const fake = await startFake();
  const redis = await startRedis();
  const all: Record<string, unknown>[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      const steps: Step[] = [];
      for (const streams of streamCounts) {
        const alone = await alonePhase(fake, streams);
        const cluster = await clusterPhase(fake, redis.url, streams);
        const step: Step = { ...cluster, alone, loadavg: loadavg() };
        steps.push(step);
        process.stderr.write(`run ${run}, ${streams} streams: ${stepLine(step)}\n`);
        all.push({
          run,
          streams,
          alone: { added: addedOf(alone), cpu: alone.proxyCpuPercent, relayed: relayed(alone), machine: alone.machineCpuPercent, dropped: dropped(alone), loopDelay: alone.proxyLoopDelay },
          cluster: {
            added: addedOf(step.cluster),
            cpu: step.cluster.watchedCpuPercent,
            relayed: relayed(step.cluster),
            machine: step.cluster.machineCpuPercent,
            dropped: dropped(step.cluster),
            loopDelay: step.cluster.proxyLoopDelay,
          },
          redis: { calls: step.redisCalls, lua: step.redisLuaCalls, byCommand: step.redisByCommand },
          loadavg: step.loadavg,
        });
      }
      process.stdout.write(
        [
          '',
          `Run ${run}: ${instanceCount} instances behind nginx with Redis vs one instance alone; ${measureSeconds} s measured per step; added = proxied minus control streams, audio up, ms`,
          '',
          'streams | alone added p50 / p99 | cluster added p50 / p99 | alone CPU % | cluster CPU % per instance | nginx CPU % | CPU µs per relayed message alone / cluster instances + nginx | machine CPU % alone / cluster | Redis commands per stream (by command) | dropped alone / cluster | load average',
          '---|---|---|---|---|---|---|---|---|---|---',
          ...steps.map(stepLine),
          '',
        ].join('\n'),
      );
    }
  } finally {
    await redis.close();
    await stopProcess(fake.child);
  }
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(all, null, 2));
}

await main();
