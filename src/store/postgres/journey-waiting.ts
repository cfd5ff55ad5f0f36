/** Where a journey's users are now: its active instances counted by version and node. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { WaitingRow } from '../store.ts';
import { LIVE } from './pg-rows.ts';

/**
 * LIVE is the partial index's own condition, spelled out so the plan reads instances_one_live
 * (journey_id, ...) rather than every instance: the cost is the journey's live instances, with the node from
 * its own column (migration 006), not from the state's JSON.
 */
export const WAITING_OF_JOURNEY = `
  SELECT version, node_id, count(*) AS n
  FROM instances
  WHERE journey_id = $1 AND ${LIVE} AND status = 'active'
  GROUP BY version, node_id`;

export async function journeyWaiting(pool: pg.Pool, journeyId: string): Promise<WaitingRow[]> {
  const { rows } = await pool.query({ name: 'wm-journey-waiting', text: WAITING_OF_JOURNEY, values: [journeyId] });
  return (rows as Row[])
    .filter((r) => typeof r.node_id === 'string')
    .map((r) => ({ version: r.version as number, nodeId: r.node_id as string, count: r.n as number }));
}
