/**
 * What the overlay shows: the newest utterances, one per line (a line wraps as needed), and the
 * interim tail.
 *
 * - Finalized text never changes on screen: an open utterance only grows at its end as finals
 *   arrive, and text is left-aligned, so words already shown keep their place. The one exception
 *   is the user's own: a line corrected in the side panel is sent again with the corrected text
 *   (lib/session/offscreen-controller.ts correctLine) and shows it where it is.
 * - Each channel's interim tail (a meeting has two: the tab's and yours) continues that channel's
 *   open utterance on the same line when it is the same speaker (it is the rest of that
 *   sentence), else it starts its own line, labelled like any turn. It is replaced in place.
 * - Only as many utterances as lines are kept: every utterance takes at least one line, so an
 *   utterance dropped here has already scrolled out above the box (nothing visible jumps).
 * - A speaker's name is shown where a new speaker's turn starts, judged against the utterance
 *   before it (even one already scrolled away). Without diarization there are no names.
 * - A line shows at most MAX_CAPTION_LINE_CHARS: its newest words, after TRUNCATION_MARK.
 */
import { speakerLabel } from '../transcript/speaker-colors';
import { TRUNCATION_MARK } from '../transcript/truncation-mark';
import type { Segment, TranscriptSnapshot, Utterance } from '../transcript/types';

export interface CaptionLine {
  /** The utterance id, or `interim-<channel>` for a channel's interim tail that starts its own line. */
  key: string;
  speaker: number | null;
  /** The speaker's name where their turn starts; '' otherwise (and always without diarization). */
  label: string;
  /** Finalized text; '' for a line that is all interim. */
  finalText: string;
  /** The interim tail on this line; '' when none. */
  interimText: string;
}

export type SpeakerNames = Readonly<Record<number, string>>;

/**
 * The most text one caption line holds. A real utterance is at most a few hundred words (speech
 * runs at about 150 a minute), some 2,000 characters; at the default size (24 px text in an 880 px box,
 * lib/overlay-settings.ts and lib/overlay/placement.ts) that is about 30 rows, more than the
 * viewport the box is kept inside shows, and the box is bottom-anchored, so older words of a longer
 * line are already out of sight above it. The cap keeps an upstream that sends far more text from
 * having all of it laid out over the page again on every update.
 */
export const MAX_CAPTION_LINE_CHARS = 2_000;

const isShown = (segment: Segment) => segment.text.trim() !== '';

/**
 * The end of `text` in at most `max` characters, led by the mark: cut before a whole word, never
 * inside one (just the mark when no whole word fits).
 */
function markedEnd(text: string, max: number): string {
  const from = text.length - (max - TRUNCATION_MARK.length - 1);
  const space = from > text.length ? -1 : text.indexOf(' ', from - 1);
  return space === -1 ? TRUNCATION_MARK : `${TRUNCATION_MARK} ${text.slice(space + 1)}`;
}

/** Bounds a line's final and interim text together, keeping the newest words. */
function bounded(line: CaptionLine): CaptionLine {
  const { finalText, interimText } = line;
  const joined = finalText.length + (finalText && interimText ? 1 : 0) + interimText.length;
  if (joined <= MAX_CAPTION_LINE_CHARS) return line;
  // The interim is the newest text: the final text before it gives up its oldest words first.
  const room = MAX_CAPTION_LINE_CHARS - interimText.length - (interimText ? 1 : 0);
  if (room >= TRUNCATION_MARK.length) return { ...line, finalText: markedEnd(finalText, room) };
  return { ...line, finalText: '', interimText: markedEnd(interimText, MAX_CAPTION_LINE_CHARS) };
}

/** An interim tail continues an utterance of its channel that is still open, of the same speaker. */
function continues(utterance: Utterance, interim: Segment): boolean {
  return !utterance.closed && utterance.channel === interim.channel && utterance.speaker === interim.speaker;
}

interface PlannedLine {
  /** Where the line's finals come from, or null for an interim tail on a line of its own. */
  utterance: Utterance | null;
  /** Index of `utterance` in the transcript (-1 for an interim's own line). */
  index: number;
  interim: Segment | null;
}

export function captionLines(transcript: TranscriptSnapshot, maxLines: number, names?: SpeakerNames): CaptionLine[] {
  const lineCount = Math.max(1, Math.floor(maxLines));
  const utterances = transcript.utterances;
  const interims = transcript.interims.filter(isShown);

  // The newest utterances, enough to fill every line (an open one only shows with an interim to continue it).
  const planned: PlannedLine[] = [];
  for (let index = utterances.length - 1; index >= 0 && planned.length < lineCount; index--) {
    const utterance = utterances[index];
    if (utterance && (isShown(utterance) || interims.some((interim) => continues(utterance, interim)))) {
      planned.unshift({ utterance, index, interim: null });
    }
  }
  // Each channel's tail continues that channel's newest utterance on screen when it is the rest
  // of it (a meeting has one tail for the tab, one for you), else it takes a line of its own.
  for (const interim of interims) {
    const home = planned.findLast((line) => line.utterance?.channel === interim.channel);
    if (home?.utterance && continues(home.utterance, interim)) home.interim = interim;
    else planned.push({ utterance: null, index: -1, interim });
  }
  const kept = planned.slice(-lineCount);

  // Names are judged against the utterance before the first line (even one already scrolled away).
  let previousSpeaker: number | null | undefined;
  const firstIndex = kept.find((line) => line.utterance)?.index ?? utterances.length;
  for (let index = firstIndex - 1; index >= 0; index--) {
    const utterance = utterances[index];
    if (utterance && isShown(utterance)) {
      previousSpeaker = utterance.speaker;
      break;
    }
  }
  const labelFor = (speaker: number | null): string => {
    const changed = speaker !== null && speaker !== previousSpeaker;
    previousSpeaker = speaker;
    return changed ? speakerLabel(speaker, names) : '';
  };

  return kept.map(({ utterance, interim }) => {
    if (utterance) {
      const line = { key: utterance.id, speaker: utterance.speaker, label: labelFor(utterance.speaker), finalText: utterance.text.trim(), interimText: interim ? interim.text.trim() : '' };
      return bounded(line);
    }
    const tail = interim as Segment; // a line without an utterance is an interim's own line
    return bounded({ key: `interim-${tail.channel}`, speaker: tail.speaker, label: labelFor(tail.speaker), finalText: '', interimText: tail.text.trim() });
  });
}
