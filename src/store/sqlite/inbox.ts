/** The in-app inbox: a user's delivered inbox messages, newest first, and their read and dismissed marks. */
import { decodeCursor, encodeCursor, type Page } from '../pages.ts';
import type { InboxMessage, InboxQuery } from '../store.ts';
import type { Sql } from './connection.ts';
import { toInboxMessage } from './sqlite-rows.ts';

/** Through messages_inbox (user_id, seq where channel = 'inbox'): the user's inbox messages only. */
export function inboxPage(sql: Sql, userId: string, q: InboxQuery): Page<InboxMessage> {
  const before = q.cursor === undefined ? Number.MAX_SAFE_INTEGER : (decodeCursor(q.cursor, ['number'])[0] as number);
  const rows = sql.all(
    `SELECT seq, id, journey_id, node_id, content, created_at, read_at, dismissed_at FROM messages
     WHERE user_id = ? AND channel = 'inbox' AND seq < ? AND status = 'sent' AND (? OR dismissed_at IS NULL)
     ORDER BY seq DESC LIMIT ?`,
    userId,
    before,
    q.dismissed ? 1 : 0,
    q.limit + 1,
  );
  const items = rows.slice(0, q.limit);
  return { items: items.map(toInboxMessage), nextCursor: rows.length > q.limit ? encodeCursor([items.at(-1)!.seq as number]) : null };
}

export function markInbox(sql: Sql, userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): InboxMessage | null {
  const column = mark === 'read' ? 'read_at' : 'dismissed_at';
  const row = sql.get(
    `UPDATE messages SET ${column} = COALESCE(${column}, ?)
     WHERE id = ? AND user_id = ? AND channel = 'inbox' AND status = 'sent'
     RETURNING id, journey_id, node_id, content, created_at, read_at, dismissed_at`,
    at,
    messageId,
    userId,
  );
  return row ? toInboxMessage(row) : null;
}
