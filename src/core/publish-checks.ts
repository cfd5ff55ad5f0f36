/**
 * Publish-time checks: what a marketer should hear before a journey goes live, beyond the structural
 * validation every save runs (validate.ts: branches connected, A/B percentages, templates parse, ...).
 * A journey that reaches here has compiled; these checks look at what it would *do*.
 *
 * Errors refuse the publish; warnings are returned with the published version. Each finding has the JSON
 * pointer of the field it is about, inside the definition.
 *
 * Here, about the journey as a whole:
 * - error: a goal that is the entry event itself (same event, same filters).
 * - warning: a template reading a name other than Profile, Event and EventName (a typo: blank for everyone).
 * - warning: a template naming a profile trait no profile has (only when the known traits are given).
 * - warning: `setup.endAt` already past at publish time (nobody can enter).
 * And each node kind's own (`publishChecks` in src/core/nodes), e.g.:
 * - delay: a send right after it that always lands inside DND hours (never sent with whenInDnd "skip" and no
 *   "unreachable" edge: error; otherwise a warning).
 * - send: a channel whose address trait no profile has (only when the known traits are given).
 * - wait: an event that an exiting goal always takes first (its "yes" is never taken).
 */
import type { Template } from 'liquidjs';
import type { CompiledJourney } from './compile.ts';
import type { Filter, JourneyDefinition, JourneyNode } from './definition.ts';
import { filterText } from './filters.ts';
import { specOf } from './nodes/index.ts';
import type { Problem } from './problem.ts';
import { collectDefaulted, parseTemplate, templateGlobals, TEMPLATE_ROOTS } from './templates.ts';

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

export function publishChecks(journey: CompiledJourney, { knownTraits, now }: PublishCheckContext = {}): PublishCheckResult {
  const result: PublishCheckResult = { errors: [], warnings: [] };
  const index = new Map(journey.definition.nodes.map((n, i) => [n.id, i]));
  goalIsEntryEvent(journey, result);
  const known = knownTraits ? new Set([...knownTraits, ...traitsSetByJourney(journey.definition)]) : null;
  // Each kind's own findings (a send after a delay that always ends in DND, a wait a goal always pre-empts),
  // the journey's timeline, then what each send would reach (its channel's address, its templates' traits).
  const context = { knownTraits: known, index };
  for (const node of journey.definition.nodes) if (node.kind !== 'send') specOf(node).publishChecks?.(node, journey, context, result);
  entryWindowPassed(journey, now, result);
  journey.definition.nodes.forEach((node, i) => {
    if (node.kind !== 'send') return;
    unknownTemplateRoots(node, i, result);
    specOf(node).publishChecks?.(node, journey, context, result);
    if (known) unknownTemplateTraits(node, i, known, result);
  });
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


// ---------------------------------------------------------------- setup

function entryWindowPassed(journey: CompiledJourney, now: number | undefined, result: PublishCheckResult): void {
  if (now === undefined || journey.endAt === null || journey.endAt > now) return;
  result.warnings.push({
    path: '/setup/endAt',
    message: `endAt (${journey.definition.setup?.endAt}) has already passed: nobody can enter this version`,
  });
}
