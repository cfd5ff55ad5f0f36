/** The sending marks (Store.markSending): a message about to pass its sender's point of no return. */
import type pg from 'pg';

/** One statement; a message no longer pending is left as it is. Rows are locked in id order, as recordOutcomes locks them. */
export async function markSending(pool: pg.Pool, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await pool.query({
    name: 'wm-mark-sending',
    text: `WITH target AS MATERIALIZED (
             SELECT seq FROM messages WHERE id = ANY ($1::text[]) AND status = 'pending' ORDER BY id FOR UPDATE
           )
           UPDATE messages m SET sending_at = $2 FROM target t WHERE m.seq = t.seq AND m.status = 'pending'`,
    values: [[...ids], at],
  });
}
