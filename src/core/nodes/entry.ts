/** Where users come in: exactly one per journey, holding the trigger (trigger-schema.ts). */
import Type, { type Static } from 'typebox';
import { NEXT } from '../branches.ts';
import { filterProblems } from '../filters.ts';
import type { Problem } from '../problem.ts';
import { segmentConditionProblems } from '../segment.ts';
import { go } from '../step.ts';
import { Id } from '../schema-parts.ts';
import { Trigger } from '../trigger-schema.ts';
import type { NodeSpec } from './spec.ts';

export const EntryNode = Type.Object(
  { id: Id, kind: Type.Literal('entry'), trigger: Trigger },
  { additionalProperties: false, description: 'Where users come in. Exactly one per journey.' },
);
export type EntryNode = Static<typeof EntryNode>;

export const entry: NodeSpec<EntryNode> = {
  kind: 'entry',
  schema: EntryNode,
  meta: {
    label: 'Entry',
    category: 'entry',
    description: 'Who comes in, and when: a live event, an inaction, a scheduled segment, a date, or another journey',
    fields: ['trigger'],
    branches: [{ name: NEXT, label: 'Entered' }],
    counters: [],
  },
  branches: () => [NEXT],
  check(node, path) {
    const trigger = node.trigger;
    const at = `${path}/trigger`;
    const problems: Problem[] = [];
    if (trigger.type === 'action' || trigger.type === 'inaction') problems.push(...filterProblems(trigger.where, `${at}/where`));
    if (trigger.type === 'inaction') problems.push(...filterProblems(trigger.notWhere, `${at}/notWhere`));
    if (trigger.type === 'segment') problems.push(...segmentConditionProblems(trigger.segment, `${at}/segment`, false).problems);
    if (trigger.type === 'date' && trigger.before !== undefined && trigger.after !== undefined) problems.push({ path: at, message: 'give "before" or "after", not both' });
    return problems;
  },
  plan: () => undefined,
  arrive: () => go(NEXT),
  resume: () => go(NEXT),
};
