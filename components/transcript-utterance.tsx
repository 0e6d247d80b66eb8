/**
 * One utterance in the side panel: speaker (in its colour), meeting time, and the text with search
 * matches as <mark> elements. Text is only ever text: Preact creates text nodes and <mark>s, never
 * markup from the transcript. Memoized: a live update or a new search re-renders only the rows
 * whose utterance, name, colour or matches changed.
 *
 * A line that may be corrected (any line of a saved session; a finished line of the live one) has an
 * Edit button: the text becomes a field (Enter saves, Escape cancels, focus comes back to Edit),
 * and the speaker and time stay as they are.
 */
import { memo } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
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
  /** Present when lines can be corrected; resolves true once the correction is kept. */
  onEditText?: (utterance: Utterance, text: string) => Promise<boolean>;
}

export const NO_RANGES: readonly SearchMatch[] = Object.freeze([]);

function UtteranceRow({ utterance, index, label, color, ranges, firstMatch, currentMatch, onSpeakerClick, onEditText }: TranscriptUtteranceProps) {
  const parts = ranges.length > 0 ? highlightParts(utterance.text, ranges, firstMatch) : null;
  const speaker = utterance.speaker;
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);
  const stopEditing = () => {
    refocus.current = true;
    setEditing(false);
  };
  const clock = formatClock(utterance.start);
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
          {clock}
        </time>
        {onEditText && !editing && (
          <button
            type="button"
            ref={editButton}
            class="link small utterance-edit"
            data-testid="utterance-edit"
            aria-label={t('panelEditLineLabel', clock)}
            onClick={() => setEditing(true)}
          >
            {t('panelEditLine')}
          </button>
        )}
      </div>
      {editing && onEditText ? (
        <LineEditor
          text={utterance.text}
          label={t('panelEditLineInput', clock)}
          onSave={async (text) => {
            if (await onEditText(utterance, text)) stopEditing();
          }}
          onCancel={stopEditing}
        />
      ) : (
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
      )}
    </article>
  );
}

/** The line's text in a field, sized to it: Enter saves, Escape cancels; Save and Cancel for the mouse. */
function LineEditor({ text, label, onSave, onCancel }: { text: string; label: string; onSave: (text: string) => Promise<void>; onCancel: () => void }) {
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = field.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => void onSave(field.current?.value ?? text);
  return (
    <div class="utterance-editor" data-holds-scroll="true">
      <textarea
        ref={field}
        class="utterance-edit-input"
        data-testid="utterance-edit-input"
        defaultValue={text}
        rows={Math.min(6, Math.max(2, Math.ceil(text.length / 45)))}
        aria-label={label}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            save();
          } else if (event.key === 'Escape') {
            // The panel's own Escape (closing menus) must not also run.
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
      />
      <div class="utterance-editor-actions">
        <button type="button" class="secondary small" data-testid="utterance-edit-save" onClick={save}>
          {t('panelHistorySave')}
        </button>
        <button type="button" class="link small" data-testid="utterance-edit-cancel" onClick={onCancel}>
          {t('panelHistoryCancel')}
        </button>
      </div>
    </div>
  );
}

export const TranscriptUtterance = memo(UtteranceRow);
