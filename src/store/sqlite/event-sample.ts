/** The catalog's sample of events: the newest by arrival (seq), cut at a budget of stored properties. */
import type { Sample, SampledEvent } from '../store.ts';
import { sampleOf } from '../samples.ts';
import type { Sql } from './connection.ts';

/**
 * seq is the rowid, so the newest rows are the end of the table. octet_length reads a value's size from the
 * record header without loading it, and properties past the budget are never fetched.
 */
const NEWEST_EVENTS = `
  SELECT w.name, w.ts, CASE WHEN w.running - w.size < @maxBytes THEN (SELECT e.properties FROM events e WHERE e.seq = w.seq) END AS properties
  FROM (
    SELECT seq, name, ts, size, sum(size) OVER (ORDER BY seq DESC) AS running
    FROM (SELECT seq, name, ts, octet_length(properties) AS size FROM events ORDER BY seq DESC LIMIT @rows)
  ) AS w
  ORDER BY w.seq DESC`;

export function eventSample(sql: Sql, limit: number, maxBytes: number): Sample<SampledEvent> {
  const rows = sql.all(NEWEST_EVENTS, { maxBytes, rows: limit + 1 });
  const values = rows.map((r) =>
    r.properties === null ? null : { name: r.name as string, timestamp: r.ts as number, properties: JSON.parse(r.properties as string) as Record<string, unknown> },
  );
  return sampleOf(values, limit);
}
