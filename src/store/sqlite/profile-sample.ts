/** The catalog's sample of profiles: in user id order (the primary key), cut at a budget of stored traits. */
import type { Sample } from '../store.ts';
import { sampleOf } from '../samples.ts';
import type { Sql } from './connection.ts';

/**
 * User id order, not the newest: profiles have no index on updated_at, and one would cost every profile
 * write. Traits past the budget are never fetched (octet_length reads the size from the record header). Found
 * again by user id, not rowid: over shards (store/shards/) the profiles are a view, which has none.
 */
const FIRST_PROFILES = `
  SELECT CASE WHEN w.running - w.size < @maxBytes THEN (SELECT p.traits FROM profiles p WHERE p.user_id = w.user_id) END AS traits
  FROM (
    SELECT user_id, size, sum(size) OVER (ORDER BY user_id) AS running
    FROM (SELECT user_id, octet_length(traits) AS size FROM profiles ORDER BY user_id LIMIT @rows)
  ) AS w
  ORDER BY w.user_id`;

export function profileSample(sql: Sql, limit: number, maxBytes: number): Sample<Record<string, unknown>> {
  const rows = sql.all(FIRST_PROFILES, { maxBytes, rows: limit + 1 });
  return sampleOf(rows.map((r) => (r.traits === null ? null : (JSON.parse(r.traits as string) as Record<string, unknown>))), limit);
}
