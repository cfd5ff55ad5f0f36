/** Small choice controls: a labelled select, a checkbox, radio buttons, and the weekdays. */
import { useId, type ReactNode } from 'react';
import { Field, Group } from './Field.tsx';

export function SelectField<T extends string>({
  label,
  path,
  value,
  options,
  onChange,
  hint,
}: {
  label: ReactNode;
  path?: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  hint?: ReactNode;
}) {
  return (
    <Field label={label} path={path} hint={hint}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value as T)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckField({ label, checked, onChange, hint }: { label: ReactNode; checked: boolean; onChange: (checked: boolean) => void; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="field checkbox-field">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function RadioGroup<T extends string>({
  legend,
  path,
  value,
  options,
  onChange,
}: {
  legend: ReactNode;
  path?: string;
  value: T;
  options: readonly { value: T; label: string; hint?: string }[];
  onChange: (value: T) => void;
}) {
  const name = useId();
  return (
    <Group legend={legend} path={path} className="radios">
      {options.map((o) => (
        <label key={o.value} className="radio">
          <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>
            {o.label}
            {o.hint && <span className="radio-hint">{o.hint}</span>}
          </span>
        </label>
      ))}
    </Group>
  );
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const DAY_LABEL: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** Days of the week as toggles; none picked is `undefined` (every day), in week order. */
export function WeekdaysField({ legend, path, value, onChange, hint }: { legend: ReactNode; path?: string; value: readonly string[] | undefined; onChange: (days: Weekday[] | undefined) => void; hint?: ReactNode }) {
  const picked = new Set(value ?? []);
  return (
    <Group legend={legend} path={path} within hint={hint} className="weekdays">
      <div className="weekday-row">
        {WEEKDAYS.map((day) => (
          <label key={day} className={`weekday${picked.has(day) ? ' on' : ''}`} title={DAY_LABEL[day]}>
            <input
              type="checkbox"
              checked={picked.has(day)}
              aria-label={DAY_LABEL[day]}
              onChange={(e) => {
                const next = new Set(picked);
                if (e.target.checked) next.add(day);
                else next.delete(day);
                const days = WEEKDAYS.filter((d) => next.has(d));
                onChange(days.length > 0 ? days : undefined);
              }}
            />
            <span aria-hidden="true">{DAY_LABEL[day].slice(0, 2)}</span>
          </label>
        ))}
      </div>
    </Group>
  );
}
