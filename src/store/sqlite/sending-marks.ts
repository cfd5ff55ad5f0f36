/** The sending marks (Store.markSending): a message about to pass its sender's point of no return. */
import type { Sql } from './connection.ts';

/** One transaction; a message no longer pending is left as it is. */
export function markSending(sql: Sql, ids: readonly string[], at: number): void {
  if (ids.length === 0) return;
  sql.transaction(() => {
    for (const id of ids) sql.run("UPDATE messages SET sending_at = ? WHERE id = ? AND status = 'pending'", at, id);
  });
}
