/** Bounces reported after sending (a delivery status notification): an email that was sent becomes bounced. */
import type pg from 'pg';
import type { MessageStatus } from '../store.ts';
import { transaction } from './connection.ts';

/**
 * See Store.bounceMessage. The message's row is locked first, so of two reports at once the second waits,
 * then finds it bounced and changes nothing (a single statement would read the status as it was when it
 * started); its node's counters are then taken in key order (node_failed before node_sent), as every writer
 * of the stats rows takes them.
 */
export async function bounceMessage(pool: pg.Pool, id: string, reason: string): Promise<MessageStatus | null> {
  return transaction(pool, async (c) => {
    const { rows } = await c.query({
      name: 'wm-bounce-lock',
      text: "SELECT status, journey_id, version, node_id FROM messages WHERE id = $1 AND channel = 'email' FOR UPDATE",
      values: [id],
    });
    const row = rows[0];
    if (!row) return null;
    if (row.status !== 'sent' && row.status !== 'delivered') return row.status as MessageStatus;
    await c.query({
      name: 'wm-bounce-set',
      text: `WITH bounced AS (UPDATE messages SET status = 'bounced', reason = $2 WHERE id = $1 RETURNING journey_id, version, node_id)
             INSERT INTO stats (journey_id, version, node_id, metric, count)
             SELECT b.journey_id, b.version, b.node_id, m.metric, m.delta FROM bounced b, (VALUES ('node_failed', 1), ('node_sent', -1)) AS m(metric, delta)
             ORDER BY m.metric
             ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
      values: [id, reason],
    });
    return 'bounced';
  });
}
