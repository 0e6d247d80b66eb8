/**
 * What a screen reader hears: each piece of finalized text once, through a polite live region.
 * Interim text is never announced (it churns several times a second and would bury the finals).
 *
 * An open utterance grows as finals arrive; only the words added since the last announcement
 * are spoken. The speaker's name is spoken when the speaker changes. Utterances that were already
 * there when the overlay appeared (a re-injected overlay) are not read out again.
 */
import { speakerLabel } from '../transcript/speaker-colors';
import type { Utterance } from '../transcript/types';
import type { SpeakerNames } from './caption-lines';

export interface AnnouncerState {
  /** Utterance id -> the text already announced for it. */
  readonly spoken: ReadonlyMap<string, string>;
  /** The last speaker announced (undefined before the first announcement). */
  readonly lastSpeaker: number | null | undefined;
}

/** Only the newest utterances can change; older ones are neither checked nor remembered. */
const WINDOW = 32;

/** Everything already in the transcript counts as announced. */
export function startAnnouncer(utterances: readonly Utterance[]): AnnouncerState {
  const recent = utterances.slice(-WINDOW);
  return {
    spoken: new Map(recent.map((u) => [u.id, u.text.trim()])),
    lastSpeaker: recent.at(-1)?.speaker,
  };
}

export function nextAnnouncements(
  state: AnnouncerState,
  utterances: readonly Utterance[],
  names?: SpeakerNames,
): { state: AnnouncerState; announcements: string[] } {
  const recent = utterances.slice(-WINDOW);
  const spoken = new Map<string, string>();
  const announcements: string[] = [];
  let lastSpeaker = state.lastSpeaker;
  for (const utterance of recent) {
    const text = utterance.text.trim();
    const before = state.spoken.get(utterance.id);
    spoken.set(utterance.id, text);
    if (before === text || text === '') continue;
    // Finalized text only grows; if it is rewritten (a line the user corrected in the side panel,
    // or a server's rewrite), the whole new text is read.
    const added = before !== undefined && text.startsWith(before) ? text.slice(before.length).trim() : text;
    if (!added) continue;
    const name = utterance.speaker !== null && utterance.speaker !== lastSpeaker ? speakerLabel(utterance.speaker, names) : '';
    lastSpeaker = utterance.speaker;
    announcements.push(name ? `${name}: ${added}` : added);
  }
  return { state: { spoken, lastSpeaker }, announcements };
}
