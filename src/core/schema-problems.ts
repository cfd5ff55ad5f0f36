/**
 * The one translation of JSON Schema errors (TypeBox's and Ajv's have the same shape) into problems a person
 * can act on: one problem per bad field, at the JSON pointer of that field.
 *
 * A value that fails a union fails every branch of it, and the raw errors say so for each branch: an unknown
 * field in an `inaction` trigger comes out as complaints from all five trigger kinds. Unions are reduced to
 * what the writer meant, outermost first:
 * - a union over one value (constants, or types such as "ISO string or epoch number") becomes one problem
 *   listing what is allowed (only the branches of the value's own type, when some have it);
 * - a union of objects told apart by a discriminator (`type`, `kind`) keeps only the branch the value names;
 * - otherwise the branch that got furthest into the data, then the one with the fewest errors, then the first.
 */
import { Settings } from 'typebox/system';
import { DURATION_PATTERN } from './duration.ts';
import type { Problem } from './problem.ts';

export interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown> | object;
  message?: string;
}

/** Fields that tell the branches of a union of objects apart. */
const DISCRIMINATORS = ['type', 'kind'];

/** `format` names and what a person should read for them; `TIME_ZONE_FORMAT` is registered by the API. */
const FORMAT_MESSAGES: Record<string, string> = {
  'date-time': 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"',
  'iana-time-zone': 'must be an IANA time zone, e.g. "Europe/Paris"',
};

/**
 * Every error of a compiled TypeBox check. TypeBox stops at 8 by default, before a union's own error and the
 * branches the writer meant; a value failing a union of 9 constants alone has 10.
 */
export function allErrors(check: { Errors(value: unknown): Iterable<SchemaError> }, value: unknown): SchemaError[] {
  const maxErrors = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: 1000 });
  try {
    return [...check.Errors(value)];
  } finally {
    Settings.Set({ maxErrors });
  }
}

