/**
 * The fake Deepgram as its own process, for bench/proxy.ts: prints its URL, stops on SIGTERM.
 * One word per 100 ms of audio, so every 100 ms frame is answered by exactly one Results message.
 */
import { startFakeDeepgram } from '../tests/fixtures/fake-deepgram';

const fake = await startFakeDeepgram({
  apiKey: process.env.FAKE_DEEPGRAM_KEY ?? 'bench-key',
  msPerWord: 100,
  idleTimeoutMs: 60_000,
  recordSent: false,
});
process.stdout.write(`${fake.url}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
