/**
 * The offline engine: one pocketsphinx_continuous process per stream, fed the client's 16 kHz
 * linear16 audio, answering in Deepgram's shapes (final Results per utterance, Metadata on close).
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
import { createHash } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AUDIO_ENCODING, BYTES_PER_SAMPLE, BYTES_PER_SECOND, CHANNELS, SAMPLE_RATE } from '../../lib/audio/format';
import { metadataMessage, resultsMessage, type ModelInfo, type ResultWord } from './deepgram-shapes';
import { baseWord, createPocketsphinxParser, isFiller, type EngineUtterance } from './pocketsphinx-output';
import { closeReason, type ControlType, type Upstream, type UpstreamContext, type UpstreamFactory } from './upstream';

export const LOCAL_ENGINE_BINARY = 'pocketsphinx_continuous';
/** A fixed string: nothing from a client ever reaches the shell. */
const ENGINE_SCRIPT = `cat | exec ${LOCAL_ENGINE_BINARY} -infile /dev/stdin -time yes -logfn /dev/null`;
const FINALIZE_SILENCE_SECONDS = 0.6;
/**
 * A client that gates silence out (the extension's VAD does) stops sending when speech stops, so
 * the engine never hears the silence that would end the utterance. A pause in sending this long
 * ends it as a Finalize would (without from_finalize).
 */
const SENDING_GAP_ENDPOINT_MS = 800;
const QUIET_FLUSH_MS = 150;
const MODEL_INFO: ModelInfo = { name: 'en-us', version: '0.8+5prealpha', arch: 'pocketsphinx' };

export interface LocalEngineOptions {
  /** After CloseStream, how long the engine may take to finish its last utterance. */
  closeTimeoutMs?: number;
  /** Audio the engine may fall behind by before the stream is closed as overloaded. */
  maxBacklogBytes?: number;
}

/** The path of pocketsphinx_continuous, or undefined when it is not installed. */
export async function findLocalEngine(pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const folder of pathVariable.split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, LOCAL_ENGINE_BINARY);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/**
 * The only format the engine's acoustic model takes, which is the one the extension sends
 * (lib/audio/format.ts); other formats get a reason instead of garbage.
 */
export function localFormatProblem(context: UpstreamContext): string | undefined {
  const { format, query } = context.params;
  const ok =
    format.encoding === AUDIO_ENCODING &&
    format.sampleRate === SAMPLE_RATE &&
    format.channels === CHANNELS &&
    query.get('multichannel') !== 'true';
  if (ok) return undefined;
  const got = `encoding=${format.encoding ?? '(none)'}, sample_rate=${format.sampleRate ?? '(none)'}, channels=${format.channels}`;
  return closeReason(`the local engine takes only encoding=${AUDIO_ENCODING}, sample_rate=${SAMPLE_RATE}, channels=${CHANNELS} (got ${got})`);
}

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

