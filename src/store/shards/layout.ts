/**
 * How many shards a database has is fixed when it is made: a user's rows are where a hash of the id modulo
 * that number put them. A server started with another number would look for users in the wrong files, so it is
 * refused with the number to use.
 */
import type { SqliteStore } from '../sqlite/sqlite-store.ts';
import { hasUsers, recordShardLayout, shardLayout } from '../sqlite/shard-layout.ts';

export class ShardLayoutError extends Error {}

/** Checks (and on first use records) that the main file's database has `shards` shards. */
export function checkShardLayout(main: SqliteStore, shards: number, file: string): void {
  const recorded = shardLayout(main.db);
  if ((recorded ?? 1) === shards) return;
  if (recorded !== null) throw new ShardLayoutError(`${file} is split into ${recorded} shards: start it with --shards ${recorded}`);
  if (hasUsers(main.db)) throw new ShardLayoutError(`${file} holds its users in one file: --shards ${shards} can only make a new database (start it without --shards, or with --shards 1)`);
  recordShardLayout(main.db, shards);
}
