/** The in-app inbox: a user's delivered inbox messages, newest first, and their read and dismissed marks. */
import type pg from 'pg';
import { decodeCursor, encodeCursor, type Page } from '../pages.ts';
import type { Row } from '../rows.ts';
import type { InboxMessage, InboxQuery } from '../store.ts';
import { toInboxMessage } from './pg-rows.ts';

const INBOX_COLUMNS = 'seq, id, journey_id, node_id, content, created_at, read_at, dismissed_at';

/** Through messages_inbox (user_id, seq where channel = 'inbox'): the user's inbox messages only. */
export async function inboxPage(pool: pg.Pool, userId: string, q: InboxQuery): Promise<Page<InboxMessage>> {
  const before = q.cursor === undefined ? Number.MAX_SAFE_INTEGER : (decodeCursor(q.cursor, ['number'])[0] as number);
  const { rows } = await pool.query({
    name: 'wm-inbox-page',
    text: `SELECT ${INBOX_COLUMNS} FROM messages
           WHERE user_id = $1 AND channel = 'inbox' AND seq < $2 AND status = 'sent' AND ($3 OR dismissed_at IS NULL)
           ORDER BY seq DESC LIMIT $4`,
    values: [userId, before, q.dismissed, q.limit + 1],
  });
  const items = (rows as Row[]).slice(0, q.limit);
  return { items: items.map(toInboxMessage), nextCursor: rows.length > q.limit ? encodeCursor([Number(items.at(-1)!.seq)]) : null };
}

export async function markInbox(pool: pg.Pool, userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): Promise<InboxMessage | null> {
  const column = mark === 'read' ? 'read_at' : 'dismissed_at';
  const { rows } = await pool.query({
    name: `wm-inbox-mark-${mark}`,
    text: `UPDATE messages SET ${column} = COALESCE(${column}, $3)
           WHERE id = $1 AND user_id = $2 AND channel = 'inbox' AND status = 'sent'
           RETURNING ${INBOX_COLUMNS}`,
    values: [messageId, userId, at],
  });
  return rows.length > 0 ? toInboxMessage(rows[0] as Row) : null;
}