export function createLocalEngineUpstream(options: LocalEngineOptions = {}): UpstreamFactory {
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const maxBacklogBytes = options.maxBacklogBytes ?? 30 * BYTES_PER_SECOND;

  return (context: UpstreamContext): Upstream => {
    const { requestId, events, logger } = context;
    let finished = false;
    const formatProblem = localFormatProblem(context);
    if (formatProblem !== undefined) {
      // After the upgrade, so the client can read why (browsers cannot read a refused handshake).
      setImmediate(() => {
        if (!finished) {
          finished = true;
          events.closed(1008, formatProblem);
        }
      });
      return {
        sendAudio() {},
        sendControl() {},
        destroy() {
          finished = true;
        },
      };
    }

    const created = new Date();
    const audioHash = createHash('sha256');
    const silence = new InjectedSilence();
    let clientBytes = 0;
    let engineBytes = 0;
    let cursor = 0;
    let finalizeRequested = false;
    let closing = false;
    let quietTimer: NodeJS.Timeout | undefined;
    let closeTimer: NodeJS.Timeout | undefined;
    let gapTimer: NodeJS.Timeout | undefined;
    /** Client audio arrived since silence was last pushed in. */
    let audioSinceSilence = false;
    let stderrTail = '';

    const child: EngineProcess = spawn('sh', ['-c', ENGINE_SCRIPT], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Only what the engine needs: never the proxy's keys or tokens. The request id lets tests
      // (and operators) find the processes of one stream.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', CAPTIONIST_REQUEST_ID: requestId },
    });

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
      if (words.length === 0) return;
      const start = Math.min(cursor, words[0]?.start ?? cursor);
      cursor = Math.max(cursor, end);
      events.message(JSON.stringify(resultsMessage({ requestId, modelInfo: MODEL_INFO, start, end, words, fromFinalize })));
    };
    const parser = createPocketsphinxParser(sendUtterance);

    const finish = (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(quietTimer);
      clearTimeout(closeTimer);
      clearTimeout(gapTimer);
      killGroup(child);
      events.closed(code, reason);
    };

    child.on('spawn', () => {
      if (!finished) events.opened();
    });
    child.on('error', (error) => {
      logger.error({ err: error.message }, 'local engine could not start');
      finish(1011, 'the local engine could not start');
    });
    child.stdin.on('error', (error) => {
      // EPIPE when the engine died; its exit is reported by 'close'.
      logger.debug({ err: error.message }, 'local engine stdin error');
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
      if (finished) return;
      parser.end();
      if (closing && exitCode === 0) {
        const metadata = metadataMessage({
          requestId,
          sha256: audioHash.digest('hex'),
          created,
          duration: clientBytes / BYTES_PER_SECOND,
          channels: 1,
        });
        events.message(JSON.stringify(metadata));
        finish(1000, '');
        return;
      }
      logger.error({ exitCode, signal, stderr: stderrTail.slice(-500) }, 'local engine stopped');
      const reason =
        exitCode === 127
          ? `the local engine is not installed (${LOCAL_ENGINE_BINARY} not found)`
          : `the local engine stopped unexpectedly (${signal ?? `exit ${exitCode}`})`;
      finish(1011, reason);
    });

    const write = (chunk: Buffer) => {
      engineBytes += chunk.length;
      child.stdin.write(chunk);
      if (child.stdin.writableLength > maxBacklogBytes) {
        logger.warn({ backlogBytes: child.stdin.writableLength }, 'local engine fell behind');
        finish(1011, 'the local engine is overloaded and fell behind the audio');
      }
    };

    /** Pushes silence in so the engine ends the utterance it is in; false when nothing was heard since the last result. */
    const endUtterance = (): boolean => {
      if (finished || closing || !audioSinceSilence || clientBytes / BYTES_PER_SECOND - cursor < 0.1) return false;
      audioSinceSilence = false;
      const silenceBytes = Math.round(FINALIZE_SILENCE_SECONDS * SAMPLE_RATE) * BYTES_PER_SAMPLE;
      silence.add(engineBytes / BYTES_PER_SECOND, silenceBytes / BYTES_PER_SECOND);
      write(Buffer.alloc(silenceBytes));
      return true;
    };

    return {
      sendAudio(chunk) {
        if (finished || closing || chunk.length === 0) return;
        clientBytes += chunk.length;
        audioSinceSilence = true;
        audioHash.update(chunk);
        write(chunk);
        if (gapTimer === undefined) gapTimer = setTimeout(() => endUtterance(), SENDING_GAP_ENDPOINT_MS);
        else gapTimer.refresh();
      },
      sendControl(type: ControlType) {
        if (finished || closing) return;
        if (type === 'Finalize') {
          if (endUtterance()) finalizeRequested = true;
        } else if (type === 'CloseStream') {
          closing = true;
          clearTimeout(gapTimer);
          child.stdin.end();
          closeTimer = setTimeout(() => {
            logger.warn({ closeTimeoutMs }, 'local engine did not finish in time');
            finish(1011, `the local engine did not finish within ${Math.round(closeTimeoutMs / 1000)} s`);
          }, closeTimeoutMs);
        }
        // KeepAlive only resets the session's idle timer; Configure has no local meaning.
      },
      destroy() {
        if (finished) return;
        finished = true;
        clearTimeout(quietTimer);
        clearTimeout(closeTimer);
        clearTimeout(gapTimer);
        killGroup(child);
      },
    };
  };
}
