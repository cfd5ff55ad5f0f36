/**
 * An id's rows taken out of one SQLite file and put into another, for an identity merge across the shards of a
 * database split by user (store/shards/shard-moves.ts): its passes, events, messages (with their short links),
 * waiting inbox events, profile, and the ids merged into it before.
 */
import type Database from 'better-sqlite3';

/** Tables of an id's rows, found by user_id; `numbered`: a file's own order (seq), given anew where they land. */
const BY_USER = [
  { table: 'instances', numbered: false },
  { table: 'messages', numbered: false },
  { table: 'events', numbered: false },
  { table: 'inbox', numbered: true },
  { table: 'profiles', numbered: false },
  // The ids merged into this one: the merge repoints them (identities.ts).
  { table: 'identities', numbered: false },
] as const;

export type UserRows = Record<string, Array<Record<string, unknown>>>;

/** Every row of `userId`, table by table (short links by their message). */
export function userRows(db: Database.Database, userId: string): UserRows {
  const rows: UserRows = {};
  for (const { table } of BY_USER) rows[table] = db.prepare(`SELECT * FROM ${table} WHERE user_id = ?`).all(userId) as Array<Record<string, unknown>>;
  rows.short_links = db.prepare('SELECT s.* FROM short_links s JOIN messages m ON m.id = s.message_id WHERE m.user_id = ?').all(userId) as Array<Record<string, unknown>>;
  return rows;
}

/**
 * Inserts rows read by userRows, each once: a row already there (a move finished again after a crash) is left.
 * Messages and events keep their numbers, which the shards share (store/shards/message-numbers.ts); the inbox's
 * are the file's own.
 */
export function insertUserRows(db: Database.Database, rows: UserRows): void {
  const tables: Array<{ table: string; numbered: boolean }> = [...BY_USER, { table: 'short_links', numbered: false }];
  for (const { table, numbered } of tables) {
    for (const row of rows[table] ?? []) {
      const columns = Object.keys(row).filter((c) => !(numbered && c === 'seq'));
      db.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`).run(Object.fromEntries(columns.map((c) => [c, row[c]])));
    }
  }
}

/** Deletes every row of `userId` (short links first, found by its messages). */
export function deleteUserRows(db: Database.Database, userId: string): void {
  db.prepare('DELETE FROM short_links WHERE message_id IN (SELECT id FROM messages WHERE user_id = ?)').run(userId);
  for (const { table } of BY_USER) db.prepare(`DELETE FROM ${table} WHERE user_id = ?`).run(userId);
}

export function recordMove(db: Database.Database, aliasId: string, fromShard: number, at: number): void {
  db.prepare('INSERT OR REPLACE INTO shard_moves (alias_id, from_shard, moved_at) VALUES (?, ?, ?)').run(aliasId, fromShard, at);
}

export function forgetMove(db: Database.Database, aliasId: string): void {
  db.prepare('DELETE FROM shard_moves WHERE alias_id = ?').run(aliasId);
}

/** Moves recorded in this file whose old rows may still be in another. */
export function recordedMoves(db: Database.Database): Array<{ aliasId: string; fromShard: number }> {
  return (db.prepare('SELECT alias_id, from_shard FROM shard_moves').all() as Array<{ alias_id: string; from_shard: number }>).map((r) => ({ aliasId: r.alias_id, fromShard: r.from_shard }));
}

