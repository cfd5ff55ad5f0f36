/** A user's latest event of a name, for the message preview. */
import type { StoredEvent } from '../store.ts';
import type { Sql } from './connection.ts';
import { toEvent } from './sqlite-rows.ts';

/**
 * Walks the user's newest `lookback` events down events_by_user (user_id, ts, name; seq is the rowid) and
 * reads the whole row of the one it picks only: the names are in the index.
 */
const LATEST = `
  SELECT * FROM events WHERE seq = (
    SELECT seq FROM (SELECT seq, ts, name FROM events WHERE user_id = @userId ORDER BY ts DESC, seq DESC LIMIT @lookback)
    WHERE @name IS NULL OR name = @name
    ORDER BY ts DESC, seq DESC LIMIT 1
  )`;

export function latestUserEvent(sql: Sql, userId: string, name: string | null, lookback: number): StoredEvent | null {
  const row = sql.get(LATEST, { userId, name, lookback });
  return row ? toEvent(row) : null;
}
