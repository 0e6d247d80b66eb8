/**
 * The offline engine: one stream's 16 kHz linear16 audio decoded by pocketsphinx, one process per
 * channel (./engine-decoder.ts), answering in Deepgram's shapes: final Results per utterance and
 * channel (interim ones while it goes on, with `interim_results=true`), Metadata on close.
 *
 * A multichannel stream (`multichannel=true&channels=N`, interleaved samples) is split into its
 * channels, each decoded on its own as Deepgram does: every Results carries
 * `channel_index: [channel, N]`, each channel has its own timeline (Results `start`/`duration`
 * cover that channel's audio), and Finalize ends the utterance of the channel it names, or of
 * every channel without one. Metadata's `duration` is seconds of audio (not times N) and
 * `channels` is N. Without `multichannel=true` only mono is taken: the engine does not mix
 * channels into one.
 *
 * What the engine cannot do it ignores rather than refuses, so a client's Deepgram options do not
 * cost it its captions: `redact` (nothing is redacted), `language` (its model is US English, so
 * `language=multi` words carry no language), `keyterm`/`keywords`, and `mip_opt_out` (it keeps
 * nothing in any case). A Configure gets a ConfigureFailure saying so, as Deepgram answers every one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { AUDIO_ENCODING, BYTES_PER_SECOND, SAMPLE_RATE } from '../../lib/audio/format';
import { createChannelSplitter } from './channel-split';
import { metadataMessage } from './deepgram-shapes';
import { LOCAL_ENGINE_BINARY, LOCAL_ENGINE_SCRIPT, startEngineDecoder, type EngineDecoder } from './engine-decoder';
import { closeReason, type ControlType, type Upstream, type UpstreamContext, type UpstreamFactory } from './upstream';

export { LOCAL_ENGINE_BINARY } from './engine-decoder';

/**
 * A client that gates silence out (the extension's VAD does) stops sending when speech stops, so
 * the engine never hears the silence that would end the utterance. A pause in sending this long
 * ends it, on every channel, as a Finalize would (without from_finalize).
 */
const SENDING_GAP_ENDPOINT_MS = 800;

export const LOCAL_CONFIGURE_REFUSAL = 'the local engine has no key terms to change';

export interface LocalEngineOptions {
  /** After CloseStream, how long the engine may take to finish its last utterance. */
  closeTimeoutMs?: number;
  /** Audio one channel's engine may fall behind by before the stream is closed as overloaded. */
  maxBacklogBytes?: number;
}

/**
 * The decoder script when the engine can run (python3, python3-pocketsphinx and the English model
 * are installed: the script's `--check`), or undefined.
 */
export function findLocalEngine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(LOCAL_ENGINE_BINARY, ['-I', LOCAL_ENGINE_SCRIPT, '--check'], { timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, (error) => {
      resolve(error === null ? LOCAL_ENGINE_SCRIPT : undefined);
    });
  });
}

/**
 * The only format the engine's acoustic model takes is the one the extension sends
 * (lib/audio/format.ts), on one channel or on several with `multichannel=true`; other formats get
 * a reason instead of garbage. How many channels a stream may declare is the proxy's MAX_CHANNELS
 * (proxy/listen-params.ts), checked before the stream reaches an engine.
 */
export function localFormatProblem(context: UpstreamContext): string | undefined {
  const { format, query } = context.params;
  const got = `encoding=${format.encoding ?? '(none)'}, sample_rate=${format.sampleRate ?? '(none)'}, channels=${format.channels}`;
  if (format.encoding !== AUDIO_ENCODING || format.sampleRate !== SAMPLE_RATE) {
    return closeReason(`the local engine takes only encoding=${AUDIO_ENCODING}, sample_rate=${SAMPLE_RATE} (got ${got})`);
  }
  if (format.channels > 1 && query.get('multichannel') !== 'true') {
    return closeReason(`the local engine takes channels=${format.channels} only with multichannel=true (a decoder per channel)`);
  }
  return undefined;
}

