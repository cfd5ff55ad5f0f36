/** The events recorded in a window, a page at a time, for a backtest to replay. */
import { decodeCursor, pageOf, type Page } from '../pages.ts';
import type { EventWindowQuery, StoredEvent } from '../store.ts';
import type { Sql } from './connection.ts';
import { toEvent } from './sqlite-rows.ts';

/**
 * Keyset (received_at, seq) through events_by_received_at (whose entries end with the rowid, seq): each page
 * starts where the last one ended. Only the rows of the cursor's own millisecond are passed over again.
 */
export const EVENT_WINDOW = `
  SELECT * FROM events
  WHERE received_at >= @afterAt AND (received_at > @afterAt OR seq > @afterSeq)
    AND received_at < @to AND ts >= @from AND ts < @to
  ORDER BY received_at, seq LIMIT @limit`;

export function eventWindow(sql: Sql, q: EventWindowQuery): Page<StoredEvent> {
  const [afterAt, afterSeq] = q.cursor === undefined ? [q.from, 0] : decodeCursor(q.cursor, ['number', 'number']);
  const rows = sql.all(EVENT_WINDOW, { afterAt: Math.max(afterAt as number, q.from), afterSeq, from: q.from, to: q.to, limit: q.limit + 1 });
  const page = pageOf(rows, q.limit, (r) => [r.received_at as number, r.seq as number]);
  return { items: page.items.map(toEvent), nextCursor: page.nextCursor };
}
