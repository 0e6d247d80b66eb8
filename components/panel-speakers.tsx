/**
 * The speakers of the transcript, each with its colour and name, and a Rename form. A name given
 * here is stored for the session (lib/speaker-names-store.ts) and shows in the panel, the overlay,
 * copy and every export. Enter saves, Escape cancels; an empty name brings "Speaker N" back.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { speakerColor, speakerLabel, type ColorTheme } from '@/lib/transcript/speaker-colors';
import { MAX_SPEAKER_NAME_LENGTH, type SpeakerNames } from '@/lib/transcript/speaker-names';

export interface PanelSpeakersProps {
  speakers: readonly number[];
  names: SpeakerNames;
  theme: ColorTheme;
  /** The speaker whose form is open, or null. */
  editing: number | null;
  onEdit: (speaker: number | null) => void;
  onRename: (speaker: number, name: string) => void;
  /** Renaming needs a session to keep the names with. */
  canRename: boolean;
}

export function PanelSpeakers({ speakers, names, theme, editing, onEdit, onRename, canRename }: PanelSpeakersProps) {
  if (speakers.length === 0) return <p class="panel-note">{t('panelNoSpeakers')}</p>;
  return (
    <ul class="speaker-list" data-testid="speakers">
      {speakers.map((speaker) => (
        <li key={speaker} class="speaker-item" data-speaker={speaker}>
          {editing === speaker ? (
            <RenameForm
              speaker={speaker}
              current={names[speaker] ?? ''}
              onSave={(name) => {
                onRename(speaker, name);
                onEdit(null);
              }}
              onCancel={() => onEdit(null)}
            />
          ) : (
            <>
              <span class="speaker-swatch" style={{ background: speakerColor(speaker, theme) }} aria-hidden="true" />
              <span class="speaker-name" style={{ color: speakerColor(speaker, theme) }} data-testid="speaker-name">
                {speakerLabel(speaker, names)}
              </span>
              <button
                type="button"
                class="secondary small"
                data-testid="rename-speaker"
                data-speaker={speaker}
                disabled={!canRename}
                aria-label={t('panelRenameSpeaker', speakerLabel(speaker, names))}
                onClick={() => onEdit(speaker)}
              >
                {t('panelRename')}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

interface RenameFormProps {
  speaker: number;
  current: string;
  onSave: (name: string) => void;
  onCancel: () => void;
}

function RenameForm({ speaker, current, onSave, onCancel }: RenameFormProps) {
  const [value, setValue] = useState(current);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const fallback = speakerLabel(speaker);
  const hintId = `rename-hint-${speaker}`;
  return (
    <form
      class="rename-form"
      data-testid="rename-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(value);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <label class="rename-label">
        <span>{t('panelRenameLabel', fallback)}</span>
        <input
          ref={input}
          type="text"
          data-testid="speaker-name-input"
          value={value}
          maxLength={MAX_SPEAKER_NAME_LENGTH * 2}
          placeholder={fallback}
          aria-describedby={hintId}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
      </label>
      <small id={hintId} class="panel-note">
        {t('panelRenameHint', fallback)}
      </small>
      <div class="rename-actions">
        <button type="submit" class="secondary small" data-testid="speaker-name-save">
          {t('panelRenameSave')}
        </button>
        <button type="button" class="link small" onClick={onCancel}>
          {t('panelRenameCancel')}
        </button>
      </div>
    </form>
  );
}
