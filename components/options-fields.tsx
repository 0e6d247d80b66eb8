/**
 * Form fields for the options page: a label, the control, a help line that turns into the error
 * when the value is wrong (tied to the control with aria-describedby / aria-invalid, so screen
 * readers read it with the field).
 */
import type { ComponentChildren } from 'preact';

interface FieldFrameProps {
  id: string;
  label: string;
  help?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
}

export const helpId = (id: string) => `${id}-help`;

function FieldFrame({ id, label, help, error, children }: FieldFrameProps) {
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      {(error || help) && (
        <small id={helpId(id)} class={error ? 'error' : 'help'} data-testid={error ? `${id}-error` : undefined}>
          {error ?? help}
        </small>
      )}
    </div>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  help?: ComponentChildren;
  error?: string | undefined;
  type?: 'text' | 'url' | 'password';
  list?: string;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'url';
  /** Rendered after the input, inside the row (e.g. a show/hide button). */
  after?: ComponentChildren;
}

export function TextField(props: TextFieldProps) {
  const { id, label, value, onInput, help, error, type = 'text', list, placeholder, autoComplete, inputMode, after } = props;
  const input = (
    <input
      id={id}
      name={id}
      type={type}
      value={value}
      list={list}
      placeholder={placeholder}
      autoComplete={autoComplete ?? 'off'}
      spellcheck={false}
      inputMode={inputMode}
      aria-invalid={error ? 'true' : 'false'}
      aria-describedby={error || help ? helpId(id) : undefined}
      onInput={(event) => onInput(event.currentTarget.value)}
    />
  );
  return (
    <FieldFrame id={id} label={label} help={help} error={error}>
      {after ? (
        <div class="input-row">
          {input}
          {after}
        </div>
      ) : (
        input
      )}
    </FieldFrame>
  );
}

interface TextAreaFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  help?: ComponentChildren;
  error?: string | undefined;
  rows?: number;
  placeholder?: string;
}

export function TextAreaField({ id, label, value, onInput, help, error, rows = 4, placeholder }: TextAreaFieldProps) {
  return (
    <FieldFrame id={id} label={label} help={help} error={error}>
      <textarea
        id={id}
        name={id}
        rows={rows}
        value={value}
        placeholder={placeholder}
        spellcheck={false}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error || help ? helpId(id) : undefined}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </FieldFrame>
  );
}

interface CheckboxFieldProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  help?: ComponentChildren;
}

export function CheckboxField({ id, label, checked, onChange, help }: CheckboxFieldProps) {
  return (
    <div class="checkbox-field">
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={checked}
        aria-describedby={help ? helpId(id) : undefined}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {help && (
        <small id={helpId(id)} class="help">
          {help}
        </small>
      )}
    </div>
  );
}

interface RangeFieldProps {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onInput: (value: number) => void;
  /** The value as a person reads it ("24 px", "80 %"), shown beside the slider and announced. */
  format: (value: number) => string;
  help?: ComponentChildren;
  error?: string | undefined;
  disabled?: boolean;
}

export function RangeField({ id, label, value, min, max, step, onInput, format, help, error, disabled }: RangeFieldProps) {
  const shown = format(value);
  return (
    <FieldFrame id={id} label={label} help={help} error={error}>
      <div class="range-row">
        <input
          id={id}
          name={id}
          type="range"
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          aria-valuetext={shown}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error || help ? helpId(id) : undefined}
          onInput={(event) => onInput(Number(event.currentTarget.value))}
        />
        <output for={id} class="range-value">
          {shown}
        </output>
      </div>
    </FieldFrame>
  );
}

/** A titled group of fields. */
export function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="options-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

interface RadioGroupFieldProps<Value extends string> {
  id: string;
  label: string;
  value: Value;
  choices: readonly { value: Value; label: string }[];
  onChange: (value: Value) => void;
  help?: ComponentChildren;
}

/** One of a few choices, as radio buttons under a legend (the group is what is labelled). */
export function RadioGroupField<Value extends string>({ id, label, value, choices, onChange, help }: RadioGroupFieldProps<Value>) {
  return (
    <fieldset class="field radio-field" id={id} aria-describedby={help ? helpId(id) : undefined}>
      <legend>{label}</legend>
      <div class="radio-choices">
        {choices.map((choice) => (
          <label key={choice.value}>
            <input type="radio" name={id} value={choice.value} checked={value === choice.value} onChange={() => onChange(choice.value)} />
            {choice.label}
          </label>
        ))}
      </div>
      {help && (
        <small id={helpId(id)} class="help">
          {help}
        </small>
      )}
    </fieldset>
  );
}

interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  choices: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  help?: ComponentChildren;
  error?: string | undefined;
}

/** One of many choices, as a menu (a native <select>: keyboard, type-ahead and screen readers for free). */
export function SelectField({ id, label, value, choices, onChange, help, error }: SelectFieldProps) {
  return (
    <FieldFrame id={id} label={label} help={help} error={error}>
      <select
        id={id}
        name={id}
        value={value}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error || help ? helpId(id) : undefined}
        onChange={(event) => onChange(event.currentTarget.value)}
      >
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
