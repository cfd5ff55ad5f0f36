/**
 * A duration: a number box (that also takes "2 h", "90 min", "1 week") and a unit list. Writes "2h" to the
 * definition; an optional one can be emptied, which removes the field.
 */
import { useState, type ReactNode } from 'react';
import { DURATION_UNITS, durationParts, parseDurationText, type DurationUnit } from '../../lib/duration.ts';
import { Field } from './Field.tsx';
import { useDraftText } from './useDraftText.ts';

export function DurationField({
  label,
  path,
  value,
  onChange,
  optional = false,
  hint,
  defaultUnit = 'h',
}: {
  label: ReactNode;
  path?: string;
  value: string | undefined;
  /** undefined: emptied (only when `optional`). */
  onChange: (duration: string | undefined) => void;
  optional?: boolean;
  hint?: ReactNode;
  defaultUnit?: DurationUnit;
}) {
  const parts = durationParts(value);
  const [pickedUnit, setPickedUnit] = useState<DurationUnit>(parts?.unit ?? defaultUnit);
  const unit = parts?.unit ?? pickedUnit;
  const [error, setError] = useState<string | null>(null);
  // A value the form cannot split (a hand-written "2H") is shown as it is, to be retyped.
  const shown = parts ? parts.amount : (value ?? '');

  const commit = (text: string) => {
    if (text.trim() === '') {
      if (optional) {
        setError(null);
        onChange(undefined);
      } else setError('enter a duration, e.g. 2 hours');
      return;
    }
    const duration = parseDurationText(text, unit);
    if (duration === null) {
      setError(`"${text.trim()}" is not a duration: a whole number and a unit, e.g. 2 h, 30 min, 3 days`);
      return;
    }
    setError(null);
    const next = durationParts(duration)!;
    setPickedUnit(next.unit);
    onChange(duration);
  };
  const { text, change, flush } = useDraftText(shown, commit);

  return (
    <Field label={label} path={path} hint={hint} error={error} className="duration-field">
      {(control) => (
        <div className="duration-row">
          <input
            {...control}
            className="duration-amount"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            placeholder={optional ? 'none' : undefined}
            onChange={(e) => change(e.target.value)}
            onBlur={flush}
            onKeyDown={(e) => e.key === 'Enter' && flush()}
          />
          <select
            aria-label={`Unit of ${typeof label === 'string' ? label.toLowerCase() : 'the duration'}`}
            value={unit}
            onChange={(e) => {
              const next = e.target.value as DurationUnit;
              setPickedUnit(next);
              // The same number in the new unit: "3" days → "3" hours.
              if (parts) onChange(`${parts.amount}${next}`);
            }}
          >
            {DURATION_UNITS.map((u) => (
              <option key={u.unit} value={u.unit}>
                {u.label}
              </option>
            ))}
          </select>
        </div>
      )}
    </Field>
  );
}
