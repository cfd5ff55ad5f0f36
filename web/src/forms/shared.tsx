/** Pieces several node forms share: the zone choice, a date trait moment, event pickers' options. */
import type { CatalogEvent, CatalogKey } from '../lib/catalog.ts';
import { exampleText } from '../lib/catalog.ts';
import { withField } from '../lib/draft.ts';
import { useStore } from '../store/index.ts';
import { SelectField } from './fields/choices.tsx';
import { DurationField } from './fields/DurationField.tsx';
import { TextField, type Option } from './fields/TextField.tsx';

export function eventOptions(events: readonly CatalogEvent[]): Option[] {
  return events.map((e) => ({ value: e.name, label: e.count !== undefined ? `${e.count.toLocaleString('en-US')} received` : '' }));
}

export function keyOptions(keys: readonly CatalogKey[]): Option[] {
  return keys.map((k) => ({ value: k.key, label: [k.type, exampleText(k.example)].filter(Boolean).join(' · ') }));
}

/** The pickers' lists from the catalog slice (empty until, or unless, the server says). */
export function useCatalog() {
  return useStore((s) => s.catalog);
}

/** `timezone` of a delay or date trigger: "user" is the default, so choosing it removes the field. */
export function ZoneChoiceField({ path, value, onChange }: { path: string; value: unknown; onChange: (zone: 'journey' | undefined) => void }) {
  return (
    <SelectField
      label="Whose clock"
      path={path}
      value={value === 'journey' ? 'journey' : 'user'}
      options={[
        { value: 'user', label: "The user's time zone (their timezone trait, else the journey's)" },
        { value: 'journey', label: "The journey's time zone" },
      ]}
      onChange={(zone) => onChange(zone === 'journey' ? 'journey' : undefined)}
    />
  );
}

export interface DateMomentValue {
  property: string;
  before?: string;
  after?: string;
  time?: string;
}

/** "3 days before renewal_date at 10:00": a date trait, an optional shift before or after, an optional time of day. */
export function DateMomentFields({ path, value, onChange, traits }: { path: string; value: DateMomentValue; onChange: (v: DateMomentValue) => void; traits: readonly CatalogKey[] }) {
  const shift = value.before !== undefined ? 'before' : value.after !== undefined ? 'after' : 'on';
  const amount = value.before ?? value.after;
  return (
    <>
      <TextField
        label="Date trait"
        path={`${path}/property`}
        value={value.property}
        options={keyOptions(traits)}
        placeholder="renewal_date"
        hint="A profile trait holding a date (2026-12-01), a date-time or epoch milliseconds."
        onCommit={(property) => onChange({ ...value, property })}
      />
      <div className="inline-fields">
        <SelectField
          label="When"
          value={shift}
          options={[
            { value: 'on', label: 'on the date' },
            { value: 'before', label: 'before it' },
            { value: 'after', label: 'after it' },
          ]}
          onChange={(next) => {
            const cleared = withField(withField(value, 'before', undefined), 'after', undefined);
            onChange(next === 'on' ? cleared : { ...cleared, [next]: amount ?? '1d' });
          }}
        />
        {shift !== 'on' && (
          <DurationField
            label={shift === 'before' ? 'How long before' : 'How long after'}
            path={`${path}/${shift}`}
            value={amount}
            defaultUnit="d"
            onChange={(d) => onChange({ ...value, [shift]: d })}
          />
        )}
      </div>
      <TextField
        label="At (local time, optional)"
        type="time"
        path={`${path}/time`}
        value={value.time ?? ''}
        onCommit={(time) => onChange(withField(value, 'time', time === '' ? undefined : time))}
      />
    </>
  );
}

/** A short list of names as comma-separated text ("cartId, sku"); none is `undefined`, so the field is removed. */
export function NameListField({ label, path, value, onChange, hint, options }: { label: string; path: string; value: readonly string[] | undefined; onChange: (names: string[] | undefined) => void; hint?: string; options?: Option[] }) {
  return (
    <TextField
      label={label}
      path={path}
      hint={hint}
      options={options}
      value={(value ?? []).join(', ')}
      onCommit={(text) => {
        const names = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
        onChange(names.length > 0 ? names : undefined);
      }}
    />
  );
}

/** The event users enter with, if the trigger has one: the `Event` of templates and `sameAs`. */
export function entryEventOf(nodes: readonly { kind: string; [k: string]: unknown }[]): string | undefined {
  const trigger = nodes.find((n) => n.kind === 'entry')?.trigger as { event?: unknown } | undefined;
  return typeof trigger?.event === 'string' ? trigger.event : undefined;
}
