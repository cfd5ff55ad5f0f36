/**
 * The compiled journey: a definition that passed validation, pre-digested for the interpreter (edges indexed
 * by branch, durations in ms, each node's plan made once by its kind). Made once per journey version.
 */
import { branchOf } from './branches.ts';
import type { JourneyDefinition, Edge, Filter, Trigger } from './definition.ts';
import type { DndWindow } from './dnd.ts';
import { parseDuration } from './duration.ts';
import { specOf, type JourneyNode } from './nodes/index.ts';
import { usesMessages } from './segment.ts';

/**
 * The name of the internal event a scheduled entry (segment or date property) starts a user with. Its
 * properties say which journey (`journeyId`), which run (`runAt`), and when to enter (`at`).
 */
export const ENTER_EVENT = '$enter';

export interface CompiledGoal {
  id: string;
  event: string;
  where: Filter[];
  exitOnGoal: boolean;
  /** The conversion window from entry, or null for the whole journey. */
  withinMs: number | null;
}

export interface CompiledJourney {
  definition: JourneyDefinition;
  /** `event` is the name of the event that starts it: the trigger's, or ENTER_EVENT for a scheduled entry. */
  entry: { id: string; trigger: Trigger; withinMs: number; event: string };
  nodes: Map<string, JourneyNode>;
  /** Each node's plan, made by its kind (`NodeSpec.plan`) and handed to its steps. */
  plans: Map<string, unknown>;
  /** Per node, per branch label: the node that edge leads to. */
  next: Map<string, Map<string, string>>;
  /** Whether a split asks about message outcomes: only then does an instance keep a record of its sends. */
  readsOutcomes: boolean;
  /** In definition order: the first that matches an event is the one that counts. */
  goals: CompiledGoal[];
  timeoutMs: number | null;
  controlGroupPercent: number;
  reentry: 'never' | 'afterExit';
  reentryCooldownMs: number | null;
  ignoreFrequencyCaps: boolean;
  /** Entry timeline: entries happen in [startAt, endAt). */
  startAt: number | null;
  endAt: number | null;
  /** The journey's own IANA zone, or null to use the project's (settings), else UTC. */
  timezone: string | null;
  dnd: { windows: DndWindow[]; zone: 'user' | 'journey'; whenInDnd: 'defer' | 'skip' } | null;
}

/** Compiles a definition that has passed validation (validate.ts); use `compileJourney` there for untrusted input. */
export function compileDefinition(definition: JourneyDefinition): CompiledJourney {
  const entry = definition.nodes.find((n) => n.kind === 'entry');
  if (entry?.kind !== 'entry') throw new Error('a journey needs an entry node');
  const trigger = entry.trigger;
  const setup = definition.setup ?? {};
  return {
    definition,
    entry: { id: entry.id, trigger, withinMs: trigger.type === 'inaction' ? parseDuration(trigger.within) : 0, event: entryEventOf(trigger) },
    nodes: new Map(definition.nodes.map((n) => [n.id, n])),
    plans: new Map(definition.nodes.map((n) => [n.id, specOf(n).plan(n)])),
    next: nextByBranch(definition.edges),
    readsOutcomes: definition.nodes.some((n) => n.kind === 'split' && n.condition !== undefined && usesMessages(n.condition)),
    goals: (definition.goals ?? []).map((g) => ({ id: g.id, event: g.event, where: g.where ?? [], exitOnGoal: g.exitOnGoal ?? true, withinMs: g.within ? parseDuration(g.within) : null })),
    timeoutMs: setup.timeout ? parseDuration(setup.timeout) : null,
    controlGroupPercent: setup.controlGroupPercent ?? 0,
    reentry: setup.reentry ?? 'never',
    reentryCooldownMs: setup.reentryCooldown ? parseDuration(setup.reentryCooldown) : null,
    ignoreFrequencyCaps: setup.ignoreFrequencyCaps ?? false,
    startAt: setup.startAt ? Date.parse(setup.startAt) : null,
    endAt: setup.endAt ? Date.parse(setup.endAt) : null,
    timezone: setup.timezone ?? null,
    dnd: setup.dnd ? { windows: dndWindows(setup.dnd), zone: setup.dnd.timezone ?? 'user', whenInDnd: setup.dnd.whenInDnd ?? 'defer' } : null,
  };
}

/** The DND windows of a setup: `start`/`end` every day, plus any per-weekday `windows`. */
export function dndWindows(dnd: NonNullable<NonNullable<JourneyDefinition['setup']>['dnd']>): DndWindow[] {
  const everyDay = dnd.start !== undefined && dnd.end !== undefined ? [{ start: dnd.start, end: dnd.end }] : [];
  return [...everyDay, ...(dnd.windows ?? [])];
}

/** Live triggers start on their event's name; scheduled and journey triggers on ENTER_EVENT naming the journey. */
function entryEventOf(trigger: Trigger): string {
  return trigger.type === 'action' || trigger.type === 'inaction' ? trigger.event : ENTER_EVENT;
}

function nextByBranch(edges: Edge[]): Map<string, Map<string, string>> {
  const next = new Map<string, Map<string, string>>();
  for (const edge of edges) {
    const branches = next.get(edge.from) ?? new Map<string, string>();
    branches.set(branchOf(edge), edge.to);
    next.set(edge.from, branches);
  }
  return next;
}
