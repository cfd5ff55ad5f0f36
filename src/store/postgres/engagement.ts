/** Opens and clicks of messages, counted on their nodes, and the SMS short links that lead to clicks. */
import type pg from 'pg';
import type { Engagement, EngagementResult, Message, ShortLink } from '../store.ts';
import { transaction } from './connection.ts';

/**
 * One transaction: the message's row is locked first, so of two opens at once the second sees the first's
 * and changes nothing; then its node's counters, in key order (node_clicked before node_opened), as every
 * writer of the stats rows takes them.
 */
export async function recordEngagement(pool: pg.Pool, messageId: string, kind: Engagement, at: number): Promise<EngagementResult | null> {
  return transaction(pool, async (c) => {
    const { rows } = await c.query({
      name: 'wm-engagement-lock',
      text: 'SELECT journey_id, version, node_id, user_id, channel, opened_at, clicked_at FROM messages WHERE id = $1 FOR UPDATE',
      values: [messageId],
    });
    const row = rows[0];
    if (!row) return null;
    const firstOpen = row.opened_at === null;
    const firstClick = kind === 'click' && row.clicked_at === null;
    const message = { id: messageId, journeyId: row.journey_id as string, version: Number(row.version), nodeId: row.node_id as string, userId: row.user_id as string, channel: row.channel as Message['channel'] };
    if (firstOpen || firstClick) {
      await c.query({
        name: 'wm-engagement-set',
        text: 'UPDATE messages SET opened_at = COALESCE(opened_at, $2), clicked_at = CASE WHEN $3 THEN $2 ELSE clicked_at END WHERE id = $1',
        values: [messageId, at, firstClick],
      });
      const metrics = [...(firstClick ? ['node_clicked'] : []), ...(firstOpen ? ['node_opened'] : [])];
      await c.query({
        name: 'wm-engagement-count',
        text: `INSERT INTO stats (journey_id, version, node_id, metric, count)
               SELECT $1, $2, $3, m, 1 FROM unnest($4::text[]) AS m
               ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + 1`,
        values: [message.journeyId, message.version, message.nodeId, metrics],
      });
    }
    return {
      message,
      openedAt: firstOpen ? at : Number(row.opened_at),
      clickedAt: firstClick ? at : row.clicked_at === null ? null : Number(row.clicked_at),
      firstOpen,
      firstClick,
    };
  });
}

export async function saveShortLinks(pool: pg.Pool, links: readonly ShortLink[], now: number): Promise<void> {
  if (links.length === 0) return;
  await pool.query({
    name: 'wm-save-short-links',
    text: `INSERT INTO short_links (code, message_id, url, created_at)
           SELECT c, m, u, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS l(c, m, u)
           ON CONFLICT (code) DO NOTHING`,
    values: [links.map((l) => l.code), links.map((l) => l.messageId), links.map((l) => l.url), now],
  });
}

export async function shortLink(pool: pg.Pool, code: string): Promise<ShortLink | null> {
  const { rows } = await pool.query({ name: 'wm-short-link', text: 'SELECT code, message_id, url FROM short_links WHERE code = $1', values: [code] });
  const row = rows[0];
  return row ? { code: row.code as string, messageId: row.message_id as string, url: row.url as string } : null;
}
