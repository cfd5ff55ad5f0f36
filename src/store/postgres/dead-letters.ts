/**
 * Dead letters sent again: the dead messages a filter matches, read through messages_dead (the dead ones only,
 * oldest first), made pending in one statement, their failures taken back from their nodes' stats.
 */
import type pg from 'pg';
import { MAX_REQUEUE, type DeadLetterFilter } from '../store.ts';

/**
 * The seqs of the dead letters a filter matches, oldest first, at most MAX_REQUEUE, its values pushed onto
 * `values`. Only the fields given are compared, so each combination is planned for what it asks.
 */
function picked(filter: DeadLetterFilter, values: unknown[]): string {
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = ["status = 'dead'"];
  if ('ids' in filter) where.push(`id = ANY (${param([...filter.ids])}::text[])`);
  else {
    if (filter.journeyId !== undefined) where.push(`journey_id = ${param(filter.journeyId)}`);
    if (filter.nodeId !== undefined) where.push(`node_id = ${param(filter.nodeId)}`);
    if (filter.userId !== undefined) where.push(`user_id = ${param(filter.userId)}`);
    if (filter.channel !== undefined) where.push(`channel = ${param(filter.channel)}`);
    if (filter.since !== undefined) where.push(`created_at >= ${param(filter.since)}`);
    if (filter.until !== undefined) where.push(`created_at < ${param(filter.until)}`);
  }
  return `SELECT seq FROM messages WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${param(MAX_REQUEUE)}`;
}

/**
 * One statement: the dead letters are locked (a second requeue at once waits, then finds them pending and
 * leaves them), made pending, and each one's failure is taken back from its node's counter, the counters
 * in key order as every writer of the stats rows takes them.
 */
export async function requeueDeadMessages(pool: pg.Pool, filter: DeadLetterFilter, now: number): Promise<number> {
  const values: unknown[] = [now];
  const { rows } = await pool.query({
    text: `WITH picked AS MATERIALIZED (${picked(filter, values)} FOR UPDATE),
           requeued AS (
             UPDATE messages m SET status = 'pending', attempts = 0, claims = 0, next_attempt_at = $1, sent_at = NULL, lease_until = NULL, sending_at = NULL
             FROM picked p WHERE m.seq = p.seq AND m.status = 'dead'
             RETURNING m.journey_id, m.version, m.node_id
           ),
           uncounted AS (
             INSERT INTO stats (journey_id, version, node_id, metric, count)
             SELECT journey_id, version, node_id, 'node_failed', -count(*) FROM requeued GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
             ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count
           )
           SELECT count(*)::int AS n FROM requeued`,
    values,
  });
  return rows[0].n as number;
}

export async function countDeadMessages(pool: pg.Pool, filter: DeadLetterFilter): Promise<number> {
  const values: unknown[] = [];
  const { rows } = await pool.query({ text: `SELECT count(*)::int AS n FROM (${picked(filter, values)}) AS dead`, values });
  return rows[0].n as number;
}
