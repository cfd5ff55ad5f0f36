/** The outbox: pending messages, the outcomes of sending them, and clicks. */
import type { Message, SendOutcome } from '../store.ts';
import { addStat } from './apply-changes.ts';
import type { Sql } from './connection.ts';
import { toMessage } from './sqlite-rows.ts';

export function pendingMessages(sql: Sql, limit: number): Message[] {
  return sql.all("SELECT * FROM messages WHERE status = 'pending' ORDER BY seq LIMIT ?", limit).map(toMessage);
}

export function recordOutcomes(sql: Sql, outcomes: SendOutcome[]): void {
  sql.transaction(() => {
    for (const o of outcomes) {
      const row = sql.get(
        "UPDATE messages SET status = ?, sent_at = ?, reason = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending' RETURNING journey_id, version, node_id",
        o.status,
        o.at,
        o.error ?? null,
        o.id,
      );
      if (row) addStat(sql, row.journey_id as string, row.version as number, row.node_id as string, o.status === 'sent' ? 'node_sent' : 'node_failed', 1);
    }
  });
}

export function recordClick(sql: Sql, messageId: string, at: number): boolean {
  return sql.transaction(
    (): boolean =>
      sql.run('UPDATE messages SET clicked_at = ? WHERE id = ? AND clicked_at IS NULL', at, messageId).changes === 1 ||
      sql.get('SELECT 1 FROM messages WHERE id = ?', messageId) !== undefined,
  );
}
