/**
 * The local engine's interim Results, with real pocketsphinx on real recorded speech (three
 * librivox clips of pocketsphinx-testdata joined by silences): the decoder script's finals are
 * byte for byte pocketsphinx_continuous's, interims come often while people speak, look like
 * Deepgram's, and only when the hypothesis changed.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type RunningProxy } from '@/proxy/server';
import { LOCAL_ENGINE_BINARY, LOCAL_ENGINE_SCRIPT } from '@/proxy/upstreams/engine-decoder';
import { baseWord, createPocketsphinxParser, isFiller, type EngineUtterance } from '@/proxy/upstreams/pocketsphinx-output';
import {
  TOKEN,
  connectClient,
  engineProcesses,
  librivoxPcm,
  resultsOf,
  silencePcm,
  streamPcm,
  testConfig,
  transcriptOf,
  waitFor,
  type TestClient,
} from './proxy-test-kit';

const run = promisify(execFile);
const CLIPS = ['0920', '0880', '0930'];
const QUERY = 'encoding=linear16&sample_rate=16000&channels=1';
/** The bar: at least one interim per 300 ms of speech. */
const MAX_SECONDS_PER_INTERIM = 0.3;

interface Word {
  word: string;
  start: number;
  end: number;
}

const wordsOf = (message: Record<string, unknown>): Word[] =>
  (message.channel as { alternatives: { words: Word[] }[] }).alternatives[0]?.words ?? [];
const requestIdOf = (client: TestClient): string => String(client.upgradeHeaders['dg-request-id']);
/** Where an interim's audio ends: Deepgram's start + duration. */
const endOf = (message: Record<string, unknown>): number => Number(message.start) + Number(message.duration);

let tmpDir = '';
let speech: Buffer = Buffer.alloc(0);
let rawFile = '';
/** pocketsphinx_continuous on the same audio: the bar the engine's finals must meet exactly. */
let cliOutput = '';

/** Each utterance's words, fillers left out, as the engine's finals carry them. */
function wordsOfUtterances(output: string): string[][] {
  const utterances: EngineUtterance[] = [];
  const parser = createPocketsphinxParser((utterance) => utterances.push(utterance));
  parser.push(output);
  parser.end();
  return utterances
    .map((utterance) => utterance.segments.filter((segment) => !isFiller(segment.word)).map((segment) => baseWord(segment.word)))
    .filter((words) => words.length > 0);
}
const wordsOfOutput = (output: string): string[] => wordsOfUtterances(output).flat();

beforeAll(async () => {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'interim-'));
  speech = Buffer.concat([silencePcm(0.5), ...CLIPS.flatMap((clip) => [librivoxPcm(clip), silencePcm(1.2)])]);
  rawFile = path.join(tmpDir, 'clips.raw');
  writeFileSync(rawFile, speech);
  ({ stdout: cliOutput } = await run('pocketsphinx_continuous', ['-infile', rawFile, '-time', 'yes', '-logfn', '/dev/null'], { timeout: 90_000 }));
}, 100_000);

afterAll(() => {
  rmSync(tmpDir, { recursive: true, force: true });
});

const proxies: RunningProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

async function streamThroughProxy(query: string): Promise<{ messages: Record<string, unknown>[]; requestId: string }> {
  const proxy = await startProxy(testConfig(), { shutdownGraceMs: 2000 });
  proxies.push(proxy);
  const client = connectClient(proxy.url, { token: TOKEN, query });
  await client.opened;
  // Faster than real time, never pausing long enough to end an utterance; then, kept alive, the
  // engine catches up (a loaded 2-core machine decodes slower than real time) before CloseStream,
  // whose wait is bounded by the proxy's own close timeout.
  await streamPcm(client.ws, speech, { speed: 3 });
  const keepAlive = setInterval(() => client.ws.send('{"type":"KeepAlive"}'), 2000);
  try {
    const utterances = wordsOfUtterances(cliOutput).length;
    await waitFor(() => resultsOf(client.messages).filter((message) => message.is_final === true).length >= utterances, 90_000, 'every utterance');
  } finally {
    clearInterval(keepAlive);
  }
  client.ws.send('{"type":"CloseStream"}');
  const closed = await client.closed;
  expect(closed.code, closed.reason).toBe(1000);
  return { messages: client.messages, requestId: requestIdOf(client) };
}

