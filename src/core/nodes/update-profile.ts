/** Writes traits to the user's profile in the same transaction as the step; later nodes see them. */
import Type, { type Static } from 'typebox';
import { NEXT } from '../branches.ts';
import { Id } from '../schema-parts.ts';
import { go } from '../step.ts';
import type { NodeSpec } from './spec.ts';

export const UpdateProfileNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('updateProfile'),
    set: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean(), Type.Null()]), {
      minProperties: 1,
      maxProperties: 50,
      // A record's key schema does not constrain the names (TypeBox matches any key); propertyNames does.
      propertyNames: { minLength: 1, maxLength: 200 },
      description: 'Traits to write, literal values only; null removes a trait. Merged like POST /v1/profiles.',
    }),
  },
  { additionalProperties: false, description: "Write traits to the user's profile, in the same transaction as the step, then go on." },
);
export type UpdateProfileNode = Static<typeof UpdateProfileNode>;

export const updateProfile: NodeSpec<UpdateProfileNode> = {
  kind: 'updateProfile', schema: UpdateProfileNode,
  meta: {
    label: 'Update profile', category: 'profile', description: "Write traits to the user's profile (null removes one)",
    fields: ['set'], branches: [{ name: NEXT, label: 'Next' }], counters: ['entered', 'goal'],
  },
  branches: () => [NEXT],
  plan: () => undefined,
  arrive(node, walk) {
    walk.updateProfile(node.id, node.set);
    return go(NEXT);
  },
};
