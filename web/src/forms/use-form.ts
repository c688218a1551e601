// One way for every form to hold its values, show a field's error once the field was left or the
// form was sent, take the server's field errors, and move focus to the first field to fix.
import { useCallback, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import type { Errors, Validator } from './validation.ts';

type Input = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface FieldProps {
  id: string;
  name: string;
  value: string;
  error: string | undefined;
  onChange: (event: ChangeEvent<Input>) => void;
  onBlur: () => void;
}

export function useForm<T extends Record<string, string>>(initial: T, validate: Validator<T>) {
  const prefix = useId();
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Partial<Record<keyof T, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Errors<T>>({});
  const errors = { ...validate(values), ...serverErrors };

  const idOf = (name: keyof T & string) => `${prefix}-${name}`;

  const field = (name: keyof T & string): FieldProps => ({
    id: idOf(name),
    name,
    value: values[name] ?? '',
    error: touched[name] || submitted ? errors[name] : undefined,
    onChange: (event) => {
      const value = event.target.value;
      setValues((v) => ({ ...v, [name]: value }));
      setServerErrors((e) => ({ ...e, [name]: undefined }));
    },
    onBlur: () => setTouched((t) => ({ ...t, [name]: true })),
  });

  const handleSubmit = (onValid: (values: T) => void) => (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const found = validate(values);
    const first = Object.keys(values).find((name) => found[name as keyof T & string]);
    if (first) {
      document.getElementById(idOf(first))?.focus();
      return;
    }
    onValid(values);
  };

  const showServerErrors = useCallback((fieldErrors: Record<string, string>) => {
    setServerErrors(fieldErrors as Errors<T>);
    setSubmitted(true);
  }, []);

  return { values, setValues, field, handleSubmit, showServerErrors };
}
