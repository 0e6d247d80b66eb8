/**
 * One utterance in the side panel: speaker (in its colour), meeting time, and the text with search
 * matches as <mark> elements. Text is only ever text: Preact creates text nodes and <mark>s, never
 * markup from the transcript. Memoized: a live update or a new search re-renders only the rows
 * whose utterance, name, colour or matches changed.
 */
import { memo } from 'preact/compat';
import { formatClock } from '@/lib/transcript/export-text';
import type { Utterance } from '@/lib/transcript/types';
import { highlightParts, type SearchMatch } from '@/lib/views/transcript-search';

export interface TranscriptUtteranceProps {
  utterance: Utterance;
  /** Position in the list (for scrolling to a match). */
  index: number;
  label: string;
  color: string;
  /** This utterance's matches (the same array while the search is unchanged), or none. */
  ranges: readonly SearchMatch[];
  /** Index in the whole match list of `ranges[0]`. */
  firstMatch: number;
  /** The current match's index if it is in this utterance, else -1 (so other rows stay memoized). */
  currentMatch: number;
  onSpeakerClick?: (speaker: number) => void;
}

export const NO_RANGES: readonly SearchMatch[] = Object.freeze([]);

function UtteranceRow({ utterance, index, label, color, ranges, firstMatch, currentMatch, onSpeakerClick }: TranscriptUtteranceProps) {
  const parts = ranges.length > 0 ? highlightParts(utterance.text, ranges, firstMatch) : null;
  const speaker = utterance.speaker;
  return (
    <article
      class="utterance"
      data-testid="utterance"
      data-speaker={speaker ?? ''}
      data-utterance-id={utterance.id}
      data-index={index}
    >
      <div class="utterance-meta">
        {speaker !== null && label && (
          <span
            class="utterance-speaker"
            style={{ color }}
            data-testid="utterance-speaker"
            // A mouse shortcut to the Speakers list, which is the keyboard path to renaming.
            onDblClick={onSpeakerClick ? () => onSpeakerClick(speaker) : undefined}
          >
            {label}
          </span>
        )}
        <time data-testid="utterance-time" dateTime={`PT${Math.max(0, Math.floor(utterance.start))}S`}>
          {formatClock(utterance.start)}
        </time>
      </div>
      <p class="utterance-text" data-testid="utterance-text">
        {parts
          ? parts.map((part, k) =>
              part.match === -1 ? (
                part.text
              ) : (
                <mark
                  key={k}
                  class={part.match === currentMatch ? 'match current' : 'match'}
                  data-match={part.match}
                  data-current={part.match === currentMatch ? 'true' : undefined}
                >
                  {part.text}
                </mark>
              ),
            )
          : utterance.text}
      </p>
    </article>
  );
}

export const TranscriptUtterance = memo(UtteranceRow);
