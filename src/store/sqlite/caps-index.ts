/**
 * The index of a user's sends by time (CAPS_INDEX), kept only while a frequency cap is set. Only caps read
 * it (unit-views.ts), yet every message writes an entry, at a random place in the file: 1.48 of a cart's 11
 * pages, and 17% of what the disk wrote in a 10-minute run at 3,500 carts/s (docs/performance.md). A server
 * whose settings cap nothing pays none of that.
 *
 * The engine calls this whenever it reads the settings (at start, and after each save), in its own connection,
 * the one that writes most: its units wait while the index is built (about 0.8 s a million messages measured
 * here) instead of failing on a lock, and a cap counts on the index from its first use. Without the index the
 * caps' read would still be right, through messages_by_user, only slower.
 */
import type { CapsIndexChange } from '../store.ts';
import { CAPS_INDEX, type Sql } from './connection.ts';

/** `onBuild` is told before a build, with about how many messages it will index (the largest seq). */
export function keepCapsIndex(sql: Sql, capped: boolean, onBuild?: (messages: number) => void): CapsIndexChange {
  const present = sql.get("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", CAPS_INDEX) !== undefined;
  if (capped === present) return null;
  if (capped) onBuild?.((sql.get('SELECT max(seq) AS n FROM messages')?.n as number | null) ?? 0);
  sql.transaction(() => sql.db.exec(capped ? `CREATE INDEX ${CAPS_INDEX} ON messages (user_id, created_at)` : `DROP INDEX ${CAPS_INDEX}`));
  return capped ? 'built' : 'dropped';
}
