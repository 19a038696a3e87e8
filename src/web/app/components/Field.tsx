import { useId, type ReactNode } from 'react';

/** A labelled form control; the label is tied to the control for screen readers. */
export function Field({ label, children, wide }: { label: string; children: (id: string) => ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

/** A dropdown of stable values; `label` shows each in the UI's language (default: the value itself). */
export function Select({ id, value, options, onChange, label }: { id: string; value: string; options: readonly string[]; onChange: (value: string) => void; label?: (value: string) => string }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((option) => (
        <option key={option} value={option}>
          {label ? label(option) : option}
        </option>
      ))}
    </select>
  );
}

/** Drops empty strings so optional fields are left out of the job input, not sent blank. */
export function compact(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined && v !== null));
}
