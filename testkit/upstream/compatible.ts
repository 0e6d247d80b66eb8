/**
 * A self-hosted Deepgram-compatible server as WhisperLiveKit's `/v1/listen` behaves (its API
 * reference, "Deepgram-Compatible WebSocket API", and its adapter module deepgram_compat.py),
 * scripted instead of recognizing, so tests can hold the extension and the proxy to each way it
 * differs from Deepgram (docs/deepgram-protocol.md):
 *
 * - no authentication: any client is accepted, with or without a key;
 * - `Metadata` once when the stream opens (duration 0), none when it closes;
 * - interims carry the text only: `words: []`, `duration: 0`, `start` at the last final's end;
 * - finals: word times interpolated evenly over the line, `confidence: 0` everywhere, a `speaker`
 *   on every word even without diarize=true (1: WhisperLiveKit's one speaker without diarization);
 * - every final is `speech_final: true` (`omitSpeechFinal`: the field left out, as servers that do
 *   not do endpointing send), then `UtteranceEnd` (`channel: [0, 1]`);
 * - `SpeechStarted` (vad_events=true) names its channel as `channel_index: [0]`;
 * - no `from_finalize`: Finalize just flushes what was heard as a final;
 * - CloseStream: the socket closes (1000) at once, without the last results or Metadata;
 * - parameters it cannot take (`language` it does not know): accepted, then an
 *   `{"type":"Error","description":…}` message and close code 4400.
 *
 * Time is audio time (bytes / 32,000 for 16 kHz mono linear16), as in ./normal.ts.
 */
import type { WebSocket } from 'ws';
import { controlMessageType, startUpstreamServer } from './server';

export interface CompatibleServerOptions {
  /** The words said, looped; one utterance per entry. */
  script?: string[][];
  /** Audio per word, default 200 ms. */
  msPerWord?: number;
  /** Finals without the speech_final field (servers without endpointing). */
  omitSpeechFinal?: boolean;
  /** Languages it takes (`language=`); others close 4400. Default en. */
  languages?: string[];
}

export interface CompatibleConnectionLog {
  query: URLSearchParams;
  /** The Authorization header as received (it asks for none). */
  authorization: string | undefined;
  audioBytes: number;
  controls: string[];
  sent: Record<string, unknown>[];
}

export interface CompatibleServer {
  url: string;
  connections: CompatibleConnectionLog[];
  close(): Promise<void>;
}

const BYTES_PER_SECOND = 32_000;
const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/** WhisperLiveKit's final for one line of text said from `start` to `end` (its _lines_to_result). */
export function compatibleFinal(text: string, start: number, end: number, options: { omitSpeechFinal?: boolean } = {}): Record<string, unknown> {
  const tokens = text.split(/\s+/).filter((token) => token !== '');
  const step = (end - start) / Math.max(tokens.length, 1);
  const words = tokens.map((token, index) => ({
    word: token,
    start: round(start + index * step),
    end: round(start + (index + 1) * step),
    confidence: 0,
    punctuated_word: token,
    speaker: 1,
  }));
  const first = words[0]?.start ?? start;
  const last = words.at(-1)?.end ?? start;
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: round(last - first),
    start: round(first),
    is_final: true,
    ...(options.omitSpeechFinal === true ? {} : { speech_final: true }),
    channel: { alternatives: [{ transcript: tokens.join(' '), confidence: 0, words }] },
  };
}

/** Its interim: the uncommitted text only, at the last final's end, with no duration and no words. */
export function compatibleInterim(text: string, lastWordEnd: number): Record<string, unknown> {
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: 0,
    start: round(lastWordEnd),
    is_final: false,
    speech_final: false,
    channel: { alternatives: [{ transcript: text, confidence: 0, words: [] }] },
  };
}

export function compatibleMetadata(requestId: string): Record<string, unknown> {
  return { type: 'Metadata', request_id: requestId, sha256: '', created: '2026-12-06T00:00:00Z', duration: 0, channels: 1, models: ['simulstreaming'], model_info: { simulstreaming: { name: 'simulstreaming', version: 'whisperlivekit' } } };
}

export const compatibleUtteranceEnd = (lastWordEnd: number): Record<string, unknown> => ({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(lastWordEnd) });
export const compatibleSpeechStarted = (): Record<string, unknown> => ({ type: 'SpeechStarted', channel_index: [0], timestamp: 0 });

export async function startCompatibleServer(options: CompatibleServerOptions = {}): Promise<CompatibleServer> {
  const script = options.script ?? [['hello', 'from', 'a', 'self', 'hosted', 'server']];
  const secondsPerWord = (options.msPerWord ?? 200) / 1000;
  const languages = options.languages ?? ['en'];
  const connections: CompatibleConnectionLog[] = [];

  const server = await startUpstreamServer({
    onConnection(client: WebSocket, upgrade) {
      const log: CompatibleConnectionLog = { query: upgrade.query, authorization: upgrade.authorization, audioBytes: 0, controls: [], sent: [] };
      connections.push(log);
      const send = (message: Record<string, unknown>) => {
        log.sent.push(message);
        client.send(JSON.stringify(message));
      };
      const language = upgrade.query.get('language');
      if (language !== null && !languages.includes(language)) {
        send({ type: 'Error', description: `Unsupported language: ${language}` });
        client.close(4400, 'invalid session parameters');
        return;
      }
      const vadEvents = upgrade.query.get('vad_events') === 'true';
      send(compatibleMetadata(upgrade.requestId));

      let utterance = 0;
      let lineStart = 0;
      let lastWordEnd = 0;
      let heard = 0;
      const words = () => script[utterance % script.length] ?? [];
      const commit = () => {
        if (heard === 0) return;
        const end = lineStart + heard * secondsPerWord;
        send(compatibleFinal(words().slice(0, heard).join(' '), lineStart, end, { omitSpeechFinal: options.omitSpeechFinal }));
        lastWordEnd = end;
        send(compatibleUtteranceEnd(lastWordEnd));
        utterance += 1;
        lineStart = end;
        heard = 0;
      };

      client.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          const type = controlMessageType(data);
          log.controls.push(type);
          if (type === 'CloseStream') client.close(1000);
          else if (type === 'Finalize') commit();
          return;
        }
        if (data.length === 0) {
          client.close(1000);
          return;
        }
        log.audioBytes += data.length;
        const seconds = log.audioBytes / BYTES_PER_SECOND;
        const count = words().length;
        let grew = false;
        while (heard < count && lineStart + (heard + 1) * secondsPerWord <= seconds + 1e-6) {
          if (heard === 0 && vadEvents) send(compatibleSpeechStarted());
          heard += 1;
          grew = true;
        }
        if (heard === count) commit();
        else if (grew) send(compatibleInterim(words().slice(0, heard).join(' '), lastWordEnd));
      });
    },
  });
  return { url: server.url, connections, close: () => server.close() };
}
