/**
 * The shapes of an identity merge (Store.mergeIdentity), and what both adapters share of its rules: which
 * ids a merge joins, and how its outcome is told. docs/integrations.md has the rules for people.
 */

/** Merge `from` (an anonymous id, or any id found to be the same person) into `into`. */
export interface IdentityMerge {
  from: string;
  into: string;
}

export interface MergeResult {
  /**
   * 'merged': `from` is `userId`'s now. 'unchanged': they were one person already (merged before, or the same
   * id): nothing changed. 'conflict': `from` was merged into another user before (`userId`): nothing changed.
   */
  outcome: 'merged' | 'unchanged' | 'conflict';
  /** The user `from` belongs to after the call: `into`, or the user `into` was merged into (the chain followed). */
  userId: string;
  /** What moved to `userId` (all 0 unless merged). */
  events: number;
  instances: number;
  /** Live passes that left with reason 'merged' (both were in one journey). */
  exited: number;
}

/** What a merge decides once the store has resolved both ids through the identity map. */
export type MergePlan = { kind: 'noop'; result: MergeResult } | { kind: 'merge'; from: string; into: string };

/**
 * `fromRoot` and `intoRoot` are the users `from` and `into` resolve to (themselves when unmapped). `into`
 * already merged into someone is followed to them; `from` already merged into someone else is a conflict: an
 * anonymous id belongs to the first user it was tied to.
 */
export function planMerge(merge: IdentityMerge, fromRoot: string, intoRoot: string): MergePlan {
  const none = { events: 0, instances: 0, exited: 0 };
  if (fromRoot === intoRoot) return { kind: 'noop', result: { outcome: 'unchanged', userId: intoRoot, ...none } };
  if (fromRoot !== merge.from) return { kind: 'noop', result: { outcome: 'conflict', userId: fromRoot, ...none } };
  return { kind: 'merge', from: merge.from, into: intoRoot };
}
