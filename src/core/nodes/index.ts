/**
 * The node registry: every node kind and its one home. The kinds of the journey schema, its TypeScript
 * `JourneyNode` union and every switch over kinds come from this object, so a kind cannot exist without a spec.
 *
 * Adding a logic node kind: write `nodes/<kind>.ts` exporting its spec (schema, branches, checks, step,
 * metadata), then add one line here. See docs/architecture.md.
 */
import { abSplit } from './ab-split.ts';
import { delay } from './delay.ts';
import { entry } from './entry.ts';
import { exit } from './exit.ts';
import { send } from './send.ts';
import type { NodeSpec } from './spec.ts';
import { split } from './split.ts';
import { updateProfile } from './update-profile.ts';
import { wait } from './wait.ts';

/** In palette order. */
export const NODE_SPECS = { entry, send, delay, wait, split, abSplit, updateProfile, exit } as const;

type Specs = typeof NODE_SPECS;
export type NodeKind = keyof Specs;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each spec's plan type is its own
type NodeOfSpec<S> = S extends NodeSpec<infer N, any> ? N : never;
/** A node of any kind, as its kind's schema gives it. */
export type JourneyNode = NodeOfSpec<Specs[NodeKind]>;

export const NODE_KINDS = Object.keys(NODE_SPECS) as NodeKind[];

/** The spec of `node`'s kind, typed for that node. */
export function specOf<N extends JourneyNode>(node: N): NodeSpec<N, unknown> {
  return NODE_SPECS[node.kind] as unknown as NodeSpec<N, unknown>;
}

export type { NodeSpec, NodeMeta, BranchMeta, NodeCounter, NodeCategory } from './spec.ts';
