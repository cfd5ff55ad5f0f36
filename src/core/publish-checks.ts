/**
 * Publish-time checks: what a marketer should hear before a journey goes live, beyond the structural
 * validation every save runs (validate.ts: branches connected, A/B percentages, templates parse, ...).
 * A journey that reaches here has compiled; these checks look at what it would *do*.
 *
 * Errors refuse the publish; warnings are returned with the published version. Each finding has the JSON
 * pointer of the field it is about, inside the definition.
 *
 * - error: a goal that is the entry event itself (same event, same filters).
 * - error / warning: a send right after a delay that always ends inside DND hours (never sent with
 *   whenInDnd "skip" and no "unreachable" edge: error; otherwise a warning).
 * - warning: a template reading a name other than Profile, Event and EventName (a typo: blank for everyone).
 * - warning: a template naming a profile trait no profile has (only when the known traits are given).
 * - warning: a send on a channel whose address trait no profile has (only when the known traits are given).
 * - warning: a wait for an event that an exiting goal always takes first (its "yes" is never taken).
 * - warning: `setup.endAt` already past at publish time (nobody can enter).
 */
import { DateTime } from 'luxon';
import { Value, toValueSync, type Template } from 'liquidjs';
import type { Channel, Filter, JourneyDefinition, JourneyNode } from './definition.ts';
import { NEXT, UNREACHABLE } from './branches.ts';
import { firstAllowedMoment } from './dnd.ts';
import { minutesOf, WEEKDAYS, type Weekday } from './local-time.ts';
import type { CompiledJourney, Problem } from './validate.ts';
import { parseTemplate, templateGlobals, TEMPLATE_ROOTS } from './templates.ts';

export type { Problem };

type SendNode = Extract<JourneyNode, { kind: 'send' }>;

export interface PublishCheckContext {
  /**
   * Every profile trait name that has ever been set, or null/absent when unknown. The trait checks run
   * only when it is given.
   */
  knownTraits?: ReadonlySet<string> | null;
  /** The moment of publishing (epoch ms), for the `endAt` check; absent: that check is skipped. */
  now?: number;
}

export interface PublishCheckResult {
  /** Refuse the publish. */
  errors: Problem[];
  /** Publish, but tell the marketer. */
  warnings: Problem[];
}

export function publishChecks(journey: CompiledJourney, context: PublishCheckContext = {}): PublishCheckResult {
  const result: PublishCheckResult = { errors: [], warnings: [] };
  const index = new Map(journey.definition.nodes.map((n, i) => [n.id, i]));
  goalIsEntryEvent(journey, result);
  sendsInsideDnd(journey, index, result);
  waitsTakenByGoal(journey, result);
  entryWindowPassed(journey, context.now, result);
  journey.definition.nodes.forEach((node, i) => {
    if (node.kind === 'send') unknownTemplateRoots(node, i, result);
  });
  const known = context.knownTraits;
  if (known) {
    const traits = new Set([...known, ...traitsSetByJourney(journey.definition)]);
    journey.definition.nodes.forEach((node, i) => {
      if (node.kind !== 'send') return;
      missingAddressTrait(node, i, traits, result);
      unknownTemplateTraits(node, i, traits, result);
    });
  }
  return result;
}

// ---------------------------------------------------------------- goals

/**
 * A goal on the entry event with the same filters: every user did it to get in, so it cannot tell those who
 * went on to succeed from the rest (the next time a user does it counts as converting, and exits them).
 */
function goalIsEntryEvent(journey: CompiledJourney, result: PublishCheckResult): void {
  const trigger = journey.entry.trigger as { event?: unknown; where?: Filter[] };
  if (typeof trigger.event !== 'string') return;
  const triggerFilters = filterKey(trigger.where ?? []);
  journey.goals.forEach((goal, i) => {
    if (goal.event !== trigger.event || filterKey(goal.where) !== triggerFilters) return;
    const how = goal.where.length === 0 ? 'with no filters' : 'with the same filters';
    result.errors.push({
      path: `/goals/${i}/event`,
      message: `goal "${goal.id}" is the entry event "${goal.event}" ${how}: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success`,
    });
  });
}

/** Filters as an order-insensitive key: two lists with the same conditions have the same key. */
function filterKey(filters: readonly Filter[]): string {
  return JSON.stringify(filters.map(filterText).sort());
}

function filterText(f: Filter): string {
  return JSON.stringify([f.property, f.op, f.value === undefined ? null : f.value]);
}

/**
 * A wait for an event that an exiting goal always matches: goals are checked before waits, so the user exits
 * and never takes "yes". Only when the first goal that could take the event is an exiting one with no
 * `within` whose filters every waited-for event meets (no filters, or a subset of the wait's own).
 */
