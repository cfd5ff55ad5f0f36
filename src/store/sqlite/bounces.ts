/** Bounces reported after sending (a delivery status notification): an email that was sent becomes bounced. */
import type { MessageStatus } from '../store.ts';
import { addStat } from './apply-changes.ts';
import type { Sql } from './connection.ts';

/**
 * See Store.bounceMessage. The update comes first, so the transaction holds the write lock before it reads:
 * of two reports at once, the second finds the message bounced and changes nothing.
 */
export function bounceMessage(sql: Sql, id: string, reason: string): MessageStatus | null {
  return sql.transaction((): MessageStatus | null => {
    const changed = sql.get(
      "UPDATE messages SET status = 'bounced', reason = ? WHERE id = ? AND channel = 'email' AND status IN ('sent', 'delivered') RETURNING journey_id, version, node_id",
      reason,
      id,
    );
    if (changed) {
      const [journeyId, version, nodeId] = [changed.journey_id as string, changed.version as number, changed.node_id as string];
      addStat(sql, journeyId, version, nodeId, 'node_failed', 1);
      addStat(sql, journeyId, version, nodeId, 'node_sent', -1);
      return 'bounced';
    }
    const row = sql.get("SELECT status FROM messages WHERE id = ? AND channel = 'email'", id);
    return row ? (row.status as MessageStatus) : null;
  });
}
