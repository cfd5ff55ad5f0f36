/**
 * Branch labels: the `branch` of an edge, the way out of a node it stands for. Each node kind declares which it
 * has (src/core/nodes); these are the names they share.
 */
import type { Edge } from './definition.ts';

/** The label of an edge that names none: the single way out of a linear node. */
export const NEXT = 'next';

export const YES = 'yes';
export const TIMEOUT = 'timeout';
export const NO = 'no';
/** A send that did not happen (no address, opted out, DND with "don't send", a frequency cap). */
export const UNREACHABLE = 'unreachable';
/** A delay until a date property that is missing or already past. */
export const MISSED = 'missed';

export function branchOf(edge: Edge): string {
  return edge.branch ?? NEXT;
}
