/**
 * Stable assignment of a user to a bucket in [0, 100): the same (journey, user) always lands in the same
 * bucket, so re-entry keeps a user in or out of the control group. FNV-1a, 32 bit: fast and dependency-free.
 */
export function bucketOf(journeyId: string, userId: string): number {
  let hash = 0x811c9dc5;
  const key = `${journeyId}\u0000${userId}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 100;
}
