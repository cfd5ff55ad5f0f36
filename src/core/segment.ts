/**
 * The segment language of Waymark: one kind of condition on one user, for scheduled entries, splits and
 * goals. Pure functions: no clock (the caller passes `now`), no store (the caller passes the user's traits,
 * events and message outcomes; `eventNeeds` says which events to load).
 *
 * What a condition means:
 *  - `profile`: every filter of `where` holds on the user's traits (filters.ts; no traits, no profile: only
 *    `!=` and `exists: false` hold).
 *  - `event`: the *matching events* are the user's events named `event`, whose properties match every filter
 *    of `where`, and whose timestamp is inside the window:
 *      no `within`:               every event up to now (timestamp <= now);
 *      `within: { last }`:        (now - last, now]: after now - last, up to and including now;
 *      `within: { from?, to? }`:  [from, to), and never after now; a missing end is open.
 *    Events later than `now` never count: a condition is judged as of `now`, whatever the store already holds,
 *    so a late or replayed evaluation answers what it would have answered on time.
 *    With `did: true` (the default) the condition holds when the number of matching events passes `count`
 *    (default: at least 1; `{ "op": "<", "value": 3 }` includes users who never did it). With `did: false` it
 *    holds when there is no matching event. `did: false` with a `count` is refused by validation (it reads
 *    both ways); evaluated anyway, it is the negation of the count.
 *  - `message`: only inside a journey, on the outcomes of the send nodes in the user's current pass. It holds
 *    when the node `node` has an outcome `outcome` at or before now. With `within`, for 'failed' and 'clicked',
 *    the outcome must have come at most `within` after the message was sent: the outcome's own `sentAt`, or
 *    else the latest 'sent' outcome of the same node at or before it (without either it does not hold). For
 *    'sent' and 'unreachable', `within` is ignored. Outside a journey there are no outcomes: it never holds.
 *  - `all`: every condition of `of` holds (an empty list would hold; validation refuses it).
 *    `any`: at least one holds (an empty list would not). `not`: `of` does not hold.
 *
 * Groups nest at most MAX_GROUP_DEPTH deep (segment-schema.ts says why the bound); the schema,
 * `conditionSchemaProblems` and `conditionProblems` enforce it; evaluation does not depend on it.
 * Validating a condition: `conditionSchemaProblems` (its shape), then, once that is empty,
 * `conditionProblems` (what the schema cannot say) and `messageNodes` (for the caller to check).
 */
import { parseDuration } from './duration.ts';
import { filterProblems, matchesAll } from './filters.ts';
import { assertNever } from './never.ts';
import { MAX_GROUP_DEPTH, conditionSchemaProblems, type Condition, type EventCondition, type EventCount, type EventWindow, type LeafCondition, type MessageCondition, type MessageOutcome } from './segment-schema.ts';
import type { Problem } from './problem.ts';

export * from './segment-schema.ts';

/** One stored event of the user. */
export interface UserEvent {
  name: string;
  /** Epoch milliseconds. */
  timestamp: number;
  properties: Record<string, unknown>;
}

/** One outcome of a send node in the user's current journey pass. */
export interface MessageRecord {
  nodeId: string;
  outcome: MessageOutcome;
  /** When the outcome happened, epoch milliseconds. */
  at: number;
  /** When the message was sent (or first attempted), if known: `within` is measured from it. */
  sentAt?: number;
}

/** What a condition is evaluated against: one user, at one instant. */
export interface ConditionContext {
  /** The instant of evaluation, epoch milliseconds. Nothing later counts. */
  now: number;
  traits: Record<string, unknown>;
  /** The user's events, in any order; at least those `eventNeeds` asks for. */
  events: readonly UserEvent[];
  /** Outcomes of the current journey pass; absent outside a journey. */
  messages?: readonly MessageRecord[];
}

export type CompiledCondition = (ctx: ConditionContext) => boolean;

// ---------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------

/**
 * Turns a condition into a function of one user, with every duration and date parsed once: compile once,
 * then call it for each user of a page. Throws on a date or duration that does not parse (run
 * `conditionProblems` first).
 */
