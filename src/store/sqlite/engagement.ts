/** Opens and clicks of messages, counted on their nodes, and the SMS short links that lead to clicks. */
import type { Engagement, EngagementResult, Message, ShortLink } from '../store.ts';
import { addStat } from './apply-changes.ts';
import type { Sql } from './connection.ts';

/**
 * One write transaction, taken before the read (Sql.transaction is IMMEDIATE), so a process sharing the file
 * cannot record the same first open in between: the first open and the first click are each set and counted once.
 */
export function recordEngagement(sql: Sql, messageId: string, kind: Engagement, at: number): EngagementResult | null {
  return sql.transaction((): EngagementResult | null => {
    const row = sql.get('SELECT journey_id, version, node_id, user_id, channel, opened_at, clicked_at FROM messages WHERE id = ?', messageId);
    if (!row) return null;
    const firstOpen = row.opened_at === null;
    const firstClick = kind === 'click' && row.clicked_at === null;
    const message = { id: messageId, journeyId: row.journey_id as string, version: row.version as number, nodeId: row.node_id as string, userId: row.user_id as string, channel: row.channel as Message['channel'] };
    if (firstOpen || firstClick) {
      sql.run('UPDATE messages SET opened_at = COALESCE(opened_at, ?), clicked_at = CASE WHEN ? THEN ? ELSE clicked_at END WHERE id = ?', at, firstClick ? 1 : 0, at, messageId);
      if (firstOpen) addStat(sql, message.journeyId, message.version, message.nodeId, 'node_opened', 1);
      if (firstClick) addStat(sql, message.journeyId, message.version, message.nodeId, 'node_clicked', 1);
    }
    return {
      message,
      openedAt: firstOpen ? at : (row.opened_at as number),
      clickedAt: firstClick ? at : (row.clicked_at as number | null),
      firstOpen,
      firstClick,
    };
  });
}

export function saveShortLinks(sql: Sql, links: readonly ShortLink[], now: number): void {
  sql.transaction(() => {
    for (const l of links) sql.run('INSERT INTO short_links (code, message_id, url, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING', l.code, l.messageId, l.url, now);
  });
}

export function shortLink(sql: Sql, code: string): ShortLink | null {
  const row = sql.get('SELECT code, message_id, url FROM short_links WHERE code = ?', code);
  return row ? { code: row.code as string, messageId: row.message_id as string, url: row.url as string } : null;
}
