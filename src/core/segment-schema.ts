/**
 * The schema of Waymark's segment language: one TypeBox schema gives the TypeScript types, the runtime
 * validation and the API docs of every condition on one user (scheduled entries, splits, goals). What each
 * condition means, exactly, is written in segment.ts, next to the code that evaluates it.
 *
 * Nesting is bounded: groups (`all`, `any`, `not`) nest at most MAX_GROUP_DEPTH deep. The schema is built
 * from that many non-recursive layers, not with `Type.Cyclic`, because a cyclic schema
 *  - carries `$defs` with an `$id`: a document holding two conditions holds that `$id` twice, which Ajv refuses
 *    and JSON Schema leaves undefined;
 *  - reports errors with schema paths that restart at each `$ref`, which breaks the narrowing of union
 *    errors in validate.ts (it matches errors to their union by schema path);
 *  - loses its TypeScript type after two levels (TypeBox's Static gives `any` deeper).
 * Layers have none of these problems. Their cost is size: each layer holds the leaf conditions and the layer
 * below it twice (in `all`/`any` and in `not`), so the schema doubles per level. To keep it small, `all` and
 * `any` share one object schema, and only the outermost layer carries descriptions (the inner layers are
 * the same schemas without them): about 100 kB of JSON at depth 4.
 *
 * This module imports no schema from definition.ts, so that definition.ts can embed `Condition` without an
 * import cycle (ES modules would see uninitialized bindings). `Filter` and `Duration` here are equal to
 * definition.ts's own (a test checks it); definition.ts may import them from here instead.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { DURATION_PATTERN } from './duration.ts';
import type { Problem } from './problem.ts';
import { allErrors, problemsFromSchemaErrors } from './schema-problems.ts';

/** How deep groups may nest: `all` > `any` > `not` > `all` > a profile, event or message condition is the deepest allowed. */
export const MAX_GROUP_DEPTH = 4;

/** The `description` option, on the outermost layer only. */
function doc(describe: boolean, description: string): { description?: string } {
  return describe ? { description } : {};
}

function filterSchema(describe: boolean) {
  const scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]);
  return Type.Object(
    {
      property: Type.String({ minLength: 1, maxLength: 200, ...doc(describe, 'A top-level event property or profile trait') }),
      op: Type.Union([
        Type.Literal('='),
        Type.Literal('!='),
        Type.Literal('<'),
        Type.Literal('<='),
        Type.Literal('>'),
        Type.Literal('>='),
        Type.Literal('contains'),
        Type.Literal('in'),
        Type.Literal('exists'),
      ]),
      value: Type.Optional(Type.Union([scalar, Type.Array(scalar, { maxItems: 1000 })])),
    },
    {
      additionalProperties: false,
      ...doc(describe, 'A condition on one property; no type coercion. "!=" holds when the property is missing; every other op but "exists" needs it present.'),
    },
  );
}

function durationSchema(describe: boolean, description = 'e.g. "500ms", "90s", "2m", "2h", "1d"') {
  return Type.String({ pattern: DURATION_PATTERN, ...doc(describe, description) });
}

/** The filter of filters.ts, equal to definition.ts's `Filter`. */
export const Filter = filterSchema(true);
/** Equal to definition.ts's `Duration`. */
export const Duration = durationSchema(true);

