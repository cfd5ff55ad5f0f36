/**
 * Stable assignment of a user to a bucket in [0, 100): the same (journey, user) always lands in the same
 * bucket, so re-entry keeps a user in or out of the control group. FNV-1a, 32 bit: fast and dependency-free.
 * `salt` (an A/B node's id) gives an independent assignment, so variants are not correlated with the control group.
 */
export function bucketOf(journeyId: string, userId: string, salt?: string): number {
  let hash = 0x811c9dc5;
  const key = salt === undefined ? `${journeyId}\u0000${userId}` : `${journeyId}\u0000${userId}\u0000${salt}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 100;
}
