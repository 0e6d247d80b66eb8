/**
 * The transcript as every view sees it. Times are meeting time: seconds since capture started,
 * with silence the VAD did not send added back (see lib/audio/timeline.ts).
 */

export interface Word {
  /** Display form (punctuated when the server punctuates). */
  text: string;
  start: number;
  end: number;
  confidence: number;
  /**
   * Diarized speaker index from the server, YOU_SPEAKER (lib/transcript/speaker-names.ts) for a
   * meeting's microphone, or null when diarization is off.
   */
  speaker: number | null;
  /**
   * The language the server heard this word in (BCP-47, e.g. "en", "fr"), given on multilingual
   * streams (language=multi); absent otherwise.
   */
  language?: string;
}

/** A run of words: one final chunk, or the interim tail still being revised. */
export interface Segment {
  words: Word[];
  text: string;
  start: number;
  end: number;
  speaker: number | null;
  /**
   * The audio channel the words were heard on (lib/listen/protocol.ts ResultsEvent.channel): 0 for
   * a single source; in a meeting 0 is the tab, 1 the microphone. Utterances saved before channels
   * existed are read back as 0 (lib/persistence/transcript-archive.ts).
   */
  channel: number;
}

/** One speaker's turn; `closed` once speech_final or UtteranceEnd ended it. */
export interface Utterance extends Segment {
  id: string;
  closed: boolean;
}

export interface TranscriptSnapshot {
  /** In order of start time, whatever channel they are on. */
  utterances: Utterance[];
  /**
   * The interim tails, at most one per channel, in channel order: each is replaced in place on
   * every interim result of its channel and cleared by that channel's final. Empty when none.
   */
  interims: Segment[];
}
