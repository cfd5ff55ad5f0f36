/**
 * One connection that reads every shard of a database split by user (store/shards/): the other shards' files
 * are attached, and a temporary view named for each table of users' rows reads that table in every file. A
 * temporary view is found before the main file's table of its name, so the SQLite store's own reads run over all
 * shards unchanged, and a write to one fails ("cannot modify ... because it is a view"): writes go to a shard.
 *
 * SQLite answers a read of the union as it would one file's: an `ORDER BY seq LIMIT` by user, by journey or by
 * `seq > ?` merges each file's ordered index search (MERGE (UNION ALL)), and a message by id is a probe of each
 * file's unique index (75-210 µs on two files of 100,000 messages each, docs/performance.md).
 */
import type Database from 'better-sqlite3';

/** Tables whose rows are users': each user's in the user's shard, so the union has each row once. */
const USERS_ROWS = ['messages', 'events', 'instances', 'profiles', 'inbox', 'identities', 'short_links'] as const;

/** Attaches the other shards' files as shard_1, shard_2...; returns every schema, 'main' first. */
export function attachShards(db: Database.Database, otherFiles: readonly string[]): string[] {
  const schemas = ['main'];
  otherFiles.forEach((file, i) => {
    const schema = `shard_${i + 1}`;
    db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(file);
    schemas.push(schema);
  });
  return schemas;
}

export function createShardViews(db: Database.Database, otherFiles: readonly string[]): void {
  const schemas = attachShards(db, otherFiles);
  const all = (table: string, columns = '*') => schemas.map((s) => `SELECT ${columns} FROM ${s}.${table}`);
  for (const table of USERS_ROWS) db.exec(`CREATE TEMP VIEW ${table} AS ${all(table).join(' UNION ALL ')}`);
  // A node's counts are kept in each shard that counted: summed.
  db.exec(`CREATE TEMP VIEW stats AS SELECT journey_id, version, node_id, metric, SUM(count) AS count
           FROM (${all('stats').join(' UNION ALL ')}) GROUP BY journey_id, version, node_id, metric`);
  // A trait name is recorded by each shard that saw it.
  db.exec(`CREATE TEMP VIEW trait_names AS ${all('trait_names', 'name').join(' UNION ')}`);
}
