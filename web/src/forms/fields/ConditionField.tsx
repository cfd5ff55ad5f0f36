/**
 * A segment condition (docs/journeys.md, "Segments"), edited as a tree: profile filters, an event done or
 * not (how often, in which window), the outcome of an earlier message (splits only), and all / any / not
 * groups, nested at most four deep. Each part shows the problems at its own path.
 */
import type { CatalogEvent, CatalogKey } from '../../lib/catalog.ts';
import { propertiesOf } from '../../lib/catalog.ts';
import { childrenOf, groupDepth, MAX_GROUP_DEPTH, switchCondition, windowKind, type Condition, type ConditionType } from '../../lib/condition.ts';
import type { Filter } from '../../lib/draft.ts';
import { withField } from '../../lib/draft.ts';
import { toLocalInput, fromLocalInput } from '../../lib/zone-input.ts';
import { SelectField } from './choices.tsx';
import { DurationField } from './DurationField.tsx';
import { FieldErrors, useProblems } from './Field.tsx';
import { FiltersField } from './FiltersField.tsx';
import { TextField } from './TextField.tsx';

export interface ConditionContext {
  events: readonly CatalogEvent[];
  traits: readonly CatalogKey[];
  /** Send node ids earlier in the journey; null where message conditions are not allowed (scheduled entries). */
  sends: readonly string[] | null;
  /** The journey's zone, for absolute windows. */
  zone: string;
}

const TYPE_LABEL: Record<ConditionType, string> = {
  profile: 'Profile traits match',
  event: 'Did an event',
  message: 'An earlier message had an outcome',
  all: 'All of (and)',
  any: 'Any of (or)',
  not: 'Not',
};

export function ConditionField({ path, value, onChange, context, depth = 0, label = 'Condition' }: { path: string; value: Condition; onChange: (c: Condition) => void; context: ConditionContext; depth?: number; label?: string }) {
  const types = (Object.keys(TYPE_LABEL) as ConditionType[]).filter((t) => {
    if (t === 'message') return context.sends !== null || value.type === 'message';
    if (t === 'all' || t === 'any' || t === 'not') return depth + Math.max(1, groupDepth(value)) <= MAX_GROUP_DEPTH || value.type === t;
    return true;
  });
  const messages = useProblems(path);
  return (
    <div className={`condition depth-${depth}`}>
      <SelectField
        label={label}
        path={`${path}/type`}
        value={value.type}
        options={types.map((t) => ({ value: t, label: TYPE_LABEL[t] }))}
        onChange={(type) => onChange(switchCondition(value, type, context.sends?.[0] ?? ''))}
      />
      <FieldErrors problems={messages} />
      <ConditionBody path={path} value={value} onChange={onChange} context={context} depth={depth} />
    </div>
  );
}

