/** A user's latest event of a name, for the message preview. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { StoredEvent } from '../store.ts';
import { toEvent } from './pg-rows.ts';

/**
 * The user's newest `lookback` events down events_by_user (user_id, ts, seq), then the latest of the name
 * among them: a user's events of other names cost a look each, never more than `lookback` of them. An
 * out-of-line (TOASTed) properties value is fetched only for the row returned.
 */
export const LATEST_USER_EVENT = `
  SELECT message_id, user_id, name, ts, properties, received_at
  FROM (SELECT seq, message_id, user_id, name, ts, properties, received_at FROM events WHERE user_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2) AS recent
  WHERE $3::text IS NULL OR name = $3
  ORDER BY ts DESC, seq DESC LIMIT 1`;

export async function latestUserEvent(pool: pg.Pool, userId: string, name: string | null, lookback: number): Promise<StoredEvent | null> {
  const { rows } = await pool.query({ name: 'wm-latest-user-event', text: LATEST_USER_EVENT, values: [userId, lookback, name] });
  return rows[0] ? toEvent(rows[0] as Row) : null;
}
