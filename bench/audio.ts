/**
 * `npm run bench:audio`: our resampler against the peers named in issue 3, in one run.
 *
 *  - alias rejection: worst, over input tones from 9 kHz to the input Nyquist (25 Hz steps,
 *    refined around the worst), of all output energy relative to a 1 kHz tone's (dB; higher is
 *    better);
 *  - passband ripple: max - min gain over 50 Hz..7 kHz (50 Hz steps);
 *  - throughput: seconds of audio per second of CPU (process.cpuUsage), median of several runs
 *    interleaved across resamplers, streaming ones fed 128-frame blocks as in an AudioWorklet;
 *    and the same as a ratio to libsamplerate-js SRC_SINC_FASTEST.
 *
 * wave-resampler only resamples whole buffers (its IIR filter runs forward then backward), so it
 * gets each tone, and the throughput signal, in one call; it cannot run in a worklet as is.
 */
import * as libsamplerateModule from '@alexanderolsen/libsamplerate-js';
import * as waveResamplerModule from 'wave-resampler';
import { StreamingResampler } from '../lib/audio/resampler';
import { seededRandom } from '../testkit/prng';
import { inBlocks, measureAliasRejection, measurePassbandRipple, type ResampleFn } from '../testkit/audio-measure';

// Both packages ship CommonJS/UMD bundles whose named exports Node cannot see from ESM: the API
// is on `default` at run time, while the typings describe named exports.
const libsamplerate = interop(libsamplerateModule);
const waveResample = interop(waveResamplerModule).resample;

function interop<T extends object>(namespace: T): T {
  return (namespace as T & { default?: T }).default ?? namespace;
}

const OUTPUT_RATE = 16000;
const BLOCK = 128;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const THROUGHPUT_RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SWEEP = { toneSeconds: 0.25, skipStartSeconds: 0.06, skipEndSeconds: 0.05 };

interface Contender {
  name: string;
  /** For the tone sweeps; may keep state between calls. */
  resample: ResampleFn;
  /** Processes the whole throughput signal once (blocks of 128 for streaming resamplers). */
  runThroughput(signal: Float32Array): void;
  close?(): void;
}