function waitsTakenByGoal(journey: CompiledJourney, result: PublishCheckResult): void {
  journey.definition.nodes.forEach((node, i) => {
    if (node.kind !== 'wait') return;
    const waitFilters = new Set((node.where ?? []).map(filterText));
    for (const goal of journey.goals) {
      if (goal.event !== node.event) continue;
      const always = goal.where.every((f) => waitFilters.has(filterText(f)));
      if (!always) {
        if (goal.exitOnGoal) continue; // exits only sometimes; a later goal may still always exit
        return; // a count-only goal may take the event first, and then the user goes on to "yes"
      }
      if (goal.exitOnGoal && goal.withinMs === null) {
        result.warnings.push({
          path: `/nodes/${i}/event`,
          message: `wait "${node.id}" waits for "${node.event}", which is also goal "${goal.id}" (exitOnGoal): the goal is checked first and exits the user, so the "yes" branch is never taken`,
        });
      }
      return;
    }
  });
}

// ---------------------------------------------------------------- DND

/** Monday 1 January 2024, 00:00 UTC: the week whose days stand for every weekday. */
const REFERENCE_MONDAY = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

/**
 * A delay that ends at a fixed local time (`untilTime`, or `untilDate` with a `time`), followed directly by a
 * send, where that time is inside a DND window on every day the delay can end on. Judged only when the delay
 * and DND read the same zone (both "user" or both "journey"): otherwise the two clocks differ per user.
 * Wall-clock times are compared on one representative week (daylight-saving days aside).
 */
function sendsInsideDnd(journey: CompiledJourney, index: Map<string, number>, result: PublishCheckResult): void {
  const dnd = journey.dnd;
  if (!dnd || dnd.windows.length === 0) return;
  for (const [delayId, plan] of journey.delays) {
    if (plan.type === 'duration') continue;
    const time = plan.time;
    if (time === undefined || plan.zone !== dnd.zone) continue;
    const sendId = journey.next.get(delayId)?.get(NEXT);
    const send = sendId === undefined ? undefined : journey.nodes.get(sendId);
    if (send?.kind !== 'send') continue;
    const days: readonly Weekday[] = plan.type === 'time' && plan.days && plan.days.length > 0 ? plan.days : WEEKDAYS;
    const resumes: string[] = [];
    let always = true;
    for (const day of days) {
      const at = REFERENCE_MONDAY + WEEKDAYS.indexOf(day) * DAY_MS + minutesOf(time) * 60_000;
      const allowed = firstAllowedMoment(at, dnd.windows, 'UTC');
      if (allowed === at) {
        always = false;
        break;
      }
      resumes.push(DateTime.fromMillis(allowed, { zone: 'UTC' }).toFormat('HH:mm'));
    }
    if (!always) continue;
    const on = days === WEEKDAYS ? '' : ` on ${days.join(', ')}`;
    const lands = `it comes right after delay "${delayId}", which ends at ${time}${on}, always inside the DND hours`;
    const path = `/nodes/${index.get(send.id)}`;
    if (dnd.whenInDnd === 'skip') {
      if (journey.next.get(send.id)?.has(UNREACHABLE)) {
        result.warnings.push({
          path,
          message: `send "${send.id}" is scheduled inside DND hours and would never be sent: ${lands}, and whenInDnd is "skip", so every user coming from "${delayId}" takes its "unreachable" branch`,
        });
      } else {
        result.errors.push({ path, message: `send "${send.id}" is scheduled inside DND hours and would never be sent: ${lands}, and whenInDnd is "skip"` });
      }
    } else {
      const ends = [...new Set(resumes)].sort().join(' or ');
      result.warnings.push({ path, message: `send "${send.id}" is scheduled inside DND hours: ${lands}, so it will always be deferred to when the window ends (${ends})` });
    }
  }
}

// ---------------------------------------------------------------- known traits

/** Traits the journey writes itself (updateProfile with a value other than null). */
function traitsSetByJourney(definition: JourneyDefinition): string[] {
  return definition.nodes.flatMap((n) => (n.kind === 'updateProfile' ? Object.entries(n.set).filter(([, v]) => v !== null).map(([k]) => k) : []));
}

/** `Profile.<alias>` in templates and the trait it reads (see templateScope in templates.ts). */
const PROFILE_ALIASES: Readonly<Record<string, string>> = { Name: 'name', Email: 'email', Phone: 'phone' };
/** The user id: always there. */
const ALWAYS_SET = new Set(['Identity']);

/**
 * A `Profile.<name>` reference to a trait no profile has: it is blank for every user. A `| default:` does
 * not silence it (the default is what every user would see, rarely the intent), but the message says so.
 * One finding per trait per field, at its first occurrence.
 */
