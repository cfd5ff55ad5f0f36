/**
 * A node kind's one home: its schema, branches, checks, interpreter step, and what people see of it. Every
 * layer reads kinds through the registry (index.ts): validation, the interpreter, explain, stats, the API's
 * JSON Schemas and the canvas palette (GET /v1/meta/nodes).
 */
import type { TSchema } from 'typebox';
import type { CompiledJourney } from '../compile.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { JourneyEvent } from '../instance.ts';
import type { Problem } from '../problem.ts';
import type { Decision, Walk } from '../step.ts';

export type NodeCategory = 'entry' | 'message' | 'timing' | 'branching' | 'profile' | 'exit';

/** Per-node counters the stats view shows for a kind (GET /v1/journeys/:id/stats, `nodes[]`). */
export type NodeCounter = 'entered' | 'sent' | 'failed' | 'skipped' | 'opened' | 'clicked' | 'missed' | 'goal';

export interface BranchMeta {
  /** The edge's `branch` value. */
  name: string;
  /** What the canvas writes on the edge. */
  label: string;
  /** Drawn or not: users without it take the fallback the kind documents. */
  optional?: boolean;
}

export interface NodeMeta {
  label: string;
  category: NodeCategory;
  /** One line for the palette. */
  description: string;
  /** The node's own fields (beyond `id` and `kind`), in the order a form shows them. */
  fields: readonly string[];
  /** Fixed ways out; kinds whose branches come from their data say where (`branchesFrom`). */
  branches: readonly BranchMeta[];
  branchesFrom?: 'variants';
  counters: readonly NodeCounter[];
}

/** What publish checks know beyond the journey. */
export interface PublishContext {
  /** Every profile trait name ever set (plus those the journey writes), or null when unknown. */
  knownTraits: ReadonlySet<string> | null;
  /** Index of each node in `definition.nodes`, for problem paths. */
  index: ReadonlyMap<string, number>;
}

export interface PublishFindings {
  errors: Problem[];
  warnings: Problem[];
}

/**
 * `N` is the node as the schema gives it; `P` the plan compiled from it once per journey version (durations
 * in ms, conditions compiled), handed to its steps.
 */
export interface NodeSpec<N extends { id: string; kind: string }, P = undefined> {
  kind: N['kind'];
  schema: TSchema;
  meta: NodeMeta;
  /** The branches it must have, each connected by exactly one edge. */
  branches(node: N): readonly string[];
  /** Branches it may have but need not. */
  optionalBranches?(node: N): readonly string[];
  /** Lets time pass before the user goes on, so a loop through it cannot spin. */
  letsTimePass?: boolean;
  /** Checks of its own fields that the schema cannot express; paths under `path` (the node's pointer). */
  check?(node: N, path: string, definition: JourneyDefinition): Problem[];
  plan(node: N): P;
  /** The user arrives. */
  arrive(node: N, walk: Walk, plan: P): Decision;
  /** The wait at this node ended (its timer). Kinds that never wait have none. */
  resume?(node: N, walk: Walk, plan: P): Decision;
  /** An event while the user waits here: a decision moves them, null leaves them waiting. */
  onEvent?(node: N, event: JourneyEvent, walk: Walk, plan: P): Decision | null;
  /** Event names it reacts to while users wait at it. */
  watches?(node: N): readonly string[];
  /** What explain says of a user waiting at it, in a few words ("a 2h delay"). */
  explain?(node: N): string;
  /** What a marketer should hear before publishing (see publish-checks.ts). */
  publishChecks?(node: N, journey: CompiledJourney, context: PublishContext, findings: PublishFindings): void;
}
