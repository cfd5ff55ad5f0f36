/**
 * The update-profile form: 1 to 50 traits, each a name and a literal value (text, number, true/false), or
 * "remove" (null). Order is kept; a renamed trait keeps its place.
 */
import { useState } from 'react';
import { uniqueId } from '../lib/draft.ts';
import { Field, Group } from './fields/Field.tsx';
import { TextField } from './fields/TextField.tsx';
import { keyOptions, useCatalog } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

type Value = string | number | boolean | null;
type Kind = 'text' | 'number' | 'boolean' | 'remove';

const kindOf = (v: Value): Kind => (v === null ? 'remove' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'text');

/** The traits with entry `i` renamed or revalued, in the same order. */
function replaceEntry(set: Record<string, Value>, i: number, key: string, value: Value): Record<string, Value> {
  return Object.fromEntries(Object.entries(set).map(([k, v], j) => (j === i ? [key, value] : [k, v])));
}

export function UpdateProfileForm({ node, path, change }: NodeFormProps) {
  const { traits } = useCatalog();
  const set = (node.set ?? {}) as Record<string, Value>;
  const entries = Object.entries(set);
  const update = (label: string, next: (s: Record<string, Value>) => Record<string, Value>) => change(label, (n) => ({ ...n, set: next((n.set ?? {}) as Record<string, Value>) }));
  return (
    <Group legend="Traits to write" path={`${path}/set`} hint="Written in the same step; the nodes after this one see them.">
      <ol className="trait-rows">
        {entries.map(([key, value], i) => (
          <TraitRow
            key={i}
            index={i}
            path={`${path}/set`}
            name={key}
            value={value}
            taken={entries.filter((_, j) => j !== i).map(([k]) => k)}
            options={keyOptions(traits)}
            onChange={(k, v) => update('Change a trait to write', (s) => replaceEntry(s, i, k, v))}
            onRemove={entries.length > 1 ? () => update('Remove a trait to write', (s) => Object.fromEntries(Object.entries(s).filter((_, j) => j !== i))) : undefined}
          />
        ))}
      </ol>
      {entries.length < 50 && (
        <button type="button" className="button small add" onClick={() => update('Add a trait to write', (s) => ({ ...s, [uniqueId('trait', Object.keys(s))]: '' }))}>
          + Add a trait
        </button>
      )}
    </Group>
  );
}

function TraitRow({ index, path, name, value, taken, options, onChange, onRemove }: {
  index: number;
  path: string;
  name: string;
  value: Value;
  taken: string[];
  options: { value: string; label?: string }[];
  onChange: (key: string, value: Value) => void;
  onRemove?: () => void;
}) {
  const [nameError, setNameError] = useState<string | null>(null);
  const [valueError, setValueError] = useState<string | null>(null);
  const kind = kindOf(value);
  const n = index + 1;
  return (
    <li className="trait-row">
      <TextField
        label={`Trait ${n}`}
        path={`${path}/${encodePointer(name)}`}
        error={nameError}
        value={name}
        options={options}
        onCommit={(key) => {
          const trimmed = key.trim();
          if (trimmed === '') return setNameError('name the trait');
          if (taken.includes(trimmed)) return setNameError(`"${trimmed}" is already set above`);
          setNameError(null);
          onChange(trimmed, value);
        }}
      />
      <Field label={`Trait ${n} value type`}>
        {(control) => (
          <select
            {...control}
            value={kind}
            onChange={(e) => {
              const next = e.target.value as Kind;
              setValueError(null);
              onChange(name, next === 'remove' ? null : next === 'boolean' ? true : next === 'number' ? Number(value) || 0 : value === null ? '' : String(value));
            }}
          >
            <option value="text">text</option>
            <option value="number">number</option>
            <option value="boolean">true / false</option>
            <option value="remove">remove the trait</option>
          </select>
        )}
      </Field>
      {kind === 'boolean' && (
        <Field label={`Trait ${n} value`}>
          {(control) => (
            <select {...control} value={String(value)} onChange={(e) => onChange(name, e.target.value === 'true')}>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          )}
        </Field>
      )}
      {(kind === 'text' || kind === 'number') && (
        <TextField
          label={`Trait ${n} value`}
          type={kind === 'number' ? 'number' : 'text'}
          error={valueError}
          value={String(value)}
          onCommit={(text) => {
            if (kind === 'text') return onChange(name, text);
            const number = Number(text);
            if (text.trim() === '' || !Number.isFinite(number)) return setValueError('enter a number');
            setValueError(null);
            onChange(name, number);
          }}
        />
      )}
      {onRemove && (
        <button type="button" className="button ghost small remove" aria-label={`Remove trait ${name}`} onClick={onRemove}>
          Remove
        </button>
      )}
    </li>
  );
}

/** A trait name as a JSON pointer segment (RFC 6901): "~" and "/" escaped. */
function encodePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