export function compileCondition(condition: Condition): CompiledCondition {
  switch (condition.type) {
    case 'profile': {
      const where = condition.where;
      return (ctx) => matchesAll(where, ctx.traits);
    }
    case 'event':
      return compileEvent(condition);
    case 'message':
      return compileMessage(condition);
    case 'all': {
      const parts = condition.of.map(compileCondition);
      return (ctx) => {
        for (const part of parts) if (!part(ctx)) return false;
        return true;
      };
    }
    case 'any': {
      const parts = condition.of.map(compileCondition);
      return (ctx) => {
        for (const part of parts) if (part(ctx)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileCondition(condition.of);
      return (ctx) => !inner(ctx);
    }
    default:
      return assertNever(condition);
  }
}

const compiled = new WeakMap<Condition, CompiledCondition>();

/**
 * Whether the condition holds for one user at `ctx.now`. Compiles the condition on first use and keeps it
 * for as long as the condition object lives (so conditions must not be mutated after their first evaluation).
 */
export function evaluate(condition: Condition, ctx: ConditionContext): boolean {
  let test = compiled.get(condition);
  if (!test) {
    test = compileCondition(condition);
    compiled.set(condition, test);
  }
  return test(ctx);
}

/** A window, parsed: which timestamps count, given now. */
type Window = { kind: 'all' } | { kind: 'last'; ms: number } | { kind: 'between'; from: number; to: number };

function parseWindow(within: EventWindow | undefined): Window {
  if (within === undefined) return { kind: 'all' };
  if ('last' in within) return { kind: 'last', ms: parseDuration(within.last) };
  return { kind: 'between', from: instantOrThrow(within.from, -Infinity), to: instantOrThrow(within.to, Infinity) };
}

function instantOrThrow(text: string | undefined, open: number): number {
  if (text === undefined) return open;
  const ms = parseInstant(text);
  if (ms === null) throw new Error(`not an RFC 3339 date-time with a zone: "${text}"`);
  return ms;
}

function countTest(count: EventCount | undefined): { holds: (n: number) => boolean; enough: number } {
  if (count === undefined) return { holds: (n) => n >= 1, enough: 1 };
  const v = count.value;
  // Past v + 1 matching events every operator's answer is settled: counting stops there.
  const enough = v + 1;
  switch (count.op) {
    case '>=':
      return { holds: (n) => n >= v, enough };
    case '>':
      return { holds: (n) => n > v, enough };
    case '=':
      return { holds: (n) => n === v, enough };
    case '<':
      return { holds: (n) => n < v, enough };
    case '<=':
      return { holds: (n) => n <= v, enough };
    default:
      return assertNever(count.op);
  }
}

function compileEvent(condition: EventCondition): CompiledCondition {
  const name = condition.event;
  const where = condition.where ?? [];
  const window = parseWindow(condition.within);
  const { holds, enough } = countTest(condition.count);
  const did = condition.did ?? true;
  return (ctx) => {
    const now = ctx.now;
    // The window as bounds: lower (exclusive when `lowerOpen`), upper (exclusive when `upperOpen`).
    let lower = -Infinity;
    let lowerOpen = false;
    let upper = now;
    let upperOpen = false;
    if (window.kind === 'last') {
      lower = now - window.ms;
      lowerOpen = true;
    } else if (window.kind === 'between') {
      lower = window.from;
      if (window.to <= now) {
        upper = window.to;
        upperOpen = true;
      }
    }
    let n = 0;
    for (const e of ctx.events) {
      if (e.name !== name) continue;
      const t = e.timestamp;
      if (lowerOpen ? !(t > lower) : !(t >= lower)) continue;
      if (upperOpen ? !(t < upper) : !(t <= upper)) continue;
      if (where.length > 0 && !matchesAll(where, e.properties)) continue;
      if (++n >= enough) break;
    }
    return did ? holds(n) : !holds(n);
  };
}

function compileMessage(condition: MessageCondition): CompiledCondition {
  const { node, outcome } = condition;
  const withinMs = condition.within !== undefined && (outcome === 'failed' || outcome === 'clicked') ? parseDuration(condition.within) : null;
  return (ctx) => {
    const records = ctx.messages;
    if (!records) return false;
    for (const r of records) {
      if (r.nodeId !== node || r.outcome !== outcome || !(r.at <= ctx.now)) continue;
      if (withinMs === null) return true;
      const sentAt = r.sentAt ?? latestSend(records, node, r.at);
      if (sentAt !== undefined && r.at - sentAt <= withinMs) return true;
    }
    return false;
  };
}

/** The latest 'sent' outcome of `node` at or before `at`. */
function latestSend(records: readonly MessageRecord[], node: string, at: number): number | undefined {
  let latest: number | undefined;
  for (const r of records) {
    if (r.nodeId === node && r.outcome === 'sent' && r.at <= at && (latest === undefined || r.at > latest)) latest = r.at;
  }
  return latest;
}

// ---------------------------------------------------------------------------------------------------------
// What a store must load
// ---------------------------------------------------------------------------------------------------------

/** Events of one name at or after `since` (epoch ms; null: all history). */
export interface EventRange {
  name: string;
  since: number | null;
}

export interface EventNeeds {
  /** The event names the condition looks at, in order of first appearance; empty: load no events. */
  names: string[];
  /** Load events with a timestamp at or after this (epoch ms); null: all history. Never later than `now`. */
  since: number | null;
  /**
   * The same per name, in the order of `names`: each name's earliest window. A segment of "viewed in the last
   * 7 days, not charged in the last 30" reads a week of views, not a month of both (at a million profiles, 30%
   * of the rows the union reads: bench/RESULTS.md).
   */
  ranges: EventRange[];
}

/**
 * Which events evaluating the condition at `now` needs: events with these names, from `since` up to `now`
 * (later ones never count). Negated conditions need their events too. Throws like `compileCondition`.
 */
export function eventNeeds(condition: Condition, now: number): EventNeeds {
  const leaves: EventRange[] = [];
  forEachLeaf(condition, '', (leaf) => {
    if (leaf.type !== 'event') return;
    const window = parseWindow(leaf.within);
    const from = window.kind === 'last' ? now - window.ms : window.kind === 'between' ? window.from : -Infinity;
    leaves.push({ name: leaf.event, since: from === -Infinity ? null : Math.min(now, from) });
  });
  const ranges = earliestByName(leaves);
  const since = ranges.length === 0 ? null : ranges.map((r) => r.since).reduce(earlierSince);
  return { names: ranges.map((r) => r.name), since, ranges };
}

/** The earlier of two starts of a range; null (all history) is earlier than any timestamp. */
export function earlierSince(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.min(a, b);
}

/** One range per name, the earliest asked for (names in order of first appearance): no event is read twice. */
export function earliestByName(ranges: readonly EventRange[]): EventRange[] {
  const since = new Map<string, number | null>();
  for (const r of ranges) since.set(r.name, since.has(r.name) ? earlierSince(since.get(r.name)!, r.since) : r.since);
  return [...since].map(([name, s]) => ({ name, since: s }));
}

/** True when the condition looks at events (a store must load them). */
export function usesEvents(condition: Condition): boolean {
  return someLeaf(condition, (leaf) => leaf.type === 'event');
}

/** True when the condition looks at message outcomes (so it has a meaning only inside a journey). */
export function usesMessages(condition: Condition): boolean {
  return someLeaf(condition, (leaf) => leaf.type === 'message');
}

/** True when the condition looks at profile traits. */
export function usesTraits(condition: Condition): boolean {
  return someLeaf(condition, (leaf) => leaf.type === 'profile');
}

// ---------------------------------------------------------------------------------------------------------
// Validation beyond the schema
// ---------------------------------------------------------------------------------------------------------

export interface ConditionOptions {
  /** Whether `message` conditions are allowed: inside a journey (splits, goals) yes; scheduled entries no. */
  allowMessages: boolean;
}

/** Shape first, then meaning: the condition's problems, and whether it is usable (no problem at all). */
export function segmentConditionProblems(condition: Condition, path: string, allowMessages: boolean): { problems: Problem[]; usable: boolean } {
  const shape = conditionSchemaProblems(condition, path);
  if (shape.length > 0) return { problems: shape, usable: false };
  const problems = conditionProblems(condition, path, { allowMessages });
  return { problems, usable: problems.length === 0 };
}

/**
 * What the schema cannot say, each problem with the JSON pointer of its field under `path` (the condition's
 * own pointer): filter value shapes, `did: false` with a count, counts that always or never hold, dates that
 * do not parse, empty windows, empty groups, nesting deeper than MAX_GROUP_DEPTH, and message conditions where
 * they are not allowed. Which send nodes message conditions name is the caller's to check (`messageNodes`).
 */
export function conditionProblems(condition: Condition, path: string, options: ConditionOptions): Problem[] {
  const problems: Problem[] = [];
  const visit = (c: Condition, at: string, depth: number): void => {
    switch (c.type) {
      case 'profile':
        if (c.where.length === 0) problems.push({ path: `${at}/where`, message: 'a profile condition needs at least one filter' });
        problems.push(...filterProblems(c.where, `${at}/where`));
        return;
      case 'event':
        eventProblems(c, at, problems);
        return;
      case 'message':
        if (!options.allowMessages) problems.push({ path: at, message: 'message conditions are only allowed inside a journey (splits and goals)' });
        if (c.within !== undefined && !isDuration(c.within)) problems.push({ path: `${at}/within`, message: `not a duration: "${c.within}"` });
        return;
      case 'all':
      case 'any':
      case 'not':
        if (depth >= MAX_GROUP_DEPTH) {
          problems.push({ path: at, message: `groups (all, any, not) nest at most ${MAX_GROUP_DEPTH} deep` });
          return;
        }
        if (c.type === 'not') {
          visit(c.of, `${at}/of`, depth + 1);
          return;
        }
        if (c.of.length === 0) problems.push({ path: `${at}/of`, message: `an "${c.type}" group needs at least one condition` });
        c.of.forEach((child, i) => visit(child, `${at}/of/${i}`, depth + 1));
        return;
      default:
        assertNever(c);
    }
  };
  visit(condition, path, 0);
  return problems;
}

function eventProblems(c: EventCondition, at: string, problems: Problem[]): void {
  problems.push(...filterProblems(c.where, `${at}/where`));
  const count = c.count;
  if (count !== undefined) {
    if (c.did === false) {
      problems.push({
        path: `${at}/count`,
        message: '"did": false means no matching event at all and takes no count; for "fewer than N times" use "did": true with {"op": "<", "value": N}',
      });
    } else if (count.op === '<' && count.value === 0) {
      problems.push({ path: `${at}/count`, message: 'fewer than 0 times never holds' });
    } else if (count.op === '>=' && count.value === 0) {
      problems.push({ path: `${at}/count`, message: '0 times or more always holds' });
    }
  }
  const within = c.within;
  if (within === undefined) return;
  if ('last' in within) {
    if (!isDuration(within.last)) problems.push({ path: `${at}/within/last`, message: `not a duration: "${within.last}"` });
    return;
  }
  if (within.from === undefined && within.to === undefined) {
    problems.push({ path: `${at}/within`, message: 'a window needs "last", or "from" and/or "to"' });
    return;
  }
  const from = within.from === undefined ? undefined : parseInstant(within.from);
  const to = within.to === undefined ? undefined : parseInstant(within.to);
  const notInstant = 'not an RFC 3339 date-time with a zone, e.g. "2026-11-02T15:00:00Z"';
  if (from === null) problems.push({ path: `${at}/within/from`, message: notInstant });
  if (to === null) problems.push({ path: `${at}/within/to`, message: notInstant });
  if (typeof from === 'number' && typeof to === 'number' && from >= to) {
    problems.push({ path: `${at}/within`, message: '"from" must be before "to" ("to" is excluded): the window is empty' });
  }
}

function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** The send nodes that message conditions name, each with the pointer of its `node` field under `path`. */
export function messageNodes(condition: Condition, path = ''): Array<{ nodeId: string; path: string }> {
  const found: Array<{ nodeId: string; path: string }> = [];
  forEachLeaf(condition, path, (leaf, at) => {
    if (leaf.type === 'message') found.push({ nodeId: leaf.node, path: `${at}/node` });
  });
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

function forEachLeaf(condition: Condition, path: string, visit: (leaf: LeafCondition, path: string) => void): void {
  switch (condition.type) {
    case 'all':
    case 'any':
      condition.of.forEach((child, i) => forEachLeaf(child, `${path}/of/${i}`, visit));
      return;
    case 'not':
      forEachLeaf(condition.of, `${path}/of`, visit);
      return;
    default:
      visit(condition, path);
  }
}

function someLeaf(condition: Condition, test: (leaf: LeafCondition) => boolean): boolean {
  switch (condition.type) {
    case 'all':
    case 'any':
      return condition.of.some((child) => someLeaf(child, test));
    case 'not':
      return someLeaf(condition.of, test);
    default:
      return test(condition);
  }
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 date-time with a zone ("2026-11-02T15:00:00Z", "2026-11-02T16:00:00.5+01:00") as epoch
 * milliseconds, or null. Stricter than Date.parse, which rolls "02-30" over into March and reads zoneless
 * times in the server's zone; no leap second, no "[zone]" suffix.
 */
export function parseInstant(text: string): number | null {
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
