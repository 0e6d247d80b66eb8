/**
 * One pocketsphinx decoder process per channel of a stream's audio (16 kHz mono linear16), turning
 * its utterances into Deepgram Results for that channel: interim Results while an utterance goes on
 * (when the client asked for `interim_results=true`), a final one when it ends. The local engine
 * (./local-engine.ts) runs one per channel and owns the stream: its format, control messages,
 * Metadata and close.
 *
 * Why ./pocketsphinx-stream.py (Debian's python3-pocketsphinx) and not pocketsphinx_continuous:
 * the command-line tool prints only finals, so captions waited for the speaker to stop. The Python
 * binding is Debian's SWIG wrapper over the same libpocketsphinx3 the tool uses; the script repeats
 * the tool's loop (same settings, same 2048-sample reads, same utterance ends) and also prints the
 * partial hypothesis. It needs no compiler in the image and no npm package (an FFI binding would,
 * and would decode on the proxy's event loop); a process per channel is still killed as a whole.
 *
 * Facts measured on Debian bookworm (pocketsphinx 0.8+5prealpha, python3-pocketsphinx 0.1.15; see
 * tests/proxy/local-engine-interim.test.ts):
 * - Finals are byte for byte what `pocketsphinx_continuous -time yes` prints for the same audio
 *   (the five librivox clips of pocketsphinx-testdata, alone and joined by silences).
 * - A partial hypothesis can be read after every 2048-sample read (128 ms of audio); it is printed
 *   only when its words changed. Mid-utterance the library reports every word's confidence as 1.
 * - CPU for the same audio (34 s of speech and silence, three alternated runs on a loaded 2-core
 *   machine): the tool 11.3-14.6 s, the script 10.8-15.0 s, within noise of each other; reading
 *   the partials costs about 1% of the decode (0.46 s of hyp() calls in a 47 s profile).
 * - Interim cadence on recorded speech: one per 128-260 ms of audio while words are being said
 *   (median step 130 ms), longer only where the speaker pauses and the hypothesis holds.
 * - A proxy killed outright cannot kill its decoders; each asks the kernel to end it with its parent
 *   (PR_SET_PDEATHSIG), since it would notice its stdin's end only after loading the model and
 *   decoding what it had.
 * - Python reads its stdin from Node's pipe (a socket) directly: no `cat` in between, unlike the
 *   command-line tool, which could not open a socket as `-infile /dev/stdin`.
 * - It flushes stdout after each final and each partial, so output is timely without `stdbuf`.
 * - Word times count audio read so far, not the wall clock: a pause in sending (client VAD, mute)
 *   does not appear in the times, which is what Deepgram does too.
 * - It ends an utterance after roughly 0.5 s of silence; Finalize (and a pause in sending, as a
 *   client-side VAD makes) injects silence to force that, and the injected silence is taken out of
 *   every later time.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { BYTES_PER_SAMPLE, BYTES_PER_SECOND, SAMPLE_RATE } from '../../lib/audio/format';
import { resultsMessage, type ModelInfo, type ResultsMessage, type ResultWord } from './deepgram-shapes';
import { baseWord, createPocketsphinxParser, isFiller, type EnginePartial, type EngineSegment, type EngineUtterance } from './pocketsphinx-output';

/** Debian's own python3: python3-pocketsphinx is installed for it, not for another python on PATH. */
export const LOCAL_ENGINE_BINARY = '/usr/bin/python3';
export const LOCAL_ENGINE_SCRIPT = fileURLToPath(new URL('./pocketsphinx-stream.py', import.meta.url));
/** The script's exit status when python3-pocketsphinx or its English model is missing. */
const ENGINE_MISSING_EXIT = 127;
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
  /** A Results for this channel: final, or interim (`is_final` false) when interims were asked for. */
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
  /** Send interim Results while an utterance goes on (the client's `interim_results=true`). */
  interimResults?: boolean;
  logger: Logger;
  events: DecoderEvents;
}

type EngineProcess = ChildProcessByStdio<Writable, Readable, Readable>;

function killGroup(child: EngineProcess): void {
  if (child.pid === undefined) return;
  try {
    // The engine runs in its own process group: end all of it, whatever it started.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export function startEngineDecoder(options: DecoderOptions): EngineDecoder {
  const { requestId, channel, maxBacklogBytes, logger, events } = options;
  const interimResults = options.interimResults ?? false;
  const silence = new InjectedSilence();
  let stopped = false;
  let ending = false;
  /** Bytes of this channel the client sent, and bytes written to the engine (with injected silence). */
  let clientBytes = 0;
  let engineBytes = 0;
  let cursor = 0;
  let finalizeRequested = false;
  /** The transcript of the last interim sent for the utterance going on ('' when none was). */
  let lastInterim = '';
  /** Client audio arrived since silence was last pushed in. */
  let audioSinceSilence = false;
  let quietTimer: NodeJS.Timeout | undefined;
  let stderrTail = '';

  const args = ['-I', LOCAL_ENGINE_SCRIPT, ...(interimResults ? [] : ['--no-partials'])];
  const child: EngineProcess = spawn(LOCAL_ENGINE_BINARY, args, {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Only what the engine needs: never the proxy's keys or tokens. The request id lets tests
    // (and operators) find the processes of one stream.
    // The parent's pid lets the script tell whether the proxy died before it could ask the kernel
    // to end it with the proxy.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', CAPTIONIST_REQUEST_ID: requestId, CAPTIONIST_PARENT_PID: String(process.pid) },
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

  const clientWords = (segments: EngineSegment[]): ResultWord[] =>
    segments
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
  /** Where the segments end, in client time, never past the audio the client sent. */
  const clientEnd = (segments: EngineSegment[]): number => {
    const lastEnd = segments.reduce((latest, segment) => Math.max(latest, segment.end), 0);
    return Math.min(silence.toClientTime(lastEnd), clientBytes / BYTES_PER_SECOND);
  };

  const sendUtterance = (utterance: EngineUtterance) => {
    const words = clientWords(utterance.segments);
    const end = clientEnd(utterance.segments);
    const fromFinalize = finalizeRequested;
    finalizeRequested = false;
    const interimShown = lastInterim !== '';
    lastInterim = '';
    // An utterance that came to nothing still gets its (empty) final when an interim showed
    // words, as Deepgram does: the client replaces the interim with it.
    if ((words.length === 0 && !interimShown) || stopped) return;
    const start = Math.min(cursor, words[0]?.start ?? cursor);
    cursor = Math.max(cursor, end);
    events.results(resultsMessage({ requestId, modelInfo: MODEL_INFO, channelIndex: channel, start, end, words, fromFinalize }));
  };
  const sendPartial = (partial: EnginePartial) => {
    const words = clientWords(partial.segments);
    const transcript = words.map((word) => word.punctuated_word).join(' ');
    // Only a changed hypothesis is news; a change in fillers or times alone is not.
    if (stopped || !interimResults || words.length === 0 || transcript === lastInterim) return;
    lastInterim = transcript;
    const start = Math.min(cursor, words[0]?.start ?? cursor);
    const end = Math.max(start, clientEnd(partial.segments));
    events.results(
      resultsMessage({ requestId, modelInfo: MODEL_INFO, channelIndex: channel, start, end, words, fromFinalize: false, isFinal: false }),
    );
  };
  const parser = createPocketsphinxParser(sendUtterance, sendPartial);

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
      exitCode === ENGINE_MISSING_EXIT
        ? 'the local engine is not installed (python3-pocketsphinx and pocketsphinx-en-us)'
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
