/**
 * The transcript in the side panel: one row per utterance (speaker, time, text with search
 * matches), then the interim tail. Rows are memoized (see transcript-utterance.tsx), and each row
 * skips layout and paint while off screen (`content-visibility: auto` in panel.css), which is what
 * keeps a three-hour transcript quick: bench/panel.ts measures it against rendering every row
 * plainly. All rows stay in the DOM, so selection, copy, find-in-page and screen readers see the
 * whole transcript.
 */
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
  interim: Segment | null;
  names: SpeakerNames;
  theme: ColorTheme;
  search?: TranscriptSearchView;
  emptyText: string;
  onSpeakerClick?: (speaker: number) => void;
}

export function TranscriptList({ utterances, interim, names, theme, search = NO_SEARCH, emptyText, onSpeakerClick }: TranscriptListProps) {
  if (utterances.length === 0 && !interim) {
    return <p class="empty">{emptyText}</p>;
  }
  const currentIndex = search.currentMatch?.index ?? -1;
  // The interim tail names its speaker only when someone new is talking.
  const lastSpeaker = utterances[utterances.length - 1]?.speaker ?? null;
  const interimLabel = interim && interim.speaker !== null && interim.speaker !== lastSpeaker ? speakerLabel(interim.speaker, names) : '';
  return (
    <>
      {utterances.map((utterance, index) => (
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
        />
      ))}
      {interim && (
        <p class="utterance-text interim" data-testid="interim" data-speaker={interim.speaker ?? ''}>
          {interimLabel && (
            <span class="interim-speaker" style={{ color: speakerColor(interim.speaker, theme) }}>
              {interimLabel}:{' '}
            </span>
          )}
          {interim.text}
        </p>
      )}
    </>
  );
}
