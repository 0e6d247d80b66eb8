/**
 * Deepgram-shaped server messages for the local engine, so clients need no second protocol.
 * Field names and meanings follow docs/deepgram-protocol.md §4.1 and §4.2.
 */

export interface ResultWord {
  word: string;
  punctuated_word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface ModelInfo {
  name: string;
  version: string;
  arch: string;
}

export interface ResultsMessage {
  type: 'Results';
  channel_index: [number, number];
  start: number;
  duration: number;
  is_final: boolean;
  speech_final: boolean;
  from_finalize: boolean;
  channel: { alternatives: { transcript: string; confidence: number; words: ResultWord[] }[] };
  metadata: { request_id: string; model_info: ModelInfo };
}

export interface MetadataMessage {
  type: 'Metadata';
  transaction_key: 'deprecated';
  request_id: string;
  sha256: string;
  created: string;
  duration: number;
  channels: number;
}

/** Times are kept to the millisecond, as the engine reports them to 10 ms anyway. */
const seconds = (value: number): number => Math.round(value * 1000) / 1000;

export function resultsMessage(input: {
  requestId: string;
  modelInfo: ModelInfo;
  /** Which channel, of how many (`[0, 1]` for a mono stream). */
  channelIndex: [number, number];
  start: number;
  end: number;
  words: ResultWord[];
  fromFinalize: boolean;
  /** False for an interim: the utterance goes on and this hypothesis may still change. */
  isFinal?: boolean;
}): ResultsMessage {
  const words = input.words.map((word) => ({ ...word, start: seconds(word.start), end: seconds(word.end) }));
  const confidence = words.length === 0 ? 0 : words.reduce((sum, word) => sum + word.confidence, 0) / words.length;
  return {
    type: 'Results',
    channel_index: input.channelIndex,
    start: seconds(input.start),
    duration: seconds(Math.max(0, input.end - input.start)),
    is_final: input.isFinal ?? true,
    speech_final: input.isFinal ?? true,
    from_finalize: input.fromFinalize,
    channel: {
      alternatives: [
        {
          transcript: words.map((word) => word.punctuated_word).join(' '),
          confidence: Math.round(confidence * 1e4) / 1e4,
          words,
        },
      ],
    },
    metadata: { request_id: input.requestId, model_info: input.modelInfo },
  };
}

export function metadataMessage(input: {
  requestId: string;
  sha256: string;
  created: Date;
  duration: number;
  channels: number;
}): MetadataMessage {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: input.requestId,
    sha256: input.sha256,
    created: input.created.toISOString(),
    duration: seconds(input.duration),
    channels: input.channels,
  };
}
