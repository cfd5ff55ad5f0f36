/** Waits for the user to do an event after reaching the node, for at most a timeout. */
import Type, { type Static } from 'typebox';
import { TIMEOUT, YES } from '../branches.ts';
import { parseDuration } from '../duration.ts';
import { filterProblems, filterText, matchesAll } from '../filters.ts';
import type { CompiledJourney } from '../compile.ts';
import type { JourneyEvent } from '../instance.ts';
import { Duration, EventName, Filters, Id, SameAs } from '../schema-parts.ts';
import { go } from '../step.ts';
import type { NodeSpec, PublishContext, PublishFindings } from './spec.ts';

export const WaitNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('wait'),
    event: EventName,
    where: Type.Optional(Filters),
    sameAs: Type.Optional(SameAs),
    timeout: Duration,
  },
  {
    additionalProperties: false,
    description:
      'Wait for the user to do `event` after reaching this node, for at most `timeout`. Branches: "yes" (it came in time, the timeout instant included) and "timeout". Events from before the user got here do not count.',
  },
);
export type WaitNode = Static<typeof WaitNode>;

/** The plan: the timeout in ms. */
export const wait: NodeSpec<WaitNode, number> = {
  kind: 'wait', schema: WaitNode,
  meta: {
    label: 'Wait for event', category: 'timing', description: 'Wait until the user does an event, or give up after a timeout',
    fields: ['event', 'where', 'sameAs', 'timeout'], branches: [{ name: YES, label: 'Yes' }, { name: TIMEOUT, label: 'Timeout' }], counters: ['entered', 'goal'],
  },
  branches: () => [YES, TIMEOUT],
  letsTimePass: true, // "yes" needs a new event and "timeout" a timer: either way, not the same step again
  check: (node, path) => filterProblems(node.where, `${path}/where`),
  plan: (node) => parseDuration(node.timeout),
  // The window opens now (at `base`) and is recovered later as nodeUntil - timeout.
  arrive: (_node, walk, timeoutMs) => ({ type: 'wait', until: walk.base + timeoutMs }),
  resume: () => go(TIMEOUT), // the window closed with no matching event
  /**
   * "yes" on a matching event inside the window: after the moment the user reached the node (an event at that
   * very instant came before it, like an event before a timer in the same millisecond) and up to the timeout
   * instant included.
   */
  onEvent(node, event, walk, timeoutMs) {
    const until = walk.instance.nodeUntil;
    if (until === null) return null;
    if (event.timestamp <= until - timeoutMs || event.timestamp > until) return null;
    if (!waitMatches(node, event, walk.instance.entryEvent.properties)) return null;
    // Later waits are measured from when the user did it, not from when we heard of it.
    return go(YES, Math.min(event.timestamp, walk.env.now));
  },
  watches: (node) => [node.event],
  explain: (node) => `waiting for "${node.event}", at most ${node.timeout}`,
  publishChecks: (node, journey, context, findings) => takenByGoal(node, journey, context, findings),
};

/**
 * Publish check: a wait for an event that an exiting goal always matches. Goals are checked before waits, so
 * the user exits and never takes "yes". Only when the first goal that could take the event is an exiting one
 * with no `within` whose filters every waited-for event meets (no filters, or a subset of the wait's own).
 */
function takenByGoal(node: WaitNode, journey: CompiledJourney, context: PublishContext, findings: PublishFindings): void {
  const waitFilters = new Set((node.where ?? []).map(filterText));
  for (const goal of journey.goals) {
    if (goal.event !== node.event) continue;
    const always = goal.where.every((f) => waitFilters.has(filterText(f)));
    if (!always) {
      if (goal.exitOnGoal) continue; // exits only sometimes; a later goal may still always exit
      return; // a count-only goal may take the event first, and then the user goes on to "yes"
    }
    if (goal.exitOnGoal && goal.withinMs === null) {
      findings.warnings.push({
        path: `/nodes/${context.index.get(node.id)}/event`,
        message: `wait "${node.id}" waits for "${node.event}", which is also goal "${goal.id}" (exitOnGoal): the goal is checked first and exits the user, so the "yes" branch is never taken`,
      });
    }
    return;
  }
}

function waitMatches(node: WaitNode, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return event.name === node.event && matchesAll(node.where, event.properties) && sharesWithEntry(node.sameAs, event, entry);
}

/** A property the entry event lacks matches nothing: "the same cart" needs a cart to compare with. */
export function sharesWithEntry(sameAs: readonly string[] | undefined, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return (sameAs ?? []).every((p) => entry[p] !== undefined && entry[p] !== null && event.properties[p] === entry[p]);
}
