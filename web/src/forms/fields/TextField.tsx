/** A labelled text box (one line or several) that commits after a pause in typing; with a list, a combo box. */
import { useId, type ReactNode } from 'react';
import { Field } from './Field.tsx';
import { useDraftText } from './useDraftText.ts';

export interface Option {
  value: string;
  /** Shown beside the value in the list: "1,204 received". */
  label?: string;
}

export function TextField({
  label,
  path,
  value,
  onCommit,
  hint,
  error,
  placeholder,
  multiline = false,
  options,
  type = 'text',
  className,
  maxLength,
  required = false,
}: {
  label: ReactNode;
  path?: string;
  value: string;
  onCommit: (text: string) => void;
  hint?: ReactNode;
  error?: string | null;
  placeholder?: string;
  multiline?: boolean;
  /** Suggestions: free text is still taken (a combo box over a datalist). */
  options?: readonly Option[];
  type?: 'text' | 'number' | 'time' | 'datetime-local' | 'url';
  className?: string;
  maxLength?: number;
  required?: boolean;
}) {
  const { text, change, flush } = useDraftText(value, onCommit);
  const listId = useId();
  return (
    <Field label={label} path={path} hint={hint} error={error} className={className}>
      {(control) =>
        multiline ? (
          <textarea {...control} value={text} rows={4} placeholder={placeholder} maxLength={maxLength} required={required} onChange={(e) => change(e.target.value)} onBlur={flush} />
        ) : (
          <>
            <input
              {...control}
              type={type}
              value={text}
              placeholder={placeholder}
              maxLength={maxLength}
              required={required}
              autoComplete="off"
              list={options && options.length > 0 ? listId : undefined}
              onChange={(e) => change(e.target.value)}
              onBlur={flush}
              onKeyDown={(e) => e.key === 'Enter' && flush()}
            />
            {options && options.length > 0 && (
              <datalist id={listId}>
                {options.map((o) => (
                  <option key={o.value} value={o.value} label={o.label} />
                ))}
              </datalist>
            )}
          </>
        )
      }
    </Field>
  );
}
