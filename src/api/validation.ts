/**
 * Request validation: Ajv over the routes' TypeBox schemas, and the translation of Ajv's errors into the
 * `problems` list the API returns (one entry per bad field, each with a JSON pointer to it).
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { isValidTimeZone } from '../core/dnd.ts';
import type { Problem } from '../core/problem.ts';
import { escapePointer, problemsFromSchemaErrors } from '../core/schema-problems.ts';

/** The `format` of a trait that must name a real IANA zone. */
export const TIME_ZONE_FORMAT = 'iana-time-zone'; // its message is in core/schema-problems.ts

/**
 * The keyword that bounds how deeply a free-form object (event properties, profile traits) nests, counting
 * the object itself as level 1. An OpenAPI extension name, so the published document stays valid.
 */
export const MAX_DEPTH_KEYWORD = 'x-maxDepth';

/**
 * Real properties and traits nest a handful of levels (a cart, its items, their options). 32 is far above
 * that yet far below where the code that copies, stores and renders them by recursion gives out: JSON
 * serialization runs out of stack a few thousand levels down, SQLite's JSON functions stop at 1000.
 */
export const MAX_NESTING = 32;

/** Spread into the schema of a free-form object to bound its nesting. */
export const NESTING_LIMIT = { [MAX_DEPTH_KEYWORD]: MAX_NESTING } as const;

/**
 * Epoch milliseconds the API takes as a timestamp: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, the
 * years a four-digit ISO 8601 date can name. Later times fall outside what Date can print once the engine
 * adds a delay to them; earlier ones are negative, which the epoch-ms form already refuses.
 */
export const MIN_TIMESTAMP = 0;
export const MAX_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const TIMESTAMP_RANGE = `must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z`;

/** The problem with an event time read from an ISO string or epoch number, or null when it is in range. */
export function timestampProblem(ms: number): string | null {
  return ms >= MIN_TIMESTAMP && ms <= MAX_TIMESTAMP ? null : TIMESTAMP_RANGE;
}

// allErrors so a client fixes every field in one round trip. Fastify turns it off by default because a
// crafted body can make Ajv do a lot of work; here the body limit and every array's maxItems bound that work.
const common: Options = { allErrors: true, removeAdditional: false, strict: true };

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
  ajvFormats.default(ajv);
  ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: (zone: string) => isValidTimeZone(zone) });
  ajv.addKeyword({ keyword: MAX_DEPTH_KEYWORD, schemaType: 'number', validate: (limit: number, data: unknown) => !nestsDeeper(data, limit) });
  return ajv;
}

/** Whether `value` has more than `levels` levels of objects and arrays; stops looking at the first one too deep. */
function nestsDeeper(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (nestsDeeper(child, levels - 1)) return true;
  return false;
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
    // Every string of every part is checked, and its nesting bounded, whatever its schema says, so no route
    // can let such input through to the store.
    const checked = (data: unknown): boolean => {
      const valid = validate(data);
      const schemaErrors = valid ? [] : (validate.errors ?? []);
      // A value already reported as nested too deep by its own schema is not reported twice.
      const tooDeep = schemaErrors.filter((e) => e.keyword === MAX_DEPTH_KEYWORD).map((e) => `${e.instancePath}/`);
      const contentErrors = walkErrors(data).filter((e) => e.keyword !== NESTING_KEYWORD || !tooDeep.some((at) => e.instancePath.startsWith(at)));
      const errors = [...schemaErrors, ...contentErrors];
      checked.errors = errors.length > 0 ? errors : null;
      return errors.length === 0;
    };
    checked.errors = null as ErrorObject[] | null;
    return checked as unknown as ReturnType<FastifySchemaCompiler<FastifySchema>>;
  };
}

/**
 * How deeply any request part may nest, counting the part itself as level 1: the backstop for free-form
 * values no schema bounds (a journey's layout). An event batch with properties at their limit is 35 levels.
 */
export const MAX_REQUEST_NESTING = 64;

const TEXT_KEYWORD = 'text';
const NESTING_KEYWORD = 'nesting';
const NUL = 'must not contain the NUL character (U+0000)';
const LONE_SURROGATE = 'must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF)';
/** String.prototype.isWellFormed: in Node 20, not in the ES2022 library these types are checked against. */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return NUL;
  // A stray half of a surrogate pair (JSON's "\ud800" escape can make one, UTF-8 cannot carry it).
  if (!isWellFormed(text)) return LONE_SURROGATE;
  return null;
}

/** A value on the walk's stack, with what leads to it: its JSON pointer is built only if it is reported. */
interface Step {
  value: unknown;
  parent: Step | null;
  /** The key or index under the parent. */
  key: string;
  level: number;
}

function pointerOf(step: Step): string {
  let path = '';
  for (let s: Step | null = step; s !== null && s.parent !== null; s = s.parent) path = `/${escapePointer(s.key)}${path}`;
  return path;
}

/**
 * NUL and unpaired surrogates in any string or key, wherever it sits, and nesting beyond
 * MAX_REQUEST_NESTING. PostgreSQL can store neither character in text or jsonb, and SQLite stores a lone
 * surrogate as U+FFFD, so two distinct ids would become one: both stores refuse them alike here, before
 * they reach one. A bad key is reported at the object that holds it. The walk keeps its own stack, and stops
 * at the nesting limit, so a body deeper than the call stack costs nothing more than its parse. It runs on
 * every request: building each value's pointer as it went was a third of its cost, so pointers are built
 * only for what is reported.
 */
function walkErrors(data: unknown): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const report = (keyword: string, at: Step, message: string) => errors.push({ keyword, instancePath: pointerOf(at), schemaPath: '#', params: {}, message });
  const stack: Step[] = [{ value: data, parent: null, key: '', level: 1 }];
  while (stack.length > 0 && errors.length < MAX_WALK_ERRORS) {
    const step = stack.pop()!;
    const value = step.value;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) report(TEXT_KEYWORD, step, problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (step.level > MAX_REQUEST_NESTING) {
      report(NESTING_KEYWORD, step, `nests objects and arrays more than ${MAX_REQUEST_NESTING} levels deep, counting from the top of the request`);
      continue;
    }
    const level = step.level + 1;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: step, key: String(i), level });
      continue;
    }
    const keys = Object.keys(value);
    let badKey: string | null = null;
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const problem = textProblem(key);
      if (problem) badKey ??= problem;
      else stack.push({ value: (value as Record<string, unknown>)[key], parent: step, key, level });
    }
    if (badKey) report(TEXT_KEYWORD, step, `has a key that ${badKey}`);
  }
  return errors;
}

/** Enough to show the client the pattern; the response lists at most 100 problems anyway. */
const MAX_WALK_ERRORS = 100;

/** Turns Ajv errors into problems (the one translation, core/schema-problems.ts), marked with the request part. */
export function problemsOf(errors: ErrorObject[], part: string): Problem[] {
  const where: Pick<Problem, 'in'> = part === 'querystring' || part === 'params' || part === 'headers' ? { in: part } : {};
  // Schemas set the depth keyword only through NESTING_LIMIT, so its value is MAX_NESTING.
  const named = errors.map((e) => (e.keyword === MAX_DEPTH_KEYWORD ? { ...e, message: `must not nest objects and arrays more than ${MAX_NESTING} levels deep` } : e));
  return problemsFromSchemaErrors(named).map((problem) => ({ ...problem, ...where }));
}
