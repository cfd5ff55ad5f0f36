import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.ts';
import type { MessageFilters as Filters } from '../../store/messages.ts';
import { MESSAGE_FILTERS, type FilterField } from './filters.ts';

/** The filter bar: every filter of MESSAGE_FILTERS, applied together. */
export function MessageFilters() {
  const applied = useStore((s) => s.messageLog.filters);
  const loadMessages = useStore((s) => s.loadMessages);
  const [values, setValues] = useState<Filters>(applied);
  useEffect(() => setValues(applied), [applied]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void loadMessages(values);
  };
  const active = Object.values(applied).some((v) => v && v.trim());

  return (
    <form className="panel filter-bar" aria-label="Filter messages" onSubmit={submit}>
      {MESSAGE_FILTERS.map((field) => (
        <FilterControl key={field.key} field={field} value={values[field.key] ?? ''} onChange={(value) => setValues((v) => ({ ...v, [field.key]: value }))} />
      ))}
      <div className="filter-actions">
        <button type="submit" className="button primary">
          Apply filters
        </button>
        {active && (
          <button type="button" className="button ghost" onClick={() => void loadMessages({})}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

function FilterControl({ field, value, onChange }: { field: FilterField; value: string; onChange: (value: string) => void }) {
  const names = useStore((s) => s.journeyNames);
  const registry = useStore((s) => s.registry);
  const id = `filter-${field.key}`;
  const { input } = field;
  let control;
  if (input.kind === 'text') {
    control = <input id={id} value={value} onChange={(e) => onChange(e.target.value)} placeholder={input.placeholder} spellCheck={false} autoComplete="off" maxLength={200} />;
  } else {
    const options =
      input.kind === 'choice'
        ? [...input.options]
        : input.kind === 'channel'
          ? (registry?.channels ?? []).map((c) => ({ value: c.name, label: c.label }))
          : Object.entries(names ?? {})
            .map(([journeyId, name]) => ({ value: journeyId, label: name }))
            .sort((a, b) => a.label.localeCompare(b.label));
    // A value the list lacks (a journey id typed into the address, names not read) stays choosable.
    if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
    control = (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  }
  return (
    <div className="filter">
      <label htmlFor={id}>{field.label}</label>
      {control}
    </div>
  );
}
