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
  /** Diarized speaker index from the server, or null when diarization is off. */
  speaker: number | null;
}

/** A run of words: one final chunk, or the interim tail still being revised. */
export interface Segment {
  words: Word[];
  text: string;
  start: number;
  end: number;
  speaker: number | null;
}

/** One speaker's turn; `closed` once speech_final or UtteranceEnd ended it. */
export interface Utterance extends Segment {
  id: string;
  closed: boolean;
}

export interface TranscriptSnapshot {
  utterances: Utterance[];
  /** The interim tail: replaced in place on every interim result, cleared on a final. */
  interim: Segment | null;
}
