/**
 * Request validation: Ajv over the routes' TypeBox schemas, and the translation of Ajv's errors into the
 * `problems` list the API returns (one entry per bad field, each with a JSON pointer to it).
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { isValidTimeZone } from '../core/dnd.ts';
import type { Problem } from './errors.ts';

/** The `format` of a trait that must name a real IANA zone. */
export const TIME_ZONE_FORMAT = 'iana-time-zone';

// allErrors so a client fixes every field in one round trip. Fastify turns it off by default because a
// crafted body can make Ajv do a lot of work; here the body limit and every array's maxItems bound that work.
const common: Options = { allErrors: true, removeAdditional: false, strict: true };

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
  ajvFormats.default(ajv);
  ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: (zone: string) => isValidTimeZone(zone) });
  return ajv;
}

/**
 * Bodies are checked as sent: no type coercion (Fastify's default would turn `"userId": 42` into "42" and
 * `null` into ""), no defaults filled in. Query strings and path params arrive as text, so they are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const bodyAjv = makeAjv({ coerceTypes: false, useDefaults: false });
  const textAjv = makeAjv({ coerceTypes: 'array', useDefaults: true });
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
    return validate as ReturnType<FastifySchemaCompiler<FastifySchema>>;
  };
}

/** Turns Ajv errors into problems: unions reduced to the branch the client meant, paths pointing at the field. */
export function problemsOf(errors: ErrorObject[], part: string): Problem[] {
  const where: Pick<Problem, 'in'> = part === 'querystring' || part === 'params' || part === 'headers' ? { in: part } : {};
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of narrowUnions(errors)) {
    const problem = { ...toProblem(error), ...where };
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems.sort((a, b) => comparePaths(a.path, b.path));
}

const FORMAT_MESSAGES: Record<string, string> = {
  'date-time': 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"',
  [TIME_ZONE_FORMAT]: 'must be an IANA time zone, e.g. "Europe/Paris"',
};

function toProblem(error: ErrorObject): Problem {
  return { path: pathOf(error), message: messageOf(error) };
}

function pathOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${error.instancePath}/${escapePointer(String(params.missingProperty))}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${escapePointer(String(params.additionalProperty))}`;
  return error.instancePath || '/';
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not an allowed field';
  if (error.keyword === 'format') return FORMAT_MESSAGES[String(params.format)] ?? error.message ?? 'has the wrong format';
  return error.message ?? `fails ${error.keyword}`;
}

function escapePointer(segment: string): string {
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

/**
 * Ajv reports a failed anyOf with the errors of every branch, which buries the useful ones.
 * - A union over one value (ISO string or epoch number; a string or null) becomes one problem. When the
 *   value has the type of some branch, only that branch's complaint is kept: "must be >= 0", not also
 *   "must be string".
 * - A union of shapes (one event or `{ batch }`) keeps only the branch that got furthest into the data,
 *   the first on a tie: `{ "batch": [..., { bad }] }` is reported as a bad batch item, `{ "userId": "u" }`
 *   as an event missing its name.
 */
export function narrowUnions(errors: ErrorObject[]): ErrorObject[] {
  let current = errors;
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (!current.includes(union)) continue; // it sat inside a branch already discarded
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<number, ErrorObject[]>();
    const within = `${union.instancePath}/`;
    for (const e of current) {
      // The same schema applies at many places (every batch item): a branch error is this union's only if it is about the same value.
      if (!e.schemaPath.startsWith(prefix) || !(e.instancePath === union.instancePath || e.instancePath.startsWith(within))) continue;
      const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const inUnion = new Set([union, ...[...branches.values()].flat()]);
    const at = current.indexOf(union);
    const keep = (replacement: ErrorObject[]) => [...current.slice(0, at).filter((e) => !inUnion.has(e)), ...replacement, ...current.slice(at).filter((e) => !inUnion.has(e))];
    const all = [...branches.values()].flat();
    const structural = all.some((e) => e.keyword === 'required' || e.keyword === 'additionalProperties');
    if (!structural && all.every((e) => e.instancePath === union.instancePath)) {
      current = keep([{ ...union, keyword: 'union', message: alternatives([...branches.values()]) }]);
      continue;
    }
    let best: ErrorObject[] = [];
    let bestDepth = -1;
    for (const index of [...branches.keys()].sort((a, b) => a - b)) {
      const found = branches.get(index)!;
      const depth = Math.max(...found.map((e) => e.instancePath.split('/').length));
      if (depth > bestDepth) {
        best = found;
        bestDepth = depth;
      }
    }
    current = keep(best);
  }
  return current;
}

function alternatives(branches: ErrorObject[][]): string {
  const errors = branches.flat();
  const allowed = errors.filter((e) => e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
  if (allowed.length === branches.length) return `must be one of ${allowed.join(', ')}`;
  const typeMatched = branches.filter((list) => !list.some((e) => e.keyword === 'type'));
  const relevant = typeMatched.length > 0 ? typeMatched : branches;
  return [...new Set(relevant.map((list) => messageOf(list.find((e) => e.keyword !== 'type') ?? list[0]!)))].join(' or ');
}
