/**
 * entrypoints/pcm-worklet.ts in a real AudioWorkletGlobalScope: bundled the way WXT bundles an
 * unlisted script (one classic IIFE, no imports), loaded with audioWorklet.addModule in headless
 * Chromium, and driven by an OfflineAudioContext at the common context rates.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium';

async function bundleWorklet(): Promise<string> {
  const result = await build({
    stdin: { contents: "import main from './entrypoints/pcm-worklet.ts'; main();", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    alias: { '@': ROOT },
    plugins: [
      {
        // WXT's defineUnlistedScript returns its definition; the test calls main() itself.
        name: 'wxt-imports-shim',
        setup(b) {
          b.onResolve({ filter: /^#imports$/ }, () => ({ path: '#imports', namespace: 'shim' }));
          b.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({ contents: 'export const defineUnlistedScript = (main) => main;', loader: 'js' }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

interface Rendered {
  rate: number;
  frames: number;
  bytes: number[];
  rms: number;
  peak: number;
  pcmIsArrayBuffer: boolean;
}

const PAGE = `<!doctype html><script>
async function render(rate) {
  const context = new OfflineAudioContext(2, rate, rate);
  await context.audioWorklet.addModule('/pcm-worklet.js');
  const tone = new OscillatorNode(context, { frequency: 440 });
  const gain = new GainNode(context, { gain: 0.5 });
  const node = new AudioWorkletNode(context, 'captionist-pcm', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
  const frames = [];
  node.port.onmessage = (event) => frames.push(event.data[0]);
  tone.connect(gain).connect(node).connect(context.destination);
  tone.start();
  await context.startRendering();
  for (let i = 0; i < 50 && frames.length < 50; i++) await new Promise((r) => setTimeout(r, 20));
  const f = frames[25];
  return { rate, frames: frames.length, bytes: [...new Set(frames.map((x) => x.pcm.byteLength))], rms: f.rms, peak: f.peak,
           pcmIsArrayBuffer: frames.every((x) => x.pcm instanceof ArrayBuffer) };
}
// A meeting: two inputs, each its own tone; the second stops half-way (an unplugged microphone).
async function renderTwo(rate) {
  const context = new OfflineAudioContext(1, rate, rate);
  await context.audioWorklet.addModule('/pcm-worklet.js');
  const node = new AudioWorkletNode(context, 'captionist-pcm', {
    numberOfInputs: 2, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { inputCount: 2 } });
  const pairs = [];
  node.port.onmessage = (event) => pairs.push(event.data);
  const first = new OscillatorNode(context, { frequency: 440 });
  const second = new OscillatorNode(context, { frequency: 1000 });
  first.connect(new GainNode(context, { gain: 0.5 })).connect(node, 0, 0);
  second.connect(new GainNode(context, { gain: 0.25 })).connect(node, 0, 1);
  node.connect(context.destination);
  first.start();
  second.start();
  second.stop(0.5);
  await context.startRendering();
  for (let i = 0; i < 50 && pairs.length < 50; i++) await new Promise((r) => setTimeout(r, 20));
  return { pairs: pairs.length, sizes: [...new Set(pairs.map((p) => p.length))],
           early: pairs[10].map((f) => f.peak), late: pairs[40].map((f) => f.peak) };
}
</script>`;

describe('pcm-worklet at build time', () => {
  it('does nothing when imported in Node (WXT imports entrypoints to read their options)', async () => {
    const module = await import('@/entrypoints/pcm-worklet');
    expect(typeof module.default).toBe('object');
    expect('registerProcessor' in globalThis).toBe(false);
  }, 20_000);
});

describe.skipIf(!existsSync(CHROMIUM_BIN))('pcm-worklet in Chromium', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let origin = '';

  beforeAll(async () => {
    const script = await bundleWorklet();
    server = createServer((request, response) => {
      const isScript = request.url === '/pcm-worklet.js';
      response.setHeader('content-type', isScript ? 'text/javascript' : 'text/html');
      response.end(isScript ? script : PAGE);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  }, 20_000);

  for (const rate of [48000, 44100, 16000]) {
    it(`posts fifty 640-byte frames per second of a ${rate} Hz context, with the tone's level`, async () => {
      const page = await browser!.newPage();
      try {
        await page.goto(origin);
        const result = await page.evaluate((r) => (window as unknown as { render(rate: number): Promise<Rendered> }).render(r), rate);
        expect(result.frames).toBe(50);
        expect(result.bytes).toEqual([640]);
        expect(result.pcmIsArrayBuffer).toBe(true);
        expect(result.peak).toBeCloseTo(0.5, 2);
        expect(result.rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
      } finally {
        await page.close();
      }
    }, 30_000);
  }

  it('posts the frames of two inputs together, each with its own level, and silence for an input that stopped', async () => {
    const page = await browser!.newPage();
    try {
      await page.goto(origin);
      interface Two { pairs: number; sizes: number[]; early: number[]; late: number[] }
      const result = await page.evaluate(() => (window as unknown as { renderTwo(rate: number): Promise<Two> }).renderTwo(48000));
      expect(result.pairs).toBe(50);
      expect(result.sizes).toEqual([2]);
      expect(result.early[0]).toBeCloseTo(0.5, 2);
      expect(result.early[1]).toBeCloseTo(0.25, 2);
      expect(result.late[0]).toBeCloseTo(0.5, 2);
      expect(result.late[1]).toBe(0);
    } finally {
      await page.close();
    }
  }, 30_000);
});
