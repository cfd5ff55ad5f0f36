/** Sends each user down one variant, stable per (journey, user, node). */
import Type, { type Static } from 'typebox';
import { bucketOf } from '../bucket.ts';
import type { Problem } from '../problem.ts';
import { Id } from '../schema-parts.ts';
import { go } from '../step.ts';
import type { NodeSpec } from './spec.ts';

export const AbVariant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Also the branch label of its edge' }),
    percent: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
);

export const AbSplitNode = Type.Object(
  { id: Id, kind: Type.Literal('abSplit'), variants: Type.Array(AbVariant, { minItems: 2, maxItems: 7 }) },
  {
    additionalProperties: false,
    description: 'Send each user down one variant, percentages adding up to 100; stable per (journey, user, node). Branches: the variant names.',
  },
);
export type AbSplitNode = Static<typeof AbSplitNode>;

export const abSplit: NodeSpec<AbSplitNode> = {
  kind: 'abSplit',
  schema: AbSplitNode,
  meta: {
    label: 'A/B split',
    category: 'branching',
    description: 'Send each user down one variant by percentage, the same one every time',
    fields: ['variants'],
    branches: [],
    branchesFrom: 'variants',
    counters: ['entered', 'goal'],
  },
  branches: (node) => node.variants.map((v) => v.name),
  check(node, path) {
    const problems: Problem[] = [];
    const names = new Set<string>();
    node.variants.forEach((v, j) => {
      if (names.has(v.name)) problems.push({ path: `${path}/variants/${j}/name`, message: `duplicate variant name "${v.name}"` });
      names.add(v.name);
    });
    const total = node.variants.reduce((sum, v) => sum + v.percent, 0);
    if (total !== 100) problems.push({ path: `${path}/variants`, message: `variant percentages add up to ${total}; they must add up to 100` });
    return problems;
  },
  plan: () => undefined,
  arrive: (node, walk) => go(pickVariant(node.variants, bucketOf(walk.instance.journeyId, walk.instance.userId, node.id))),
};

/** Variants own consecutive bucket ranges in definition order: 50/50 is buckets 0-49 and 50-99. */
export function pickVariant(variants: ReadonlyArray<{ name: string; percent: number }>, bucket: number): string {
  let upTo = 0;
  for (const v of variants) {
    upTo += v.percent;
    if (bucket < upTo) return v.name;
  }
  return variants[variants.length - 1]!.name; // unreachable when percentages add up to 100
}