/** The profile, event and message conditions: the leaves of a condition tree. */
function leafSchemas(describe: boolean) {
  const filters = (description: string, minItems: number) => Type.Array(filterSchema(describe), { minItems, maxItems: 50, ...doc(describe, description) });

  const profile = Type.Object(
    { type: Type.Literal('profile'), where: filters('All must hold (AND) on the profile traits', 1) },
    { additionalProperties: false, ...doc(describe, "The user's profile traits, as they are when the condition is evaluated, match every filter.") },
  );

  const instant = (description: string) =>
    Type.String({ format: 'date-time', maxLength: 64, ...doc(describe, `${description}: an RFC 3339 date-time with a zone, e.g. "2026-11-02T15:00:00Z"`) });
  const count = Type.Object(
    {
      op: Type.Union([Type.Literal('>='), Type.Literal('>'), Type.Literal('='), Type.Literal('<'), Type.Literal('<=')]),
      value: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false, ...doc(describe, 'How many matching events: {"op": ">=", "value": 3} is "3 times or more". Default: at least once.') },
  );
  const relative = Type.Object(
    { last: durationSchema(describe) },
    { additionalProperties: false, ...doc(describe, 'The last `last` before evaluation: after now - last, up to and including now.') },
  );
  const absolute = Type.Object(
    { from: Type.Optional(instant('Included')), to: Type.Optional(instant('Excluded')) },
    { additionalProperties: false, minProperties: 1, ...doc(describe, 'From `from` (included) to `to` (excluded); either end may be left open. Never later than now.') },
  );
  const event = Type.Object(
    {
      type: Type.Literal('event'),
      event: Type.String({ minLength: 1, maxLength: 200 }),
      did: Type.Optional(Type.Boolean({ default: true, ...doc(describe, 'false: the user did not do it: no matching event at all (takes no `count`)') })),
      where: Type.Optional(filters('All must hold (AND) on the event properties', 0)),
      count: Type.Optional(count),
      within: Type.Optional(Type.Union([relative, absolute], doc(describe, 'Which events count by their timestamp. Default: all history up to now.'))),
    },
    {
      additionalProperties: false,
      ...doc(describe, 'The user did `event` (`count` times, default at least once), or with did: false never did it, counting only events whose properties match `where` and whose timestamp is inside `within`.'),
    },
  );

  const message = Type.Object(
    {
      type: Type.Literal('message'),
      node: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', ...doc(describe, 'The id of an earlier send node of the same journey') }),
      outcome: Type.Union([Type.Literal('sent'), Type.Literal('unreachable'), Type.Literal('failed'), Type.Literal('clicked')]),
      within: Type.Optional(
        durationSchema(describe, "For 'failed' and 'clicked': at most this long after the message was sent. Ignored for 'sent' and 'unreachable'."),
      ),
    },
    { additionalProperties: false, ...doc(describe, "In a journey only: the message of a send node, in the user's current pass through the journey, had this outcome.") },
  );
  return { profile, event, message };
}

const described = leafSchemas(true);
export const ProfileCondition = described.profile;
export type ProfileCondition = Static<typeof ProfileCondition>;
export const EventCondition = described.event;
export type EventCondition = Static<typeof EventCondition>;
export type EventCount = NonNullable<EventCondition['count']>;
export type EventWindow = NonNullable<EventCondition['within']>;
export const MessageCondition = described.message;
export type MessageCondition = Static<typeof MessageCondition>;
export type MessageOutcome = MessageCondition['outcome'];

const lean = leafSchemas(false);

/** One layer of nesting: a leaf condition, or a group of conditions of the layer below. */
function layer<Inner extends TSchema>(inner: Inner, describe: boolean) {
  const leaves = describe ? described : lean;
  return Type.Union(
    [
      leaves.profile,
      leaves.event,
      leaves.message,
      Type.Object(
        { type: Type.Union([Type.Literal('all'), Type.Literal('any')]), of: Type.Array(inner, { minItems: 1, maxItems: 50 }) },
        { additionalProperties: false, ...doc(describe, '"all": every condition in `of` holds (AND); "any": at least one does (OR).') },
      ),
      Type.Object({ type: Type.Literal('not'), of: inner }, { additionalProperties: false, ...doc(describe, 'The condition in `of` does not hold.') }),
    ],
    doc(describe, `A condition on one user: profile traits, past events, earlier messages of the journey, or a group of conditions. Groups nest at most ${MAX_GROUP_DEPTH} deep.`),
  );
}

const leaf = Type.Union([lean.profile, lean.event, lean.message]);

