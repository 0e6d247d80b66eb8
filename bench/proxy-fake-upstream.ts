/**
 * The fake Deepgram as its own process, for bench/proxy.ts: prints its URL, stops on SIGTERM.
 * FAKE_MS_PER_WORD of audio per word (a multiple of 100 ms, so every message answers one frame).
 */
import { startFakeDeepgram } from '../tests/fixtures/fake-deepgram';

const fake = await startFakeDeepgram({
  apiKey: process.env.FAKE_DEEPGRAM_KEY ?? 'bench-key',
  msPerWord: Number(process.env.FAKE_MS_PER_WORD ?? '300'),
  idleTimeoutMs: 60_000,
  recordSent: false,
});
process.stdout.write(`${fake.url}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
