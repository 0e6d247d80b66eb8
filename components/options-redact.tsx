/**
 * Options: what Deepgram redacts (`redact=`), one checkbox per kind under a legend. Deepgram
 * redacts entities in English only while streaming, so a non-English language gets a sentence
 * that says what that leaves (numbers).
 */
import { t, type MessageKey } from '@/lib/i18n';
import { REDACT_KINDS, type RedactKind } from '@/lib/settings';
import { helpId } from './options-fields';

const KIND_LABELS: Readonly<Record<RedactKind, MessageKey>> = {
  pci: 'optionsRedactPci',
  pii: 'optionsRedactPii',
  phi: 'optionsRedactPhi',
  numbers: 'optionsRedactNumbers',
};

/** English as Deepgram names it: en, en-US, en-GB… */
const isEnglish = (language: string) => /^en(-|$)/i.test(language.trim());

export interface RedactFieldProps {
  value: readonly RedactKind[];
  language: string;
  onChange: (value: RedactKind[]) => void;
}

export function RedactField({ value, language, onChange }: RedactFieldProps) {
  const id = 'redact';
  const toggle = (kind: RedactKind, on: boolean) => onChange(REDACT_KINDS.filter((each) => (each === kind ? on : value.includes(each))));
  const warn = value.length > 0 && !isEnglish(language) && language.trim() !== '';
  return (
    <fieldset class="field radio-field" id={id} aria-describedby={helpId(id)}>
      <legend>{t('optionsRedact')}</legend>
      <div class="radio-choices">
        {REDACT_KINDS.map((kind) => (
          <label key={kind}>
            <input type="checkbox" name={id} value={kind} data-testid={`redact-${kind}`} checked={value.includes(kind)} onChange={(event) => toggle(kind, event.currentTarget.checked)} />
            {t(KIND_LABELS[kind])}
          </label>
        ))}
      </div>
      <small id={helpId(id)} class="help">
        {t('optionsRedactHelp')}
        {warn && (
          <>
            {' '}
            <strong data-testid="redact-language-note">{t('optionsRedactNotEnglish', language.trim())}</strong>
          </>
        )}
      </small>
    </fieldset>
  );
}
