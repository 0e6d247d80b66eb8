/**
 * The bar the e2e specs measure the browser path against: pocketsphinx_continuous on a clip's own
 * 16 kHz file, its words cleaned as the engine's output is cleaned. The proxy's local engine
 * (proxy/upstreams/pocketsphinx-stream.py) prints the same finals for the same audio, byte for byte
 * (tests/proxy/local-engine-interim.test.ts), so what differs is only the browser path.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseWord, createPocketsphinxParser, isFiller, type EngineUtterance } from '../../proxy/upstreams/pocketsphinx-output';

const run = promisify(execFile);

export async function recognizeFile(file: string): Promise<string[]> {
  const { stdout } = await run('pocketsphinx_continuous', ['-infile', file, '-time', 'yes', '-logfn', '/dev/null'], {
    timeout: 60_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  const utterances: EngineUtterance[] = [];
  const parser = createPocketsphinxParser((utterance) => utterances.push(utterance));
  parser.push(stdout);
  parser.end();
  return utterances.flatMap((u) => u.segments.filter((s) => !isFiller(s.word)).map((s) => baseWord(s.word)));
}
