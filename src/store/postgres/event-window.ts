/** The events recorded in a window, a page at a time, for a backtest to replay. */
import type pg from 'pg';
import { decodeCursor, pageOf, type Page } from '../pages.ts';
import type { Row } from '../rows.ts';
import type { EventWindowQuery, StoredEvent } from '../store.ts';
import { toEvent } from './pg-rows.ts';

/**
 * Keyset on seq (arrival order): the window's received_at bounds prune the day partitions, and each one's
 * primary key (seq, received_at) is read from the cursor on, merged in seq order. A transaction that commits
 * a lower seq after a page has passed it is missed: a replay of the recent past may lack what arrives as it reads.
 * $1 from, $2 to, $3 the last seq read, $4 rows.
 */
export const EVENT_WINDOW = `
  SELECT seq, message_id, user_id, name, ts, properties, received_at FROM events
  WHERE received_at >= $1 AND received_at < $2 AND ts >= $1 AND ts < $2 AND seq > $3
  ORDER BY seq LIMIT $4`;

export async function eventWindow(pool: pg.Pool, q: EventWindowQuery): Promise<Page<StoredEvent>> {
  const [after] = q.cursor === undefined ? [0] : decodeCursor(q.cursor, ['number']);
  const { rows } = await pool.query({ name: 'wm-event-window', text: EVENT_WINDOW, values: [q.from, q.to, after, q.limit + 1] });
  const page = pageOf(rows as Row[], q.limit, (r) => [r.seq as number]);
  return { items: page.items.map(toEvent), nextCursor: page.nextCursor };
}
