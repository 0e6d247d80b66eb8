/**
 * `npm run bench:chain [-- --streams 10 --rounds 3 --cases 402,hang]`
 *
 * What the fallback chain's memory of a failing engine (proxy/upstreams/link-breakers.ts) saves:
 * time to first caption of streams 2..N when Deepgram is a fake that refuses every handshake with
 * 402 (case `402`) or never answers it (case `hang`, FALLBACK_AFTER_SECONDS=1), and a
 * Deepgram-compatible fake behind it serves the streams (UPSTREAMS=deepgram,compatible). In the
 * same run, the proxy with FALLBACK_COOLDOWN_SECONDS=0 (every stream tries Deepgram first, the
 * behaviour before the memory) against the default cool-down, rounds interleaved. Stream 1 pays the
 * refusal in both and is left out. Time to first caption: from opening the client socket to its
 * first Results message, the audio (0.3 s of silence) sent as soon as the socket opens.
 * Everything runs in this process on loopback.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { loadConfig } from '../proxy/config';
import { startProxy } from '../proxy/server';
import { startFakeUpstream, type FakeDeepgram } from '../testkit/upstream';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    cases: { type: 'string', default: '402,hang' },
  },
});
const streams = Number(args.streams);
const rounds = Number(args.rounds);
const cases = args.cases.split(',').filter((name): name is '402' | 'hang' => name === '402' || name === 'hang');

const DEEPGRAM_KEY = 'bench-deepgram-key';
const COMPATIBLE_KEY = 'bench-compatible-key';
/** 0.3 s of 16 kHz Int16 silence: the fake answers by audio received, not by its content. */
const AUDIO = Buffer.alloc(0.3 * 32_000);
const QUERY = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true';

/** Milliseconds from opening a client socket to its first Results message. */
async function timeToFirstCaption(url: string): Promise<number> {
  const started = performance.now();
  const ws = new WebSocket(`${url}?${QUERY}`);
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no caption within 20 s')), 20_000);
      ws.once('open', () => ws.send(AUDIO));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString('utf8')) as { type?: unknown };
        if (message.type !== 'Results') return;
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once('close', (code, reason) => {
        clearTimeout(timer);
        reject(new Error(`closed ${code} ${reason.toString()} before a caption`));
      });
    });
  } finally {
    ws.removeAllListeners('close');
    ws.on('error', () => {});
    ws.terminate();
  }
}

/** Times of streams 2..N on a fresh proxy (so each run starts with its memory empty). */
async function runStreams(deepgram: FakeDeepgram, backup: FakeDeepgram, cooldownSeconds: string, fallbackAfter: string): Promise<number[]> {
  const loaded = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEEPGRAM_API_KEY: DEEPGRAM_KEY,
    DEEPGRAM_URL: deepgram.url,
    UPSTREAMS: 'deepgram,compatible',
    COMPATIBLE_URL: backup.url,
    COMPATIBLE_API_KEY: COMPATIBLE_KEY,
    FALLBACK_AFTER_SECONDS: fallbackAfter,
    FALLBACK_COOLDOWN_SECONDS: cooldownSeconds,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join(' '));
  const proxy = await startProxy(loaded.config, { shutdownGraceMs: 200 });
  try {
    const times: number[] = [];
    for (let stream = 1; stream <= streams; stream += 1) {
      const ms = await timeToFirstCaption(proxy.url);
      if (stream > 1) times.push(ms);
    }
    return times;
  } finally {
    await proxy.close();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const fixed = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

const backup = await startFakeUpstream({ mode: 'normal', apiKey: COMPATIBLE_KEY, msPerWord: 100, recordSent: false });
console.log(`bench:chain: ${streams} streams per run (streams 2..${streams} timed), ${rounds} rounds, old (FALLBACK_COOLDOWN_SECONDS=0) and new (default 30) interleaved`);
try {
  for (const name of cases) {
    const deepgram = await startFakeUpstream(
      name === '402' ? { mode: 'normal', apiKey: DEEPGRAM_KEY, rejectUpgrade: { status: 402 } } : { mode: 'normal', apiKey: DEEPGRAM_KEY, hangUpgrade: true },
    );
    const fallbackAfter = name === 'hang' ? '1' : '5';
    const old: number[] = [];
    const fresh: number[] = [];
    try {
      for (let round = 0; round < rounds; round += 1) {
        old.push(...(await runStreams(deepgram, backup, '0', fallbackAfter)));
        fresh.push(...(await runStreams(deepgram, backup, '30', fallbackAfter)));
      }
    } finally {
      await deepgram.close();
    }
    const label = name === '402' ? 'Deepgram answers 402' : `Deepgram never answers (FALLBACK_AFTER_SECONDS=${fallbackAfter})`;
    console.log(`\n${label}: time to first caption, streams 2..${streams} (${old.length} samples each)`);
    console.log(`  old (cool-down 0):  median ${fixed(median(old))} ms, mean ${fixed(mean(old))} ms`);
    console.log(`  new (cool-down 30): median ${fixed(median(fresh))} ms, mean ${fixed(mean(fresh))} ms`);
    console.log(`  ratio old/new: median ${(median(old) / median(fresh)).toFixed(2)}x, mean ${(mean(old) / mean(fresh)).toFixed(2)}x`);
  }
} finally {
  await backup.close();
}
