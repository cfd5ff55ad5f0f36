/** Routes on the user as they are on arrival: profile filters, or a segment condition. */
import Type, { type Static } from 'typebox';
import { NO, YES } from '../branches.ts';
import { filterProblems, matchesAll } from '../filters.ts';
import type { Problem } from '../problem.ts';
import { Filter, Id, SegmentCondition } from '../schema-parts.ts';
import { compileCondition, messageNodes, segmentConditionProblems, type CompiledCondition } from '../segment.ts';
import { go } from '../step.ts';
import type { NodeSpec } from './spec.ts';

export const SplitNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('split'),
    where: Type.Optional(Type.Array(Filter, { minItems: 1, maxItems: 50, description: 'Profile filters, all must hold (AND)' })),
    condition: Type.Optional(SegmentCondition),
  },
  {
    additionalProperties: false,
    description:
      'Route on the user as they are when they reach this node: `where` (profile traits) or `condition` (a segment condition: traits, event history, outcomes of earlier sends in this pass). Branches: "yes" and "no".',
  },
);
export type SplitNode = Static<typeof SplitNode>;

export const split: NodeSpec<SplitNode, CompiledCondition | null> = {
  kind: 'split',
  schema: SplitNode,
  meta: {
    label: 'Split',
    category: 'branching',
    description: 'Yes or no on the user as they are now: traits, event history, earlier messages',
    fields: ['where', 'condition'],
    branches: [
      { name: YES, label: 'Yes' },
      { name: NO, label: 'No' },
    ],
    counters: ['entered', 'goal'],
  },
  branches: () => [YES, NO],
  check(node, path, definition) {
    const problems: Problem[] = [...filterProblems(node.where, `${path}/where`)];
    if ((node.where === undefined) === (node.condition === undefined)) {
      problems.push({ path, message: 'a split needs exactly one of "where" (profile filters) or "condition" (a segment condition)' });
    }
    if (node.condition === undefined) return problems;
    const found = segmentConditionProblems(node.condition, `${path}/condition`, true);
    problems.push(...found.problems);
    if (!found.usable) return problems;
    const sends = new Set(definition.nodes.filter((n) => n.kind === 'send').map((n) => n.id));
    for (const ref of messageNodes(node.condition, `${path}/condition`)) {
      if (!sends.has(ref.nodeId)) problems.push({ path: ref.path, message: `"${ref.nodeId}" is not a send node of this journey` });
    }
    return problems;
  },
  plan: (node) => (node.condition ? compileCondition(node.condition) : null),
  arrive(node, walk, condition) {
    const traits = walk.profile?.traits ?? {};
    const holds = condition ? condition({ now: walk.env.now, traits, events: walk.env.events ?? [], messages: walk.outcomes() }) : matchesAll(node.where, traits);
    return go(holds ? YES : NO);
  },
};
