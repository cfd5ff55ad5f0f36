/** The catalog's sample of profiles: in user id order (the primary key), cut at a budget of stored traits. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import { sampleOf } from '../samples.ts';
import type { Sample } from '../store.ts';

/**
 * User id order, not the newest: profiles have no index on updated_at, and one would cost every profile
 * write (and its HOT updates). pg_column_size reads a value's stored size without fetching it; the traits of
 * a kept row are fetched by its key.
 */
export const FIRST_PROFILES = `
  SELECT CASE WHEN w.running - w.size < $1 THEN (SELECT p.traits FROM profiles p WHERE p.user_id = w.user_id) END AS traits
  FROM (
    SELECT user_id, size, sum(size) OVER (ORDER BY user_id) AS running
    FROM (SELECT user_id, pg_column_size(traits) AS size FROM profiles ORDER BY user_id LIMIT $2) AS n
  ) AS w
  ORDER BY w.user_id`;

export async function profileSample(pool: pg.Pool, limit: number, maxBytes: number): Promise<Sample<Record<string, unknown>>> {
  const { rows } = await pool.query({ name: 'wm-profile-sample', text: FIRST_PROFILES, values: [maxBytes, limit + 1] });
  return sampleOf((rows as Row[]).map((r) => (r.traits as Record<string, unknown> | null) ?? null), limit);
}
