/**
 * The recording the sample page plays (public/sample/speech.ogg): three LibriVox readings of
 * "Sense and Sensibility" from Debian's pocketsphinx-testdata (BSD-2, credited in
 * public/sample/NOTICE.txt), joined and made louder with sox, as Ogg Vorbis (about 49 kB of the store zip).
 */
import type { TranscriptSnapshot } from './transcript/types';

export const SAMPLE_CLIP_PATH = '/sample/speech.ogg';

/** What the recording says, from the test data's own transcription (shown to compare the captions with). */
export const SAMPLE_REFERENCE_TEXT =
  'He was not an ill disposed young man, unless to be rather cold hearted and rather selfish is to be ill disposed. He might even have been made amiable himself.';

/** The captions so far as one running text: final utterances, then the tails still being revised. */
export function sampleCaptionText(transcript: TranscriptSnapshot): string {
  return [...transcript.utterances, ...transcript.interims]
    .map((segment) => segment.text.trim())
    .filter((text) => text !== '')
    .join(' ');
}
