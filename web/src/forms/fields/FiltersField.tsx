/**
 * A list of filters, all of which must hold (docs/journeys.md, "Filters"): a property (picked from what the
 * project has seen, or typed), an operator, and a typed value. Each part shows its own problems
 * (`/nodes/3/where/0/value`).
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { CatalogKey } from '../../lib/catalog.ts';
import { exampleText } from '../../lib/catalog.ts';
import type { Filter, FilterOp } from '../../lib/draft.ts';
import { FILTER_OPS, parseValue, valueText, valueTypeOf, withOp, type ValueType } from '../../lib/filter-values.ts';
import { Field, Group } from './Field.tsx';
import { TextField } from './TextField.tsx';

/** "is not set" is `exists` with `value: false`: one list entry of its own. */
type OpChoice = FilterOp | 'absent';

const opOf = (f: Filter): OpChoice => (f.op === 'exists' && f.value === false ? 'absent' : f.op);

export function FiltersField({
  legend,
  path,
  value,
  onChange,
  keys,
  hint,
  addLabel = 'Add a condition',
  minItems = 0,
}: {
  legend: ReactNode;
  path: string;
  value: readonly Filter[] | undefined;
  onChange: (filters: Filter[]) => void;
  /** The property keys to offer. */
  keys: readonly CatalogKey[];
  hint?: ReactNode;
  addLabel?: string;
  minItems?: number;
}) {
  const filters = value ?? [];
  // Filters read top-level keys only (a dot is part of the name): the catalog's nested paths do not apply.
  const topLevel = keys.filter((k) => !k.key.includes('.'));
  const set = (i: number, filter: Filter) => onChange(filters.map((f, j) => (j === i ? filter : f)));
  return (
    <Group legend={legend} path={path} hint={hint} className="filters">
      {filters.length === 0 && <p className="muted empty-note">No conditions.</p>}
      {filters.map((filter, i) => (
        <FilterRow
          key={i}
          index={i}
          path={`${path}/${i}`}
          filter={filter}
          keys={topLevel}
          onChange={(f) => set(i, f)}
          onRemove={filters.length > minItems ? () => onChange(filters.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <button type="button" className="button small add" onClick={() => onChange([...filters, { property: topLevel[0]?.key ?? '', op: '=', value: '' }])}>
        + {addLabel}
      </button>
    </Group>
  );
}

function FilterRow({ index, path, filter, keys, onChange, onRemove }: { index: number; path: string; filter: Filter; keys: readonly CatalogKey[]; onChange: (f: Filter) => void; onRemove?: () => void }) {
  const valueType = valueTypeOf(filter.value);
  const [type, setType] = useState<ValueType>(valueType);
  // The value changed from elsewhere (undo, a row above removed): its type is the one to show.
  useEffect(() => setType(valueType), [valueType]);
  const [error, setError] = useState<string | null>(null);
  const op = opOf(filter);
  const takesValue = filter.op !== 'exists';
  const n = index + 1;
  const commitValue = (text: string, as: ValueType = type) => {
    const parsed = parseValue(text, as, filter.op);
    if ('error' in parsed) return setError(parsed.error);
    setError(null);
    onChange({ ...filter, value: parsed.value });
  };
  return (
    <div className="filter-row" role="group" aria-label={`Condition ${n}`}>
      <TextField
        label="Property"
        className="filter-property"
        path={`${path}/property`}
        value={filter.property}
        options={keys.map((k) => ({ value: k.key, label: [k.type, exampleText(k.example)].filter(Boolean).join(' · ') }))}
        onCommit={(property) => onChange({ ...filter, property })}
      />
      <Field label="Operator" path={`${path}/op`} className="filter-op">
        {(control) => (
          <select
            {...control}
            value={op}
            onChange={(e) => {
              const choice = e.target.value as OpChoice;
              if (choice === 'absent') onChange({ property: filter.property, op: 'exists', value: false });
              else onChange(withOp(filter, choice));
            }}
          >
            {FILTER_OPS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
            <option value="absent">is not set</option>
          </select>
        )}
      </Field>
      {takesValue && (
        <>
          {type === 'boolean' ? (
            <Field label="Value" path={`${path}/value`} within className="filter-value">
              {(control) => (
                <select {...control} value={String(Array.isArray(filter.value) ? filter.value[0] : filter.value)} onChange={(e) => commitValue(e.target.value)}>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              )}
            </Field>
          ) : (
            <TextField
              label={filter.op === 'in' ? 'Values (comma-separated)' : 'Value'}
              className="filter-value"
              path={`${path}/value`}
              error={error}
              value={valueText(filter.value)}
              onCommit={(text) => commitValue(text)}
            />
          )}
          <Field label="Type" className="filter-type">
            {(control) => (
              <select
                {...control}
                value={type}
                onChange={(e) => {
                  const next = e.target.value as ValueType;
                  setType(next);
                  commitValue(next === 'boolean' ? 'true' : valueText(filter.value), next);
                }}
              >
                <option value="text">text</option>
                <option value="number">number</option>
                <option value="boolean">true / false</option>
              </select>
            )}
          </Field>
        </>
      )}
      {onRemove && (
        <button type="button" className="button ghost small remove" onClick={onRemove} aria-label={`Remove condition ${n}`}>
          Remove
        </button>
      )}
    </div>
  );
}
