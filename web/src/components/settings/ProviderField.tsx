import type { ReactNode } from 'react';
import { FieldError, invalidProps } from './FieldError.tsx';

/** One labelled text input of a provider form, with its hint and the server's word about it. */
export function ProviderField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  hint?: ReactNode;
  type?: 'text' | 'password' | 'number';
  placeholder?: string;
  autoComplete?: string;
  /** Shown after the label: "set" for a stored secret. */
  badge?: ReactNode;
  /** A textarea of this many rows, for pasted files (a key, a JSON key file). */
  rows?: number;
  /** Across the form's two columns. */
  wide?: boolean;
}) {
  const { id, label, value, onChange, error, hint, type = 'text', placeholder, autoComplete = 'off', badge, rows, wide } = props;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`field provider-field${wide ? ' wide' : ''}`}>
      <label htmlFor={id}>
        {label} {badge}
      </label>
      {rows ? (
        <textarea id={id} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} autoComplete={autoComplete} spellCheck={false} {...invalidProps(`${id}-error`, error, hintId)} />
      ) : (
        <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} autoComplete={autoComplete} spellCheck={false} {...invalidProps(`${id}-error`, error, hintId)} />
      )}
      <FieldError id={`${id}-error`} message={error} />
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