export function problemsFromSchemaErrors(errors: readonly SchemaError[], prefix = ''): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of narrowUnions(errors.filter((e) => e.keyword !== 'boolean' && e.keyword !== 'propertyNames').map(atPropertyName))) {
    for (const problem of toProblems(error, prefix)) {
      const key = `${problem.path}\u0000${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems.sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * An error about a property's name (a `propertyNames` schema) is put at that property's path and says it is
 * the name that is wrong. TypeBox already points at the name; Ajv points at the object and names the property
 * apart. The summary error each adds ("property names ... are invalid") is dropped: these say more.
 */
function atPropertyName(error: SchemaError): SchemaError {
  const name = (error as { propertyName?: unknown }).propertyName;
  const ajvStyle = typeof name === 'string' && error.schemaPath.includes('/propertyNames/');
  if (!ajvStyle && !error.schemaPath.endsWith('/propertyNames')) return error;
  const instancePath = ajvStyle ? `${error.instancePath}/${escapePointer(name)}` : error.instancePath;
  return { ...error, instancePath, message: `name ${error.message ?? `fails ${error.keyword}`}` };
}

type Narrowed = SchemaError & { alternatives?: string };

function narrowUnions(errors: readonly SchemaError[]): Narrowed[] {
  let current: Narrowed[] = [...errors];
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (!current.includes(union)) continue; // it sat inside a branch already discarded
    // Ajv's union error names the anyOf keyword in its schema path; TypeBox's stops at the union's own schema.
    const prefix = union.schemaPath.endsWith('/anyOf') ? `${union.schemaPath}/` : `${union.schemaPath}/anyOf/`;
    const within = `${union.instancePath}/`;
    const branches = new Map<number, SchemaError[]>();
    for (const e of current) {
      // The same schema applies at many places (every batch item): a branch error is this union's only if it is about the same value.
      if (!e.schemaPath.startsWith(prefix) || !(e.instancePath === union.instancePath || e.instancePath.startsWith(within))) continue;
      const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const inUnion = new Set<SchemaError>([union, ...[...branches.values()].flat()]);
    const at = current.indexOf(union);
    const keep = (replacement: Narrowed[]) => [...current.slice(0, at).filter((e) => !inUnion.has(e)), ...replacement, ...current.slice(at).filter((e) => !inUnion.has(e))];
    const all = [...branches.values()];
    if (all.length === 0) continue; // no branch said why (errors cut short): the union's own message stands
    const flat = all.flat();
    const structural = flat.some((e) => e.keyword === 'required' || e.keyword === 'additionalProperties');
    if (!structural && flat.every((e) => e.instancePath === union.instancePath)) {
      current = keep([{ ...union, keyword: 'union', alternatives: alternatives(all) }]);
      continue;
    }
    const named = [...branches.entries()].filter(([, list]) => !list.some((e) => isDiscriminatorMismatch(e, union)));
    if (named.length === 1) {
      current = keep(named[0]![1]);
      continue;
    }
    const unnamed = unknownDiscriminator(all, union);
    if (unnamed) {
      current = keep([unnamed]);
      continue;
    }
    const candidates = named.length > 1 ? named : [...branches.entries()];
    candidates.sort(([a, x], [b, y]) => depth(y) - depth(x) || x.length - y.length || a - b);
    current = keep(candidates[0]?.[1] ?? []);
  }
  return current;
}

/** The value's `type` or `kind` is not this branch's constant: the writer did not mean this branch. */
function isDiscriminatorMismatch(e: SchemaError, union: SchemaError): boolean {
  if (e.keyword !== 'const') return false;
  const field = e.instancePath.slice(union.instancePath.length + 1);
  return DISCRIMINATORS.includes(field);
}

/**
 * The value's `type` or `kind` names no branch at all (`{"type": "evnt"}`): one problem at that field listing
 * the kinds there are, rather than the complaints of whichever branch came first.
 */
function unknownDiscriminator(branches: SchemaError[][], union: SchemaError): Narrowed | undefined {
  const mismatches = branches.map((list) => list.find((e) => isDiscriminatorMismatch(e, union)));
  const first = mismatches[0];
  if (branches.length < 2 || !first || mismatches.some((e) => e?.instancePath !== first.instancePath)) return undefined;
  return { ...first, keyword: 'union', alternatives: alternatives(mismatches.map((e) => [e!])) };
}

function depth(list: readonly SchemaError[]): number {
  return Math.max(...list.map((e) => e.instancePath.split('/').length));
}

function alternatives(branches: SchemaError[][]): string {
  const errors = branches.flat();
  const allowed = errors.filter((e) => e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
  if (allowed.length === branches.length) return `must be one of ${allowed.join(', ')}`;
  const typeMatched = branches.filter((list) => !list.some((e) => e.keyword === 'type'));
  if (typeMatched.length > 0) return [...new Set(typeMatched.map((list) => messageOf(list.find((e) => e.keyword !== 'type') ?? list[0]!)))].join(' or ');
  const types = errors.filter((e) => e.keyword === 'type').map((e) => typeName((e.params as { type?: unknown }).type));
  return `must be ${[...allowed, ...types].join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
}

function typeName(type: unknown): string {
  const name = Array.isArray(type) ? type.join(' or ') : String(type);
  return name === 'array' ? 'a list of these' : name === 'integer' ? 'an integer' : name === 'object' ? 'an object' : name === 'null' ? 'null' : `a ${name}`;
}

function toProblems(error: Narrowed, prefix: string): Problem[] {
  const params = error.params as Record<string, unknown>;
  const path = prefix + error.instancePath;
  if (error.keyword === 'required') {
    // TypeBox lists every missing field at once; Ajv reports one per error.
    const fields = (params.requiredProperties as string[] | undefined) ?? [String(params.missingProperty)];
    return fields.map((field) => ({ path: `${path}/${escapePointer(field)}`, message: `missing required field ${field}` }));
  }
  if (error.keyword === 'additionalProperties') {
    const fields = (params.additionalProperties as string[] | undefined) ?? [String(params.additionalProperty)];
    return fields.map((field) => ({ path: `${path}/${escapePointer(field)}`, message: `unknown field ${field}` }));
  }
  return [{ path: path || '/', message: error.alternatives ?? messageOf(error) }];
}

function messageOf(error: SchemaError): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'format') return FORMAT_MESSAGES[String(params.format)] ?? error.message ?? 'has the wrong format';
  if (error.keyword === 'pattern' && params.pattern === DURATION_PATTERN) return 'must be a duration: a whole number above 0 and a unit, e.g. "90s", "2h", "7d"';
  if (error.keyword === 'const') return `must be ${JSON.stringify(params.allowedValue)}`;
  return error.message ?? `fails ${error.keyword}`;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Document order: /batch/2 before /batch/10. */
function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const [m, n] = [Number(x[i]), Number(y[i])];
    if (x[i] !== '' && y[i] !== '' && Number.isInteger(m) && Number.isInteger(n)) return m - n;
    return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}
