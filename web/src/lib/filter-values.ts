/**
 * A filter's value as a form edits it: a text box and a type (text, number, yes/no), since filters never
 * coerce ("5" is not 5, docs/journeys.md "Filters"). `in` takes a comma-separated list; `exists` takes a
 * yes/no or nothing.
 */
import type { Filter, FilterOp, Scalar } from './draft.ts';

export type ValueType = 'text' | 'number' | 'boolean';

export const FILTER_OPS: { op: FilterOp; label: string }[] = [
  { op: '=', label: 'is' },
  { op: '!=', label: 'is not' },
  { op: '>', label: 'is more than' },
  { op: '>=', label: 'is at least' },
  { op: '<', label: 'is less than' },
  { op: '<=', label: 'is at most' },
  { op: 'contains', label: 'contains' },
  { op: 'in', label: 'is one of' },
  { op: 'exists', label: 'is set' },
];

export function valueTypeOf(value: Filter['value']): ValueType {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'text';
}

/** What the value box shows: "pro, business" for a list. */
export function valueText(value: Filter['value']): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

function scalarOf(text: string, type: ValueType): Scalar | null {
  if (type === 'text') return text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

/**
 * The value for what was typed, as `type`; `{ error }` when it is not one ("abc" as a number). For `in`, the
 * comma-separated items, each trimmed, empty ones left out.
 */
export function parseValue(text: string, type: ValueType, op: FilterOp): { value: Scalar | Scalar[] } | { error: string } {
  if (op === 'in') {
    const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) return { error: 'list at least one value, separated by commas' };
    const values = items.map((item) => scalarOf(item, type));
    const bad = items.find((_, i) => values[i] === null);
    return bad === undefined ? { value: values as Scalar[] } : { error: `"${bad}" is not ${type === 'number' ? 'a number' : 'true or false'}` };
  }
  const value = scalarOf(text, type);
  if (value === null) return { error: type === 'number' ? 'enter a number' : 'choose true or false' };
  return { value };
}

/** The filter with another operator: the value reshaped to what the operator takes. */
export function withOp(filter: Filter, op: FilterOp): Filter {
  if (filter.op === op) return filter;
  const { value, ...rest } = filter;
  if (op === 'exists') return { ...rest, op }; // "is set"; `value: false` would be "is not set"
  if (op === 'in') {
    const list = value === undefined || typeof value === 'boolean' ? [] : Array.isArray(value) ? value : [value];
    return { ...rest, op, value: list.length > 0 ? list : [''] };
  }
  const single = Array.isArray(value) ? value[0] : value;
  return { ...rest, op, value: single === undefined || filter.op === 'exists' ? '' : single };
}
