/** The catalog's sample of events: the newest by arrival (seq), cut at a budget of stored properties. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import { sampleOf } from '../samples.ts';
import type { Sample, SampledEvent } from '../store.ts';

/**
 * seq descending walks every day partition's primary key backwards, merged (a probe per partition, then
 * the newest rows). pg_column_size reads a value's stored size without decompressing or fetching it; the
 * properties of a kept row are fetched by their key, the partition pruned at run time by received_at.
 */
export const NEWEST_EVENTS = `
  SELECT w.name, w.ts,
         CASE WHEN w.running - w.size < $1 THEN (SELECT e.properties FROM events e WHERE e.seq = w.seq AND e.received_at = w.received_at) END AS properties
  FROM (
    SELECT seq, received_at, name, ts, size, sum(size) OVER (ORDER BY seq DESC) AS running
    FROM (SELECT seq, received_at, name, ts, pg_column_size(properties) AS size FROM events ORDER BY seq DESC LIMIT $2) AS n
  ) AS w
  ORDER BY w.seq DESC`;

export async function eventSample(pool: pg.Pool, limit: number, maxBytes: number): Promise<Sample<SampledEvent>> {
  const { rows } = await pool.query({ name: 'wm-event-sample', text: NEWEST_EVENTS, values: [maxBytes, limit + 1] });
  const values = (rows as Row[]).map((r) =>
    r.properties === null ? null : { name: r.name as string, timestamp: r.ts as number, properties: r.properties as Record<string, unknown> },
  );
  return sampleOf(values, limit);
}