describe('local engine decoder script', () => {
  it('prints finals byte for byte as pocketsphinx_continuous does on the same audio', { timeout: 100_000 }, async () => {
    const child = spawn(LOCAL_ENGINE_BINARY, ['-I', LOCAL_ENGINE_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (output += text));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(speech);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    const lines = output.split('\n');
    const partials = lines.filter((line) => line.startsWith('{'));
    expect(lines.filter((line) => !line.startsWith('{')).join('\n')).toBe(cliOutput);
    expect(wordsOfOutput(cliOutput).length).toBeGreaterThanOrEqual(15);
    // And partials besides, each a changed hypothesis of the utterance going on.
    expect(partials.length).toBeGreaterThanOrEqual(10);
    const partialTexts = partials.map((line) => (JSON.parse(line) as { partial: [string][] }).partial.map(([word]) => word).join(' '));
    partialTexts.slice(1).forEach((text, index) => expect(text).not.toBe(partialTexts[index]));
  });
});

describe('local engine interim results', () => {
  it('sends Deepgram-shaped interims at least every 300 ms of speech, finals unchanged', { timeout: 150_000 }, async () => {
    const { messages, requestId } = await streamThroughProxy(`${QUERY}&interim_results=true`);
    const results = resultsOf(messages);
    const finals = results.filter((message) => message.is_final === true);
    const interims = results.filter((message) => message.is_final === false);

    // Finals: exactly the words pocketsphinx_continuous finds in the same audio.
    expect(finals.flatMap(wordsOf).map((word) => word.word)).toEqual(wordsOfOutput(cliOutput));

    // Shape: Deepgram's interim, the same fields as a final.
    expect(interims.length).toBeGreaterThan(0);
    for (const interim of interims) {
      expect(interim).toMatchObject({ type: 'Results', is_final: false, speech_final: false, from_finalize: false, channel_index: [0, 1] });
      expect(Object.keys(interim).sort()).toEqual(Object.keys(finals[0] ?? {}).sort());
      const words = wordsOf(interim);
      expect(words.length).toBeGreaterThan(0);
      expect(transcriptOf(interim)).toBe(words.map((word) => word.word).join(' '));
      expect(words.every((word) => !/[<[(]/.test(word.word))).toBe(true);
      expect(endOf(interim)).toBeLessThanOrEqual(speech.length / 32_000);
    }

    // Per utterance: interims lead up to each final, each one a changed hypothesis.
    let sinceFinal: Record<string, unknown>[] = [];
    const gaps: number[] = [];
    let speechSeconds = 0;
    let interimsInSpeech = 0;
    for (const result of results) {
      if (result.is_final === false) {
        const previous = sinceFinal.at(-1);
        if (previous !== undefined) {
          expect(transcriptOf(result)).not.toBe(transcriptOf(previous));
          gaps.push(endOf(result) - endOf(previous));
        }
        sinceFinal.push(result);
        continue;
      }
      const words = wordsOf(result);
      if (words.length >= 2) {
        expect(sinceFinal.length, `interims before "${transcriptOf(result)}"`).toBeGreaterThan(0);
        speechSeconds += (words.at(-1)?.end ?? 0) - (words[0]?.start ?? 0);
        interimsInSpeech += sinceFinal.length;
      }
      sinceFinal = [];
    }
    // Cadence in audio time (wall-clock time on a loaded machine says nothing about the engine):
    // the median step and the average both within 300 ms of speech.
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
    expect(median).toBeLessThanOrEqual(MAX_SECONDS_PER_INTERIM);
    expect(speechSeconds / interimsInSpeech).toBeLessThanOrEqual(MAX_SECONDS_PER_INTERIM);
    expect(engineProcesses(requestId)).toEqual([]);
  });

  it('sends no interims when the client does not ask for them, and the same finals', { timeout: 150_000 }, async () => {
    const { messages, requestId } = await streamThroughProxy(QUERY);
    const results = resultsOf(messages);
    expect(results.every((message) => message.is_final === true)).toBe(true);
    expect(results.flatMap(wordsOf).map((word) => word.word)).toEqual(wordsOfOutput(cliOutput));
    expect(engineProcesses(requestId)).toEqual([]);
  });

  it('leaves no decoder process behind when the client drops while interims flow', { timeout: 30_000 }, async () => {
    const proxy = await startProxy(testConfig(), { shutdownGraceMs: 2000 });
    proxies.push(proxy);
    const client = connectClient(proxy.url, { token: TOKEN, query: `${QUERY}&interim_results=true` });
    await client.opened;
    const requestId = requestIdOf(client);
    const streaming = streamPcm(client.ws, speech, { speed: 2 });
    await waitFor(() => resultsOf(client.messages).some((message) => message.is_final === false), 20_000, 'an interim');
    expect(engineProcesses(requestId).length).toBeGreaterThanOrEqual(1);
    client.ws.terminate();
    await streaming;
    await waitFor(() => engineProcesses(requestId).length === 0, 3000, 'the decoder process to end');
  });
});
