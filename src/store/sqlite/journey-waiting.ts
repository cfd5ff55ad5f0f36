/** Where a journey's users are now: its active instances counted by version and node. */
import type { WaitingRow } from '../store.ts';
import type { Sql } from './connection.ts';
import { LIVE } from './sqlite-rows.ts';

/**
 * LIVE is the partial index's own condition, spelled out so SQLite reads instances_live_by_journey
 * (journey_id) rather than every instance: the cost is the journey's live instances, with the node from
 * its own column (migration 006), not from the state's JSON.
 */
export const WAITING_OF_JOURNEY = `
  SELECT version, node_id, count(*) AS n
  FROM instances
  WHERE journey_id = ? AND ${LIVE} AND status = 'active'
  GROUP BY version, node_id`;

export function journeyWaiting(sql: Sql, journeyId: string): WaitingRow[] {
  return sql
    .all(WAITING_OF_JOURNEY, journeyId)
    .filter((r) => typeof r.node_id === 'string')
    .map((r) => ({ version: r.version as number, nodeId: r.node_id as string, count: r.n as number }));
}
