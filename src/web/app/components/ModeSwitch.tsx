import type { ReactNode } from 'react';

/** A row of radio buttons styled as one segmented control; each choice may carry a badge (needs a model, offline). */
export function ModeSwitch<T extends string>({
  name,
  label,
  value,
  choices,
  onChange,
}: {
  name: string;
  label: string;
  value: T;
  choices: readonly { value: T; label: string; badge?: ReactNode }[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {choices.map((choice) => (
        <label key={choice.value} className={value === choice.value ? 'selected' : ''} data-mode={choice.value}>
          <input type="radio" name={name} value={choice.value} checked={value === choice.value} onChange={() => onChange(choice.value)} />
          <span>{choice.label}</span>
          {choice.badge ?? null}
        </label>
      ))}
    </div>
  );
}
