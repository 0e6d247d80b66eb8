/**
 * Reads the part of the transcript a DOM selection covers: for each utterance row it touches, the
 * selected part of that row's text (never its speaker or time, which lib/views/selection-text.ts
 * writes back in a fixed form).
 */
import type { Utterance } from '@/lib/transcript/types';
import type { SelectedPiece } from '@/lib/views/selection-text';

/** The selection's range if it is inside `container` and not empty, else null. */
export function rangeInside(container: HTMLElement, selection: Selection | null): Range | null {
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  return container.contains(range.commonAncestorContainer) || range.intersectsNode(container) ? range : null;
}

export function selectedPieces(container: HTMLElement, range: Range, utterances: readonly Utterance[]): SelectedPiece[] {
  const pieces: SelectedPiece[] = [];
  for (const row of container.querySelectorAll<HTMLElement>('[data-testid=utterance]')) {
    if (!range.intersectsNode(row)) continue;
    const textEl = row.querySelector('[data-testid=utterance-text]');
    const utterance = utterances[Number(row.dataset.index)];
    if (!textEl || !utterance) continue;
    const part = document.createRange();
    part.selectNodeContents(textEl);
    if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) part.setStart(range.startContainer, range.startOffset);
    if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) part.setEnd(range.endContainer, range.endOffset);
    const text = part.toString();
    if (text.trim() !== '') pieces.push({ start: utterance.start, speaker: utterance.speaker, text });
  }
  return pieces;
}
