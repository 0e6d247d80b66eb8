/**
 * One pocketsphinx_continuous process decoding one channel of a stream's audio (16 kHz mono
 * linear16), turning its utterances into Deepgram Results for that channel. The local engine
 * (./local-engine.ts) runs one per channel and owns the stream: its format, control messages,
 * Metadata and close.
 *
 * Facts measured on Debian's pocketsphinx 0.8+5prealpha (see tests/proxy/local-engine.test.ts):
 * - `-infile /dev/stdin` cannot open a socket, and Node's stdio pipes are sockets, so the process
 *   reads from `cat` through a real pipe made by `sh`.
 * - It flushes stdout after each utterance, so no `stdbuf` is needed for timely output.
 * - Word times count audio read so far, not the wall clock: a pause in sending (client VAD, mute)
 *   does not appear in the times, which is what Deepgram does too.
 * - It ends an utterance after roughly 0.5 s of silence; Finalize (and a pause in sending, as a
 *   client-side VAD makes) injects silence to force that, and the injected silence is taken out of
 *   every later time.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { BYTES_PER_SAMPLE, BYTES_PER_SECOND, SAMPLE_RATE } from '../../lib/audio/format';
import { resultsMessage, type ModelInfo, type ResultsMessage, type ResultWord } from './deepgram-shapes';
import { baseWord, createPocketsphinxParser, isFiller, type EngineUtterance } from './pocketsphinx-output';

export const LOCAL_ENGINE_BINARY = 'pocketsphinx_continuous';
/** A fixed string: nothing from a client ever reaches the shell. */
const ENGINE_SCRIPT = `cat | exec ${LOCAL_ENGINE_BINARY} -infile /dev/stdin -time yes -logfn /dev/null`;
const FINALIZE_SILENCE_SECONDS = 0.6;
const QUIET_FLUSH_MS = 150;
export const MODEL_INFO: ModelInfo = { name: 'en-us', version: '0.8+5prealpha', arch: 'pocketsphinx' };

/**
 * Maps engine time back to client time: silence the proxy injected (for Finalize) is removed, so
 * times stay those of the audio the client sent.
 */
export class InjectedSilence {
  private readonly spans: { at: number; duration: number }[] = [];

  add(at: number, duration: number): void {
    this.spans.push({ at, duration });
  }

  toClientTime(engineTime: number): number {
    let removed = 0;
    for (const span of this.spans) {
      if (engineTime >= span.at + span.duration) removed += span.duration;
      else if (engineTime > span.at) return span.at - removed;
    }
    return engineTime - removed;
  }
}

export interface DecoderEvents {
  /** The process started. */
  opened(): void;
  /** A final Results for this channel. */
  results(message: ResultsMessage): void;
  /** The process could not start, fell behind or stopped on its own: the stream must end (1011). */
  failed(reason: string): void;
  /** After end(): the process read all its audio, printed its last utterance and exited cleanly. */
  finished(): void;
}

export interface EngineDecoder {
  /** This channel's audio, 16 kHz mono linear16, as the client sent it. */
  write(chunk: Buffer): void;
  /**
   * Pushes silence in so the engine ends the utterance it is in. `fromFinalize` marks the Results
   * it produces as a Finalize's. False when nothing was heard since the last result.
   */
  endUtterance(fromFinalize: boolean): boolean;
  /** No more audio (CloseStream): the engine finishes what it has and exits. */
  end(): void;
  /** Stops at once; no event follows. Safe to call twice. */
  kill(): void;
}

export interface DecoderOptions {
  requestId: string;
  /** Which channel this is, of how many: Deepgram's `channel_index`. */
  channel: [number, number];
  /** Audio the engine may fall behind by before the stream is closed as overloaded. */
  maxBacklogBytes: number;
  logger: Logger;
  events: DecoderEvents;
}

type EngineProcess = ChildProcessByStdio<Writable, Readable, Readable>;