async function contenders(inputRate: number): Promise<Contender[]> {
  const ours = new StreamingResampler(inputRate, OUTPUT_RATE);
  const oursOut = new Float32Array(ours.maxOutputFrames(BLOCK));

  const src = await libsamplerate.create(1, inputRate, OUTPUT_RATE, {
    converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST,
  });
  const srcOut = new Float32Array(4 * BLOCK);
  const srcFrames = { frames: 0 };
  const srcBlock = (block: Float32Array) => {
    src.full(block, srcOut, srcFrames);
    return srcOut.subarray(0, srcFrames.frames);
  };

  const step = inputRate / OUTPUT_RATE;
  const naive = (input: Float32Array) => {
    const out = new Float32Array(Math.floor(input.length / step));
    for (let j = 0; j < out.length; j++) out[j] = input[Math.floor(j * step)]!;
    return out;
  };
  // wave-resampler filters its input in place: give it a copy.
  const wave = (input: Float32Array) => waveResample(Float64Array.from(input), inputRate, OUTPUT_RATE);

  return [
    {
      name: 'captionist StreamingResampler',
      resample: inBlocks((block) => ours.process(block), BLOCK),
      runThroughput(signal) {
        for (let i = 0; i + BLOCK <= signal.length; i += BLOCK) ours.processInto(signal.subarray(i, i + BLOCK), oursOut);
      },
    },
    {
      name: 'libsamplerate-js SINC_FASTEST',
      resample: inBlocks(srcBlock, BLOCK),
      runThroughput(signal) {
        for (let i = 0; i + BLOCK <= signal.length; i += BLOCK) src.full(signal.subarray(i, i + BLOCK), srcOut, srcFrames);
      },
      close: () => src.destroy(),
    },
    {
      name: 'wave-resampler (default, whole buffer)',
      resample: wave,
      runThroughput: (signal) => void wave(signal),
    },
    {
      name: 'naive decimation (floor)',
      resample: naive,
      runThroughput: (signal) => void naive(signal),
    },
  ];
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Speech-like test signal: deterministic noise, low-passed a little so it is not pure hiss. */
function testSignal(inputRate: number): Float32Array {
  const out = new Float32Array(Math.round(inputRate * THROUGHPUT_SECONDS));
  const random = seededRandom(12345);
  let y = 0;
  for (let i = 0; i < out.length; i++) {
    y = 0.9 * y + 0.1 * (random() - 0.5);
    out[i] = y * 4;
  }
  return out;
}

interface Row {
  name: string;
  rejectionDb: number;
  worstHz: number;
  rippleDb: number;
  realtime: number;
}

async function benchRate(inputRate: number): Promise<Row[]> {
  const list = await contenders(inputRate);
  const rows: Row[] = list.map((c) => {
    const alias = measureAliasRejection(c.resample, inputRate, OUTPUT_RATE, { ...SWEEP, stepHz: 25 });
    const ripple = measurePassbandRipple(c.resample, inputRate, OUTPUT_RATE, { ...SWEEP, stepHz: 50 });
    return { name: c.name, rejectionDb: alias.worstRejectionDb, worstHz: alias.worstFrequencyHz, rippleDb: ripple.rippleDb, realtime: 0 };
  });

  const signal = testSignal(inputRate);
  const samples: number[][] = list.map(() => []);
  for (const c of list) c.runThroughput(signal.subarray(0, inputRate)); // warm up the JIT
  for (let run = 0; run < THROUGHPUT_RUNS; run++) {
    list.forEach((c, i) => {
      const start = cpuSeconds();
      c.runThroughput(signal);
      samples[i]!.push(THROUGHPUT_SECONDS / Math.max(cpuSeconds() - start, 1e-6));
    });
  }
  rows.forEach((row, i) => (row.realtime = median(samples[i]!)));
  for (const c of list) c.close?.();
  return rows;
}

function printTable(inputRate: number, rows: Row[]): void {
  const reference = rows.find((r) => r.name.startsWith('libsamplerate'))!;
  const header = ['resampler', 'alias rej. (worst, dB)', 'at Hz', 'ripple 50-7k (dB)', 'x realtime', 'vs libsamplerate'];
  const lines = rows.map((r) => [
    r.name,
    r.rejectionDb.toFixed(1),
    r.worstHz.toFixed(0),
    r.rippleDb.toFixed(3),
    r.realtime.toFixed(0),
    `${(r.realtime / reference.realtime).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\n${inputRate} Hz -> ${OUTPUT_RATE} Hz mono, ${BLOCK}-frame blocks`);
  console.log(format(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  console.log(`Throughput: ${THROUGHPUT_SECONDS} s of audio, median of ${THROUGHPUT_RUNS} runs (CPU time).`);
  let ok = true;
  for (const inputRate of [48000, 44100]) {
    const rows = await benchRate(inputRate);
    printTable(inputRate, rows);
    const ours = rows[0]!;
    const peer = rows.find((r) => r.name.startsWith('libsamplerate'))!;
    const speed = ours.realtime / peer.realtime;
    const verdict = speed >= 2 && ours.rejectionDb >= peer.rejectionDb && ours.rejectionDb >= 90 && ours.rippleDb <= 0.1;
    ok &&= verdict;
    console.log(
      `target (>= 2x libsamplerate FASTEST at >= its rejection, >= 90 dB, <= 0.1 dB ripple): ${verdict ? 'met' : 'NOT met'}` +
        ` (${speed.toFixed(2)}x, ${ours.rejectionDb.toFixed(1)} vs ${peer.rejectionDb.toFixed(1)} dB)`,
    );
  }
  if (!ok) process.exitCode = 1;
}

await main();
