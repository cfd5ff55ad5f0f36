/** The user completes the journey. */
import Type, { type Static } from 'typebox';
import { Id } from '../schema-parts.ts';
import type { NodeSpec } from './spec.ts';

export const ExitNode = Type.Object({ id: Id, kind: Type.Literal('exit') }, { additionalProperties: false, description: 'The user completes the journey.' });
export type ExitNode = Static<typeof ExitNode>;

export const exit: NodeSpec<ExitNode> = {
  kind: 'exit',
  schema: ExitNode,
  meta: { label: 'Exit', category: 'exit', description: 'The user completes the journey here', fields: [], branches: [], counters: ['entered'] },
  branches: () => [],
  plan: () => undefined,
  arrive: () => ({ type: 'exit' }),
  resume: () => ({ type: 'exit' }),
};