function killGroup(child: EngineProcess): void {
  if (child.pid === undefined) return;
  try {
    // The engine runs in its own process group (sh, cat, pocketsphinx): end all of it.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export function startEngineDecoder(options: DecoderOptions): EngineDecoder {
  const { requestId, channel, maxBacklogBytes, logger, events } = options;
  const silence = new InjectedSilence();
  let stopped = false;
  let ending = false;
  /** Bytes of this channel the client sent, and bytes written to the engine (with injected silence). */
  let clientBytes = 0;
  let engineBytes = 0;
  let cursor = 0;
  let finalizeRequested = false;
  /** Client audio arrived since silence was last pushed in. */
  let audioSinceSilence = false;
  let quietTimer: NodeJS.Timeout | undefined;
  let stderrTail = '';

  const child: EngineProcess = spawn('sh', ['-c', ENGINE_SCRIPT], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Only what the engine needs: never the proxy's keys or tokens. The request id lets tests
    // (and operators) find the processes of one stream.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', CAPTIONIST_REQUEST_ID: requestId },
  });

  const stop = () => {
    stopped = true;
    clearTimeout(quietTimer);
    killGroup(child);
  };
  const fail = (reason: string) => {
    if (stopped) return;
    stop();
    events.failed(reason);
  };

  const sendUtterance = (utterance: EngineUtterance) => {
    const words: ResultWord[] = utterance.segments
      .filter((segment) => !isFiller(segment.word))
      .map((segment) => {
        const word = baseWord(segment.word);
        return {
          word,
          punctuated_word: word,
          start: silence.toClientTime(segment.start),
          end: silence.toClientTime(segment.end),
          confidence: Math.round(Math.min(1, Math.max(0, segment.confidence)) * 1e4) / 1e4,
        };
      });
    const lastEnd = utterance.segments.reduce((latest, segment) => Math.max(latest, segment.end), 0);
    const end = Math.min(silence.toClientTime(lastEnd), clientBytes / BYTES_PER_SECOND);
    const fromFinalize = finalizeRequested;
    finalizeRequested = false;
    if (words.length === 0 || stopped) return;
    const start = Math.min(cursor, words[0]?.start ?? cursor);
    cursor = Math.max(cursor, end);
    events.results(resultsMessage({ requestId, modelInfo: MODEL_INFO, channelIndex: channel, start, end, words, fromFinalize }));
  };
  const parser = createPocketsphinxParser(sendUtterance);

  child.on('spawn', () => {
    if (!stopped) events.opened();
  });
  child.on('error', (error) => {
    logger.error({ err: error.message, channel: channel[0] }, 'local engine could not start');
    fail('the local engine could not start');
  });
  child.stdin.on('error', (error) => {
    // EPIPE when the engine died; its exit is reported by 'close'.
    logger.debug({ err: error.message, channel: channel[0] }, 'local engine stdin error');
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    parser.push(text);
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => parser.flush(), QUIET_FLUSH_MS);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-2000);
  });
  child.on('close', (exitCode, signal) => {
    if (stopped) return;
    parser.end();
    if (ending && exitCode === 0) {
      stop();
      events.finished();
      return;
    }
    logger.error({ exitCode, signal, channel: channel[0], stderr: stderrTail.slice(-500) }, 'local engine stopped');
    fail(
      exitCode === 127
        ? `the local engine is not installed (${LOCAL_ENGINE_BINARY} not found)`
        : `the local engine stopped unexpectedly (${signal ?? `exit ${exitCode}`})`,
    );
  });

  const writeToEngine = (chunk: Buffer) => {
    engineBytes += chunk.length;
    child.stdin.write(chunk);
    if (child.stdin.writableLength > maxBacklogBytes) {
      logger.warn({ backlogBytes: child.stdin.writableLength, channel: channel[0] }, 'local engine fell behind');
      fail('the local engine is overloaded and fell behind the audio');
    }
  };

  return {
    write(chunk) {
      if (stopped || ending || chunk.length === 0) return;
      clientBytes += chunk.length;
      audioSinceSilence = true;
      writeToEngine(chunk);
    },
    endUtterance(fromFinalize) {
      if (stopped || ending || !audioSinceSilence || clientBytes / BYTES_PER_SECOND - cursor < 0.1) return false;
      audioSinceSilence = false;
      const silenceBytes = Math.round(FINALIZE_SILENCE_SECONDS * SAMPLE_RATE) * BYTES_PER_SAMPLE;
      silence.add(engineBytes / BYTES_PER_SECOND, silenceBytes / BYTES_PER_SECOND);
      writeToEngine(Buffer.alloc(silenceBytes));
      if (fromFinalize) finalizeRequested = true;
      return true;
    },
    end() {
      if (stopped || ending) return;
      ending = true;
      child.stdin.end();
    },
    kill() {
      if (!stopped) stop();
    },
  };
}
