/**
 * Segment conditions as the condition editor changes them (docs/journeys.md, "Segments"): switching a
 * condition's type keeps what carries over, a group wraps or unwraps, and windows read as the form shows
 * them. Structural types; the server checks every field.
 */

export type ConditionType = 'profile' | 'event' | 'message' | 'all' | 'any' | 'not';

export interface Condition {
  type: ConditionType;
  [field: string]: unknown;
}

/** Groups nest at most this deep (MAX_GROUP_DEPTH in src/core/segment-schema.ts). */
export const MAX_GROUP_DEPTH = 4;

export const isGroup = (c: Condition) => c.type === 'all' || c.type === 'any' || c.type === 'not';

/** The conditions inside a group: `of` is a list for all/any, one condition for not. */
export function childrenOf(c: Condition): Condition[] {
  if (c.type === 'not') return c.of && typeof c.of === 'object' ? [c.of as Condition] : [];
  return Array.isArray(c.of) ? (c.of as Condition[]) : [];
}

/**
 * The condition as another type. A group becoming another group keeps its conditions (a `not` keeps the
 * first); a leaf becoming a group goes inside it; a group becoming a leaf keeps its first leaf of that type,
 * else a new one; an event condition keeps its event name.
 */
export function switchCondition(c: Condition, type: ConditionType, firstSend = ''): Condition {
  if (c.type === type) return c;
  if (type === 'all' || type === 'any' || type === 'not') {
    const inner = isGroup(c) ? childrenOf(c) : [c];
    if (type === 'not') return { type, of: inner[0] ?? { type: 'profile', where: [{ property: '', op: 'exists' }] } };
    return { type, of: inner.length > 0 ? inner : [{ type: 'profile', where: [{ property: '', op: 'exists' }] }] };
  }
  if (isGroup(c)) {
    const same = childrenOf(c).find((inner) => inner.type === type);
    if (same) return same;
  }
  switch (type) {
    case 'profile':
      return { type, where: [{ property: '', op: 'exists' }] };
    case 'event':
      return { type, event: typeof c.event === 'string' ? c.event : '' };
    case 'message':
      return { type, node: firstSend, outcome: 'sent' };
  }
}

/** How far the group nesting goes below (and including) `c`: a leaf is 0. */
export function groupDepth(c: Condition): number {
  if (!isGroup(c)) return 0;
  return 1 + Math.max(0, ...childrenOf(c).map(groupDepth));
}

export type WindowKind = 'all' | 'last' | 'between';

/** Which window an event condition has: none (all history), the last N, or between two date-times. */
export function windowKind(within: unknown): WindowKind {
  if (!within || typeof within !== 'object') return 'all';
  return 'last' in within ? 'last' : 'between';
}
