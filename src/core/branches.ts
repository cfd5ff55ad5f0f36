/**
 * Which labelled ways out each node kind has. One table, used by validation (every branch connected exactly
 * once, no unknown labels) and by the interpreter (which edge a user takes).
 */
import type { Edge, JourneyNode } from './definition.ts';
import { assertNever } from './never.ts';

/** The label of an edge that names none: the single way out of a linear node. */
export const NEXT = 'next';

export const YES = 'yes';
export const TIMEOUT = 'timeout';
export const NO = 'no';
/** A send that did not happen (no address, DND with "don't send", a frequency cap). */
export const UNREACHABLE = 'unreachable';
/** A delay until a date property that is missing or already past. */
export const MISSED = 'missed';
const WAIT_BRANCHES = [YES, TIMEOUT] as const;
const SPLIT_BRANCHES = [YES, NO] as const;

export function branchOf(edge: Edge): string {
  return edge.branch ?? NEXT;
}

/** The branches a node must have, each connected by exactly one edge. All are required: no user is stranded. */
export function branchesOf(node: JourneyNode): readonly string[] {
  switch (node.kind) {
    case 'entry':
    case 'send':
    case 'delay':
    case 'updateProfile':
      return [NEXT];
    case 'wait':
      return WAIT_BRANCHES;
    case 'split':
      return SPLIT_BRANCHES;
    case 'abSplit':
      return node.variants.map((v) => v.name);
    case 'exit':
      return [];
    default:
      return assertNever(node);
  }
}

/**
 * Branches a node may have but need not: when one is not drawn, its users take the fallback the node kind
 * documents (an unsent message goes on along "next"; a missed date leaves the journey).
 */
export function optionalBranchesOf(node: JourneyNode): readonly string[] {
  if (node.kind === 'send') return [UNREACHABLE];
  if (node.kind === 'delay' && node.untilDate) return [MISSED];
  return [];
}

/** Kinds that let time pass before a user goes on, so a loop through one cannot spin. */
export function letsTimePass(node: JourneyNode): boolean {
  // A wait's "yes" needs a new event and its "timeout" a timer: either way, not the same step again.
  return node.kind === 'delay' || node.kind === 'wait';
}
