/**
 * A view's copy of the transcript: a full snapshot once, then upserts from `transcript/update`.
 * Shared by the side panel and the overlay so both read the transcript the same way.
 */
import type { TranscriptUpdate } from '../contract/messages';
import type { TranscriptSnapshot, Utterance } from '../transcript/types';

export const EMPTY_TRANSCRIPT: TranscriptSnapshot = { utterances: [], interims: [] };

export function applyTranscriptUpdate(view: TranscriptSnapshot, update: TranscriptUpdate): TranscriptSnapshot {
  if (update.changed.length === 0) return { utterances: view.utterances, interims: update.interims };
  const utterances = view.utterances.slice();
  const indexById = new Map<string, number>();
  // Updates touch the newest utterances, so scanning from the end finds them almost at once.
  for (const changed of update.changed) {
    let index = indexById.get(changed.id);
    if (index === undefined) {
      index = findFromEnd(utterances, changed.id);
      if (index !== -1) indexById.set(changed.id, index);
    }
    if (index === -1) {
      utterances.push(changed);
      indexById.set(changed.id, utterances.length - 1);
    } else {
      utterances[index] = changed;
    }
  }
  utterances.sort((a, b) => a.start - b.start);
  return { utterances, interims: update.interims };
}

function findFromEnd(utterances: readonly Utterance[], id: string): number {
  for (let i = utterances.length - 1; i >= 0; i--) if (utterances[i]?.id === id) return i;
  return -1;
}
