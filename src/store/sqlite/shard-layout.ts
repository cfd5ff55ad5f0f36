/** The number of shards a database was made with, kept in its every file (store/shards/layout.ts; migration 026). */
import type Database from 'better-sqlite3';

/** The shards the database was made with: null for one file (store/shards/layout.ts). */
export function shardLayout(db: Database.Database): number | null {
  return (db.prepare('SELECT shards FROM shard_layout WHERE id = 1').get() as { shards: number } | undefined)?.shards ?? null;
}

export function recordShardLayout(db: Database.Database, shards: number): void {
  db.prepare('INSERT INTO shard_layout (id, shards) VALUES (1, ?) ON CONFLICT (id) DO NOTHING').run(shards);
}

/** Whether the file has any user's row: a file of one shard can be split only while it has none. */
export function hasUsers(db: Database.Database): boolean {
  return ['profiles', 'events', 'instances', 'messages'].some((t) => db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined);
}