/** The channel a Finalize names (the proxy's own rewrite, proxy/control-messages.ts), if any. */
export function finalizeChannel(text: string): number | undefined {
  try {
    const channel = (JSON.parse(text) as { channel?: unknown }).channel;
    return typeof channel === 'number' ? channel : undefined;
  } catch {
    return undefined;
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

    const channelCount = context.params.format.channels;
    const interimResults = context.params.query.get('interim_results') === 'true';
    const created = new Date();
    const audioHash = createHash('sha256');
    /** Interleaved bytes of all channels together. */
    let clientBytes = 0;
    let closing = false;
    let openedCount = 0;
    let finishedCount = 0;
    let closeTimer: NodeJS.Timeout | undefined;
    let gapTimer: NodeJS.Timeout | undefined;

    const decoders: EngineDecoder[] = [];
    const finish = (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(closeTimer);
      clearTimeout(gapTimer);
      for (const decoder of decoders) decoder.kill();
      events.closed(code, reason);
    };
    const allFinished = () => {
      const metadata = metadataMessage({
        requestId,
        sha256: audioHash.digest('hex'),
        created,
        duration: clientBytes / (BYTES_PER_SECOND * channelCount),
        channels: channelCount,
      });
      events.message(JSON.stringify(metadata));
      finish(1000, '');
    };
    for (let channel = 0; channel < channelCount; channel += 1) {
      decoders.push(
        startEngineDecoder({
          requestId,
          channel: [channel, channelCount],
          maxBacklogBytes,
          interimResults,
          logger,
          events: {
            opened: () => {
              openedCount += 1;
              if (!finished && openedCount === channelCount) events.opened();
            },
            results: (message) => {
              if (!finished) events.message(JSON.stringify(message));
            },
            failed: (reason) => finish(1011, reason),
            finished: () => {
              finishedCount += 1;
              if (!finished && finishedCount === channelCount) allFinished();
            },
          },
        }),
      );
    }
    const splitter = channelCount > 1 ? createChannelSplitter(channelCount) : undefined;

    const endUtterances = (fromFinalize: boolean, channel?: number) => {
      decoders.forEach((decoder, index) => {
        if (channel === undefined || channel === index) decoder.endUtterance(fromFinalize);
      });
    };

    return {
      sendAudio(chunk) {
        if (finished || closing || chunk.length === 0) return;
        clientBytes += chunk.length;
        audioHash.update(chunk);
        if (splitter === undefined) decoders[0]?.write(chunk);
        else splitter.push(chunk).forEach((samples, channel) => decoders[channel]?.write(samples));
        if (gapTimer === undefined) gapTimer = setTimeout(() => endUtterances(false), SENDING_GAP_ENDPOINT_MS);
        else gapTimer.refresh();
      },
      sendControl(type: ControlType, text: string) {
        if (finished || closing) return;
        if (type === 'Finalize') {
          // A channel the stream does not have names no decoder: nothing to flush, as with Deepgram.
          endUtterances(true, finalizeChannel(text));
        } else if (type === 'CloseStream') {
          closing = true;
          clearTimeout(gapTimer);
          for (const decoder of decoders) decoder.end();
          closeTimer = setTimeout(() => {
            logger.warn({ closeTimeoutMs }, 'local engine did not finish in time');
            finish(1011, `the local engine did not finish within ${Math.round(closeTimeoutMs / 1000)} s`);
          }, closeTimeoutMs);
        } else if (type === 'Configure') {
          // Deepgram answers every Configure; the engine has no key terms to change, and says so.
          events.message(JSON.stringify({ type: 'ConfigureFailure', request_id: requestId, description: LOCAL_CONFIGURE_REFUSAL }));
        }
        // KeepAlive only resets the session's idle timer.
      },
      destroy() {
        if (finished) return;
        finished = true;
        clearTimeout(closeTimer);
        clearTimeout(gapTimer);
        for (const decoder of decoders) decoder.kill();
      },
    };
  };
}
