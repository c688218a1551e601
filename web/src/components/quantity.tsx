// A quantity with − and + buttons around a number field, all named for screen readers.
import { useId } from 'react';

export function QuantityInput(props: {
  value: number;
  max: number;
  onChange: (value: number) => void;
  label: string;
  disabled?: boolean;
}) {
  const id = useId();
  const set = (n: number) => props.onChange(Math.min(Math.max(1, n), Math.max(1, props.max)));
  return (
    <div className="quantity">
      <label htmlFor={id} className="visually-hidden">
        {props.label}
      </label>
      <button
        type="button"
        aria-label={`Decrease ${props.label.toLowerCase()}`}
        disabled={props.disabled || props.value <= 1}
        onClick={() => set(props.value - 1)}
      >
        −
      </button>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={props.max}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isInteger(n) && n >= 1) set(n);
        }}
      />
      <button
        type="button"
        aria-label={`Increase ${props.label.toLowerCase()}`}
        disabled={props.disabled || props.value >= props.max}
        onClick={() => set(props.value + 1)}
      >
        +
      </button>
    </div>
  );
}
