/**
 * The one small filter language of journeys: conditions on event properties (waits, goals) or on profile
 * traits (splits), ANDed in a list. Pure functions; no type coercion, so "5" is not 5.
 */
import type { Filter, FilterScalar } from './definition.ts';
import { assertNever } from './never.ts';

import type { Problem } from './problem.ts';

/** True when every filter holds (an empty or absent list holds for everything). */
export function matchesAll(filters: readonly Filter[] | undefined, properties: Record<string, unknown>): boolean {
  return (filters ?? []).every((f) => matches(f, properties));
}

export function matches(filter: Filter, properties: Record<string, unknown>): boolean {
  // Own properties only: a property named "toString" must not find Object.prototype's.
  const actual = Object.hasOwn(properties, filter.property) ? properties[filter.property] : undefined;
  const present = actual !== undefined && actual !== null;
  const value = filter.value;
  switch (filter.op) {
    case 'exists':
      return present === (value ?? true);
    case '=':
      return present && actual === value;
    case '!=':
      return !present || actual !== value; // a missing property is not equal to anything
    case '<':
    case '<=':
    case '>':
    case '>=':
      return present && compare(actual, value, filter.op);
    case 'in':
      return present && Array.isArray(value) && (value as unknown[]).includes(actual);
    case 'contains':
      if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
      return Array.isArray(actual) && actual.includes(value);
    default:
      return assertNever(filter.op);
  }
}

/** Numbers with numbers, strings with strings (ISO dates order correctly as strings); anything else is false. */
function compare(actual: unknown, value: unknown, op: '<' | '<=' | '>' | '>='): boolean {
  const comparable = (typeof actual === 'number' && typeof value === 'number') || (typeof actual === 'string' && typeof value === 'string');
  if (!comparable) return false;
  const a = actual as number | string;
  const b = value as number | string;
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  return a >= b;
}

/** What the schema cannot say: which value shape each operator takes. */
export function filterProblems(filters: readonly Filter[] | undefined, path: string): Problem[] {
  const problems: Problem[] = [];
  (filters ?? []).forEach((f, i) => {
    const at = `${path}/${i}/value`;
    const v = f.value;
    switch (f.op) {
      case 'exists':
        if (v !== undefined && typeof v !== 'boolean') problems.push({ path: at, message: '"exists" takes no value, or true/false (false: the property is absent)' });
        break;
      case '=':
      case '!=':
      case 'contains':
        if (v === undefined || Array.isArray(v)) problems.push({ path: at, message: `"${f.op}" needs a single string, number or boolean value` });
        break;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (typeof v !== 'number' && typeof v !== 'string') problems.push({ path: at, message: `"${f.op}" needs a number or string value` });
        break;
      case 'in':
        if (!Array.isArray(v) || v.length === 0) problems.push({ path: at, message: '"in" needs a non-empty list of values' });
        break;
      default:
        assertNever(f.op);
    }
  });
  return problems;
}

export type { Filter, FilterScalar };

/** A filter as text, for comparing filters: the same condition gives the same text. */
export function filterText(f: Filter): string {
  return JSON.stringify([f.property, f.op, f.value === undefined ? null : f.value]);
}
