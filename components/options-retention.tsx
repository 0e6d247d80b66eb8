/**
 * How much transcript history is kept (lib/persistence/retention.ts): sessions and days.
 */
import { t } from '@/lib/i18n';
import { RETENTION_LIMITS, type RetentionPolicy } from '@/lib/persistence/retention';
import { TextField } from './options-fields';

/** The two numbers as typed. */
export interface RetentionDraft {
  maxSessions: string;
  maxDays: string;
}

export type RetentionErrors = Partial<Record<keyof RetentionDraft, string>>;

/** Checks both numbers; `policy` is set only when both are whole numbers in range. */
export function retentionErrors(draft: RetentionDraft): { policy: RetentionPolicy | null; errors: RetentionErrors } {
  const errors: RetentionErrors = {};
  const read = (key: keyof RetentionDraft, message: string): number => {
    const text = draft[key].trim();
    const { min, max } = RETENTION_LIMITS[key];
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) errors[key] = message;
    return value;
  };
  const maxSessions = read('maxSessions', t('optionsKeepSessionsInvalid', RETENTION_LIMITS.maxSessions.min, RETENTION_LIMITS.maxSessions.max));
  const maxDays = read('maxDays', t('optionsKeepDaysInvalid', RETENTION_LIMITS.maxDays.min, RETENTION_LIMITS.maxDays.max));
  return { policy: Object.keys(errors).length === 0 ? { maxSessions, maxDays } : null, errors };
}

export function RetentionFields({
  draft,
  errors,
  onChange,
}: {
  draft: RetentionDraft;
  errors: RetentionErrors;
  onChange: (next: RetentionDraft) => void;
}) {
  return (
    <>
      <p class="section-note">{t('optionsHistoryNote')}</p>
      <div class="field-pair">
        <TextField
          id="keep-sessions"
          label={t('optionsKeepSessions')}
          value={draft.maxSessions}
          inputMode="numeric"
          onInput={(value) => onChange({ ...draft, maxSessions: value })}
          error={errors.maxSessions}
          help={t('optionsKeepSessionsHelp')}
        />
        <TextField
          id="keep-days"
          label={t('optionsKeepDays')}
          value={draft.maxDays}
          inputMode="numeric"
          onInput={(value) => onChange({ ...draft, maxDays: value })}
          error={errors.maxDays}
          help={t('optionsKeepDaysHelp')}
        />
      </div>
    </>
  );
}