function ConditionBody({ path, value, onChange, context, depth }: { path: string; value: Condition; onChange: (c: Condition) => void; context: ConditionContext; depth: number }) {
  const set = (key: string, v: unknown) => onChange(withField(value, key, v));
  switch (value.type) {
    case 'profile':
      return <FiltersField legend="Traits" path={`${path}/where`} value={value.where as Filter[]} keys={context.traits} minItems={1} onChange={(where) => set('where', where)} />;
    case 'event':
      return <EventBody path={path} value={value} onChange={onChange} context={context} />;
    case 'message':
      return (
        <>
          <SelectField
            label="Message (send node)"
            path={`${path}/node`}
            value={String(value.node ?? '')}
            options={[...new Set([...(context.sends ?? []), String(value.node ?? '')])].map((id) => ({ value: id, label: id || '(choose a send node)' }))}
            onChange={(node) => set('node', node)}
          />
          <SelectField
            label="Outcome"
            path={`${path}/outcome`}
            value={String(value.outcome ?? 'sent') as 'sent'}
            options={[
              { value: 'sent', label: 'sent' },
              { value: 'unreachable', label: 'unreachable (skipped)' },
              { value: 'failed', label: 'failed' },
              { value: 'clicked', label: 'clicked' },
            ]}
            onChange={(outcome) => set('outcome', outcome)}
          />
          {(value.outcome === 'failed' || value.outcome === 'clicked') && (
            <DurationField label="Within (after the send)" path={`${path}/within`} optional value={value.within as string | undefined} onChange={(d) => set('within', d)} />
          )}
        </>
      );
    default: {
      const children = childrenOf(value);
      const setChild = (i: number, c: Condition) => onChange(value.type === 'not' ? { ...value, of: c } : { ...value, of: children.map((x, j) => (j === i ? c : x)) });
      return (
        <div className="condition-group">
          {children.map((child, i) => (
            <div key={i} className="condition-child">
              <ConditionField
                path={value.type === 'not' ? `${path}/of` : `${path}/of/${i}`}
                value={child}
                depth={depth + 1}
                label={value.type === 'not' ? 'Condition that must not hold' : `Condition ${i + 1}`}
                context={context}
                onChange={(c) => setChild(i, c)}
              />
              {value.type !== 'not' && children.length > 1 && (
                <button type="button" className="button ghost small remove" aria-label={`Remove condition ${i + 1}`} onClick={() => onChange({ ...value, of: children.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              )}
            </div>
          ))}
          {value.type !== 'not' && (
            <button type="button" className="button small add" onClick={() => onChange({ ...value, of: [...children, { type: 'event', event: context.events[0]?.name ?? '' }] })}>
              + Add a condition
            </button>
          )}
        </div>
      );
    }
  }
}

function EventBody({ path, value, onChange, context }: { path: string; value: Condition; onChange: (c: Condition) => void; context: ConditionContext }) {
  const set = (key: string, v: unknown) => onChange(withField(value, key, v));
  const did = value.did !== false;
  const count = value.count as { op: string; value: number } | undefined;
  const within = value.within as { last?: string; from?: string; to?: string } | undefined;
  const kind = windowKind(within);
  return (
    <>
      <TextField
        label="Event"
        path={`${path}/event`}
        value={String(value.event ?? '')}
        options={context.events.map((e) => ({ value: e.name, label: e.count !== undefined ? `${e.count} received` : '' }))}
        onCommit={(event) => set('event', event)}
      />
      <SelectField
        label="Did it"
        path={`${path}/did`}
        value={did ? (count ? 'count' : 'yes') : 'no'}
        options={[
          { value: 'yes', label: 'at least once' },
          { value: 'count', label: 'a number of times' },
          { value: 'no', label: 'never (did not do it)' },
        ]}
        onChange={(choice) => {
          const base = withField(withField(value, 'did', choice === 'no' ? false : undefined), 'count', undefined);
          onChange(choice === 'count' ? { ...base, count: { op: '>=', value: 3 } } : base);
        }}
      />
      {did && count && (
        <div className="inline-fields">
          <SelectField
            label="Times"
            path={`${path}/count/op`}
            value={count.op as '>='}
            options={['>=', '>', '=', '<', '<='].map((op) => ({ value: op as '>=', label: { '>=': 'at least', '>': 'more than', '=': 'exactly', '<': 'fewer than', '<=': 'at most' }[op]! }))}
            onChange={(op) => set('count', { ...count, op })}
          />
          <TextField label="Count" type="number" path={`${path}/count/value`} value={String(count.value)} onCommit={(t) => set('count', { ...count, value: Math.max(0, Math.floor(Number(t) || 0)) })} />
        </div>
      )}
      <FiltersField legend="With properties" path={`${path}/where`} value={value.where as Filter[] | undefined} keys={propertiesOf(context.events, String(value.event ?? ''))} onChange={(where) => set('where', where.length > 0 ? where : undefined)} />
      <SelectField
        label="When"
        path={`${path}/within`}
        value={kind}
        options={[
          { value: 'all', label: 'ever' },
          { value: 'last', label: 'in the last…' },
          { value: 'between', label: 'between two dates' },
        ]}
        onChange={(k) => set('within', k === 'all' ? undefined : k === 'last' ? { last: '7d' } : { from: new Date().toISOString().slice(0, 10) + 'T00:00:00Z' })}
      />
      {kind === 'last' && <DurationField label="In the last" path={`${path}/within/last`} value={within?.last} defaultUnit="d" onChange={(last) => set('within', { last })} />}
      {kind === 'between' && (
        <div className="inline-fields">
          {(['from', 'to'] as const).map((end) => (
            <TextField
              key={end}
              type="datetime-local"
              label={end === 'from' ? `From (${context.zone})` : `To, excluded (${context.zone})`}
              path={`${path}/within/${end}`}
              value={toLocalInput(within?.[end], context.zone)}
              onCommit={(local) => {
                const iso = local === '' ? undefined : (fromLocalInput(local, context.zone) ?? undefined);
                const next = withField(within ?? {}, end, iso);
                set('within', Object.keys(next).length > 0 ? next : undefined);
              }}
            />
          ))}
        </div>
      )}
    </>
  );
}
