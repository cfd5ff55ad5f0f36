/**
 * An identity merge across shards (ShardedStore.mergeIdentity). What a unit of work reads of a user must be in
 * the user's shard (live passes and their timers, events for history and lookbacks, recent sends for caps and
 * outcomes), so the old id's rows move to the shard of the user it is merged into, then merge there as in one file.
 *
 * No transaction spans two files, so the move is ordered to be finished from either side of a crash:
 *  1. the old shard's write lock is taken (BEGIN IMMEDIATE): its engine can change none of the old id's rows
 *     until the end;
 *  2. the new shard, in one transaction, copies them from the old file (attached to its connection, each row
 *     once), records the move and merges;
 *  3. the old shard deletes them and commits; then the record goes.
 * A crash before 2 commits leaves everything as it was; after 2 and before 3, the next open finds the record
 * and deletes the old rows (finishMoves). All of it runs in one synchronous step: no other call on these
 * connections can come between. The engine threads of the two shards hold the users' profiles out of their
 * caches from before the move until after it (engine/thread/sharded-engine.ts), so none renders with a profile
 * parsed before the merge.
 */
import type { IdentityMerge, MergeResult } from '../identities.ts';
import type { SqliteStore } from '../sqlite/sqlite-store.ts';
import { copyUserRows, deleteUserRows, forgetMove, recordedMoves, recordMove, withAttached } from '../sqlite/user-move.ts';

export function moveUser(from: SqliteStore, into: SqliteStore, fromShard: number, merge: IdentityMerge, now: number, users: readonly string[]): MergeResult {
  // These connections' own units (a process without engine threads) read the users' profiles afresh after it.
  from.holdProfiles(users, true);
  into.holdProfiles(users, true);
  try {
    return move(from, into, fromShard, merge, now);
  } finally {
    from.holdProfiles(users, false);
    into.holdProfiles(users, false);
  }
}

function move(from: SqliteStore, into: SqliteStore, fromShard: number, merge: IdentityMerge, now: number): MergeResult {
  const old = from.db;
  const result = withAttached(into.db, old.name, () => {
    old.exec('BEGIN IMMEDIATE');
    try {
      const merged = into.db
        .transaction(() => {
          copyUserRows(into.db, merge.from);
          recordMove(into.db, merge.from, fromShard, now);
          return into.mergeIdentityNow(merge, now);
        })
        .immediate();
      deleteUserRows(old, merge.from);
      old.exec('COMMIT');
      return merged;
    } catch (error) {
      if (old.inTransaction) old.exec('ROLLBACK');
      throw error;
    }
  });
  forgetMove(into.db, merge.from);
  return result;
}

/** Finishes the moves a stopped process left half done (step 3 above): before any engine starts on the files. */
export function finishMoves(shards: readonly SqliteStore[]): number {
  let finished = 0;
  for (const store of shards) {
    for (const move of recordedMoves(store.db)) {
      const old = shards[move.fromShard];
      if (old) old.db.transaction(() => deleteUserRows(old.db, move.aliasId)).immediate();
      forgetMove(store.db, move.aliasId);
      finished++;
    }
  }
  return finished;
}
