/**
 * The transcript in the side panel: one row per utterance (speaker, time, text with search
 * matches), then the interim tails (one per channel: a meeting has the tab's and yours). What keeps a three-hour transcript quick (bench/panel.ts
 * measures it against rendering every row at once):
 *  - rows are memoized (transcript-utterance.tsx): a live update renders one row;
 *  - a long transcript is first painted from its live end (the last INITIAL_ROWS rows, what the
 *    reader sees), and the earlier rows are added above in chunks, between frames; scroll anchoring
 *    keeps what is on screen still meanwhile. A search match that is not rendered yet is rendered
 *    at once with everything after it.
 * Once complete, every row stays in the DOM, so selection, copy, find-in-page and screen readers
 * see the whole transcript. Measured at 30,000 words, that needs no virtualization: live updates,
 * search and scrolling stay within a frame or a few, and `content-visibility: auto` on rows was
 * tried and dropped (it made each live update and scroll jump slower, and first paint no faster).
 */
import { useEffect, useState } from 'preact/hooks';
import { speakerColor, speakerLabel, type ColorTheme } from '@/lib/transcript/speaker-colors';
import type { SpeakerNames } from '@/lib/transcript/speaker-names';
import type { Segment, Utterance } from '@/lib/transcript/types';
import type { SearchMatch } from '@/lib/views/transcript-search';
import { NO_RANGES, TranscriptUtterance } from './transcript-utterance';

export interface TranscriptSearchView {
  /** Matches grouped by utterance index (arrays stay the same while the search is unchanged). */
  byIndex: ReadonlyMap<number, SearchMatch[]>;
  /** Index in the whole list of each utterance's first match. */
  firstByIndex: ReadonlyMap<number, number>;
  /** Index of the current match in the whole list, or -1. */
  current: number;
  /** The current match itself (its utterance index tells which row holds it). */
  currentMatch: SearchMatch | null;
}

export const NO_SEARCH: TranscriptSearchView = { byIndex: new Map(), firstByIndex: new Map(), current: -1, currentMatch: null };

export interface TranscriptListProps {
  utterances: readonly Utterance[];
  /** TranscriptSnapshot.interims: each channel's tail, in channel order. */
  interims: readonly Segment[];
  names: SpeakerNames;
  theme: ColorTheme;
  search?: TranscriptSearchView;
  emptyText: string;
  onSpeakerClick?: (speaker: number) => void;
  /** Lets lines be corrected; resolves true once the correction is kept. Stable across renders. */
  onEditText?: (utterance: Utterance, text: string) => Promise<boolean>;
  /** Which lines `onEditText` may correct (a live session's finished ones); every line when absent. */
  canEdit?: (utterance: Utterance) => boolean;
  /** Render a long transcript from its end first (default); false renders every row at once. */
  progressive?: boolean;
}

export const INITIAL_ROWS = 120;
export const CHUNK_ROWS = 300;

/**
 * How many rows, counted from the end, are rendered: INITIAL_ROWS at first, a chunk more per task
 * until the whole list is there, and from then on all of them (Infinity), however long a live
 * transcript grows. Starts over for another transcript (a different first utterance).
 */
function useRenderedRows(utterances: readonly Utterance[], progressive: boolean): number {
  const firstId = utterances[0]?.id ?? null;
  const [progress, setProgress] = useState<{ firstId: string | null; rows: number }>({ firstId, rows: INITIAL_ROWS });
  const rows = progress.firstId === firstId ? progress.rows : INITIAL_ROWS;
  const complete = !progressive || rows >= utterances.length;
  useEffect(() => {
    if (firstId === null) return;
    if (complete) {
      if (progress.firstId !== firstId || progress.rows !== Infinity) setProgress({ firstId, rows: Infinity });
      return;
    }
    // A task, not a microtask: the browser paints what is there before the next chunk.
    const timer = setTimeout(() => setProgress({ firstId, rows: rows + CHUNK_ROWS }), 0);
    return () => clearTimeout(timer);
  }, [complete, firstId, rows, progress]);
  return complete ? Infinity : rows;
}

export function TranscriptList({
  utterances,
  interims,
  names,
  theme,
  search = NO_SEARCH,
  emptyText,
  onSpeakerClick,
  onEditText,
  canEdit,
  progressive = true,
}: TranscriptListProps) {
  const renderedRows = useRenderedRows(utterances, progressive);
  if (utterances.length === 0 && interims.length === 0) {
    return <p class="empty">{emptyText}</p>;
  }
  const currentIndex = search.currentMatch?.index ?? -1;
  let start = Math.max(0, utterances.length - renderedRows);
  if (currentIndex >= 0) start = Math.min(start, currentIndex);
  const shown = start > 0 ? utterances.slice(start) : utterances;
  // An interim tail names its speaker only when someone new is talking (after the last line above it).
  let previousSpeaker = utterances[utterances.length - 1]?.speaker ?? null;
  const interimLabels = interims.map((interim) => {
    const label = interim.speaker !== null && interim.speaker !== previousSpeaker ? speakerLabel(interim.speaker, names) : '';
    previousSpeaker = interim.speaker;
    return label;
  });
  return (
    <>
      {shown.map((utterance, offset) => {
        const index = start + offset;
        return (
          <TranscriptUtterance
            key={utterance.id}
            utterance={utterance}
            index={index}
            label={speakerLabel(utterance.speaker, names)}
            color={speakerColor(utterance.speaker, theme)}
            ranges={search.byIndex.get(index) ?? NO_RANGES}
            firstMatch={search.firstByIndex.get(index) ?? 0}
            currentMatch={index === currentIndex ? search.current : -1}
            onSpeakerClick={onSpeakerClick}
            onEditText={onEditText && (!canEdit || canEdit(utterance)) ? onEditText : undefined}
          />
        );
      })}
      {interims.map((interim, i) => (
        <p key={`interim-${interim.channel}`} class="utterance-text interim" data-testid="interim" data-speaker={interim.speaker ?? ''} data-channel={interim.channel}>
          {interimLabels[i] && (
            <span class="interim-speaker" style={{ color: speakerColor(interim.speaker, theme) }}>
              {interimLabels[i]}:{' '}
            </span>
          )}
          {interim.text}
        </p>
      ))}
    </>
  );
}