function unknownTemplateTraits(node: SendNode, i: number, known: ReadonlySet<string>, result: PublishCheckResult): void {
  for (const field of ['title', 'subject', 'body'] as const) {
    const text = node.message[field];
    if (text === undefined || !text.includes('{')) continue;
    for (const ref of profileReferences(text)) {
      if (ALWAYS_SET.has(ref.name)) continue;
      const trait = PROFILE_ALIASES[ref.name] ?? ref.name;
      if (known.has(trait)) continue;
      const named = trait === ref.name ? `Profile.${ref.name}` : `Profile.${ref.name} (the "${trait}" trait)`;
      const outcome = ref.defaulted ? 'so every user gets the default' : 'so it is blank for every user';
      result.warnings.push({
        path: `/nodes/${i}/message/${field}`,
        message: `${named} at line ${ref.row}, column ${ref.col}: no profile has a "${trait}" trait, ${outcome}`,
      });
    }
  }
}

interface ProfileReference {
  name: string;
  row: number;
  col: number;
  /** Every use of it in this template goes through a `default` filter. */
  defaulted: boolean;
}

function profileReferences(text: string): ProfileReference[] {
  const templates = parsed(text);
  if (!templates) return [];
  const defaulted = new Set<string>();
  collectDefaulted(templates, defaulted);
  const byName = new Map<string, ProfileReference>();
  for (const variable of templateGlobals(templates).Profile ?? []) {
    const name = variable.segments[1];
    if (typeof name !== 'string') continue; // Profile alone, Profile[0] or Profile[some.variable]: not a name
    const { row, col } = variable.location;
    const isDefaulted = defaulted.has(`${row}:${col}`);
    const seen = byName.get(name);
    if (seen) seen.defaulted &&= isDefaulted;
    else byName.set(name, { name, row, col, defaulted: isDefaulted });
  }
  return [...byName.values()];
}

function parsed(text: string): Template[] | null {
  try {
    return parseTemplate(text);
  } catch {
    return null; // validation reports it
  }
}

// ---------------------------------------------------------------- template roots

/**
 * A name a template reads other than Profile, Event and EventName (`Profil.Name`, `event.total`): nothing
 * provides it, so it is blank for every user. One finding per name per field, at its first occurrence.
 */
function unknownTemplateRoots(node: SendNode, i: number, result: PublishCheckResult): void {
  for (const field of ['title', 'subject', 'body'] as const) {
    const text = node.message[field];
    if (text === undefined || !text.includes('{')) continue;
    const templates = parsed(text);
    if (!templates) continue;
    for (const [root, uses] of Object.entries(templateGlobals(templates))) {
      if (TEMPLATE_ROOTS.includes(root) || uses.length === 0) continue;
      const { row, col } = uses[0]!.location;
      const guess = likelyRoot(root);
      result.warnings.push({
        path: `/nodes/${i}/message/${field}`,
        message: `${uses[0]!.toString()} at line ${row}, column ${col}: a template can read only Profile, Event and EventName, so "${root}" is blank for every user${guess ? ` (did you mean ${guess}?)` : ''}`,
      });
    }
  }
}

/** The root a misspelt one was probably meant to be: the same but for case, or one or two letters off. */
function likelyRoot(name: string): string | undefined {
  return TEMPLATE_ROOTS.find((r) => r.toLowerCase() === name.toLowerCase()) ?? TEMPLATE_ROOTS.find((r) => editDistance(r, name) <= 2);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** Positions of the variables that a `default` filter applies to: the value before the filters. */
function collectDefaulted(templates: Template[], into: Set<string>): void {
  for (const template of templates) {
    for (const arg of template.arguments?.() ?? []) {
      if (!(arg instanceof Value) || !arg.filters.some((f) => f.name === 'default')) continue;
      for (const token of arg.initial.postfix) {
        const [row, col] = token.getPosition();
        into.add(`${row}:${col}`);
      }
    }
    if (template.children) collectDefaulted(toValueSync(template.children(false, true)) as Template[], into);
  }
}

/** The trait each channel sends to (as the interpreter's address check), and the message's name. */
const ADDRESS: Readonly<Record<Channel, { trait: string; what: string } | null>> = {
  push: { trait: 'pushToken', what: 'a push message' },
  sms: { trait: 'phone', what: 'an SMS' },
  email: { trait: 'email', what: 'an email' },
  webhook: null,
};

/** A send whose channel needs an address trait that no profile has: every user is skipped there. */
function missingAddressTrait(node: SendNode, i: number, known: ReadonlySet<string>, result: PublishCheckResult): void {
  const address = ADDRESS[node.channel];
  if (address === null || known.has(address.trait)) return;
  result.warnings.push({
    path: `/nodes/${i}/channel`,
    message: `send "${node.id}" is ${address.what}, but no profile has a "${address.trait}" trait: it would be skipped for every user`,
  });
}

// ---------------------------------------------------------------- setup

function entryWindowPassed(journey: CompiledJourney, now: number | undefined, result: PublishCheckResult): void {
  if (now === undefined || journey.endAt === null || journey.endAt > now) return;
  result.warnings.push({
    path: '/setup/endAt',
    message: `endAt (${journey.definition.setup?.endAt}) has already passed: nobody can enter this version`,
  });
}