/**
 * A condition on one user. The schema (and its type) allows MAX_GROUP_DEPTH levels of groups; the
 * `Condition` type below is the recursive one that code works with.
 */
export const Condition = layer(layer(layer(layer(leaf, false), false), false), true);

export interface AllCondition {
  type: 'all';
  of: Condition[];
}
export interface AnyCondition {
  type: 'any';
  of: Condition[];
}
export interface NotCondition {
  type: 'not';
  of: Condition;
}
export type LeafCondition = ProfileCondition | EventCondition | MessageCondition;
export type GroupCondition = AllCondition | AnyCondition | NotCondition;
/** Any condition, nested to any depth (validation bounds the depth; see MAX_GROUP_DEPTH). */
export type Condition = LeafCondition | GroupCondition;

// ---------------------------------------------------------------------------------------------------------
// Schema problems, readable
// ---------------------------------------------------------------------------------------------------------

export type { Problem };

// Compiled on first use: modules that only evaluate conditions do not pay for it.
function compileCheckers() {
  return { condition: Compile(Condition), profile: Compile(ProfileCondition), event: Compile(EventCondition), message: Compile(MessageCondition) };
}
let checkers: ReturnType<typeof compileCheckers> | undefined;
function compiled(): ReturnType<typeof compileCheckers> {
  checkers ??= compileCheckers();
  return checkers;
}
const KINDS = ['profile', 'event', 'message', 'all', 'any', 'not'];

/**
 * What the schema says is wrong with a condition, each problem at the JSON pointer of its field under `path`.
 * Empty exactly when `Compile(Condition).Check(value)` holds. Use this rather than the compiled checker's raw
 * errors: a value that fails a union fails every branch of it, so a mistake deep in a condition comes out as
 * dozens of errors about every other kind of condition (and TypeBox stops after 8, before the useful ones).
 * Here groups are walked by their `type`, each leaf is checked against its own schema, and a union in a
 * leaf is reduced to its allowed values or to the branch the value comes closest to.
 */
export function conditionSchemaProblems(value: unknown, path = ''): Problem[] {
  if (compiled().condition.Check(value)) return [];
  const problems: Problem[] = [];
  visit(value, path, 0, problems);
  return problems;
}

function visit(value: unknown, path: string, depth: number, problems: Problem[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path, message: `must be a condition: an object whose "type" is one of ${KINDS.map((k) => `"${k}"`).join(', ')}` });
    return;
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (type === 'profile' || type === 'event' || type === 'message') {
    problems.push(...problemsFromSchemaErrors(allErrors(compiled()[type], value), path));
    return;
  }
  if (type !== 'all' && type !== 'any' && type !== 'not') {
    problems.push(type === undefined ? { path, message: 'missing required field type' } : { path: `${path}/type`, message: `must be one of ${KINDS.map((k) => `"${k}"`).join(', ')}` });
    return;
  }
  if (depth >= MAX_GROUP_DEPTH) {
    problems.push({ path, message: `groups (all, any, not) nest at most ${MAX_GROUP_DEPTH} deep` });
    return;
  }
  const unknown = Object.keys(record).filter((key) => key !== 'type' && key !== 'of');
  if (unknown.length > 0) problems.push({ path, message: `unknown field ${unknown.join(', ')}` });
  if (!('of' in record)) {
    problems.push({ path, message: 'missing required field of' });
    return;
  }
  const of = record.of;
  if (type === 'not') {
    visit(of, `${path}/of`, depth + 1, problems);
  } else if (!Array.isArray(of)) {
    problems.push({ path: `${path}/of`, message: 'must be a list of conditions' });
  } else if (of.length === 0 || of.length > 50) {
    problems.push({ path: `${path}/of`, message: `an "${type}" group needs 1 to 50 conditions` });
  } else {
    of.forEach((child, i) => visit(child, `${path}/of/${i}`, depth + 1, problems));
  }
}
