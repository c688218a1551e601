// Form controls with a visible label, an optional hint and an error that is tied to the control
// (aria-describedby, aria-invalid) and read out when it appears.
import type { ReactNode } from 'react';
import type { FieldProps } from '../forms/use-form.ts';

/** What every control gets from its field: identity, value, handlers and its ties to hint and error. */
interface ControlProps {
  id: string;
  name: string;
  value: string;
  onChange: FieldProps['onChange'];
  onBlur: FieldProps['onBlur'];
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
}

interface FrameProps {
  field: FieldProps;
  label: string;
  hint?: string;
  children: (control: ControlProps) => ReactNode;
}

function Frame({ field, label, hint, children }: FrameProps) {
  const hintId = hint ? `${field.id}-hint` : undefined;
  const errorId = field.error ? `${field.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={field.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={field.id}>{label}</label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({
        id: field.id,
        name: field.name,
        value: field.value,
        onChange: field.onChange,
        onBlur: field.onBlur,
        'aria-describedby': describedBy,
        'aria-invalid': field.error ? true : undefined,
      })}
      <p className="field-error" id={`${field.id}-error`} aria-live="polite">
        {field.error}
      </p>
    </div>
  );
}

type Common = { field: FieldProps; label: string; hint?: string; required?: boolean; autoComplete?: string };

export function TextField({
  type = 'text',
  inputMode,
  ...props
}: Common & { type?: string; inputMode?: 'decimal' | 'numeric' | 'email' }) {
  const { field, required, autoComplete } = props;
  return (
    <Frame field={field} label={props.label} hint={props.hint}>
      {(control) => (
        <input
          {...control}
          type={type}
          inputMode={inputMode}
          required={required}
          autoComplete={autoComplete}
        />
      )}
    </Frame>
  );
}

export function TextArea(props: Common & { rows?: number }) {
  const { field } = props;
  return (
    <Frame field={field} label={props.label} hint={props.hint}>
      {(control) => <textarea {...control} rows={props.rows ?? 4} />}
    </Frame>
  );
}

export function SelectField(props: Common & { options: { value: string; label: string }[] }) {
  const { field } = props;
  return (
    <Frame field={field} label={props.label} hint={props.hint}>
      {(control) => (
        <select {...control} required={props.required} autoComplete={props.autoComplete}>
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Frame>
  );
}

export interface Choice {
  value: string;
  label: string;
  description?: string;
}

/** Radio buttons in a fieldset whose legend names the choice; arrow keys move between them. */
export function ChoiceGroup(props: {
  legend: string;
  name: string;
  value: string;
  choices: Choice[];
  onChange: (value: string) => void;
}) {
  return (
    <fieldset className="choices">
      <legend>{props.legend}</legend>
      {props.choices.map((c) => (
        <label key={c.value} className={c.value === props.value ? 'choice choice-selected' : 'choice'}>
          <input
            type="radio"
            name={props.name}
            value={c.value}
            checked={c.value === props.value}
            onChange={() => props.onChange(c.value)}
          />
          <span className="choice-label">{c.label}</span>
          {c.description && <span className="choice-description">{c.description}</span>}
        </label>
      ))}
    </fieldset>
  );
}

export interface FieldSpec<K extends string> {
  name: K;
  label: string;
  type?: string;
  hint?: string;
  autoComplete?: string;
  required?: boolean;
  inputMode?: 'decimal' | 'numeric' | 'email';
  /** A select with these options instead of a text field. */
  options?: { value: string; label: string }[];
  /** A text area of this many rows instead of a one-line field. */
  rows?: number;
}

/** A form's fields from their description; an inner array puts fields side by side on wide screens. */
export function Fields<K extends string>(props: {
  specs: (FieldSpec<K> | FieldSpec<K>[])[];
  field: (name: K) => FieldProps;
}) {
  const one = ({ name, options, rows, ...spec }: FieldSpec<K>) => {
    const field = props.field(name);
    if (options) return <SelectField key={name} {...spec} field={field} options={options} />;
    if (rows) return <TextArea key={name} {...spec} field={field} rows={rows} />;
    return <TextField key={name} {...spec} field={field} />;
  };
  return (
    <>
      {props.specs.map((spec, i) =>
        Array.isArray(spec) ? (
          <div className="field-row" key={i}>
            {spec.map(one)}
          </div>
        ) : (
          one(spec)
        ),
      )}
    </>
  );
}
