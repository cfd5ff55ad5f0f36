/**
 * What changing a journey does to its live instances: stopping them (the journey stopped) and moving them to
 * a newly published version. Both lock the instance rows in id order, as every unit of work does (see
 * units-of-work.ts), and hold nothing else, so they wait for units of work, or are waited for, without a cycle.
 */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import { LIVE } from './pg-rows.ts';

/** Live instances looked at per statement (a transaction of its own) when moving instances to a new version. */
const MOVE_BATCH = 2_000;

export async function stopInstances(pool: pg.Pool, journeyId: string, now: number): Promise<number> {
  // One statement: lock the journey's live instances in id order (waiting for units of work holding
  // them), exit them with the same state change as the SQLite store, and count them per version.
  const { rows } = await pool.query({
    name: 'wm-stop-instances',
    text: `WITH target AS MATERIALIZED (
             SELECT id FROM instances WHERE journey_id = $1 AND ${LIVE} ORDER BY id FOR UPDATE
           ),
           stopped AS (
             UPDATE instances i SET status = 'exited', wake_at = NULL, exited_at = $2, updated_at = $2,
               state = (i.state::jsonb || jsonb_build_object('status', 'exited', 'wakeAt', NULL, 'nodeUntil', NULL,
                 'exit', jsonb_build_object('reason', 'stopped', 'at', $2::bigint, 'nodeId', coalesce(i.state::jsonb -> 'nodeId', 'null'::jsonb))))::json
             WHERE i.id = ANY (ARRAY(SELECT id FROM target)) AND ${LIVE}
             RETURNING i.version
           ),
           counted AS (
             INSERT INTO stats (journey_id, version, node_id, metric, count)
             SELECT $1, version, '', 'stopped', count(*) FROM stopped GROUP BY version ORDER BY version
             ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count
             RETURNING 1
           )
           SELECT count(*) AS n FROM stopped`,
    values: [journeyId, now],
  });
  return rows[0].n as number;
}

/**
 * In pages of the journey's live instances in user order (instances_one_live), one statement (and
 * transaction) each, so no user's units of work wait long. Each page's instances to move are locked in id
 * order, like every unit of work's (and stopInstances') row locks, so:
 *  - a unit of work that read an instance (it reads them FOR UPDATE, or claims them FOR UPDATE SKIP LOCKED)
 *    holds it until it commits: the move waits, then checks the instance again as that unit left it (still
 *    live, on another version, at a node to move) and moves that state, never an older one;
 *  - a unit of work that reads an instance during the move waits for it, then reads the moved state (the
 *    timer claim skips it until the next claim), so it never writes back the version it replaced.
 * Waits cannot form a cycle: everyone locks instance rows in id order, and the move holds nothing else.
 */
export async function moveInstances(pool: pg.Pool, journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
  let moved = 0;
  let after: string | null = null;
  for (;;) {
    const { rows } = await pool.query({
      name: after === null ? 'wm-move-instances-first' : 'wm-move-instances',
      text: moveInstancesSql(after !== null),
      values: [journeyId, toVersion, [...nodeIds], now, MOVE_BATCH, ...(after === null ? [] : [after])],
    });
    const row = rows[0] as Row;
    moved += row.moved as number;
    if ((row.scanned as number) < MOVE_BATCH) return moved;
    after = row.last as string;
  }
}

/**
 * One page of moveInstances: $1 journey, $2 the version to move to, $3 the node ids whose instances move,
 * $4 now, $5 the page size, $6 the last user id of the previous page (when `after`). Returns how many
 * moved, how many live instances the page held, and its last user id.
 */
function moveInstancesSql(after: boolean): string {
  return `WITH page AS MATERIALIZED (
            SELECT id, user_id FROM instances
            WHERE journey_id = $1 AND ${LIVE} ${after ? 'AND user_id > $6::text COLLATE "C"' : ''}
            ORDER BY user_id LIMIT $5
          ),
          target AS MATERIALIZED (
            SELECT id FROM instances
            WHERE id = ANY (ARRAY(SELECT id FROM page)) AND ${LIVE} AND version <> $2
              AND (state ->> 'nodeId' IS NULL OR state ->> 'nodeId' = ANY ($3::text[]))
            ORDER BY id FOR UPDATE
          ),
          moved AS (
            UPDATE instances i SET version = $2, state = jsonb_set(i.state::jsonb, '{version}', to_jsonb($2::int))::json, updated_at = $4
            WHERE i.id = ANY (ARRAY(SELECT id FROM target))
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM page) AS scanned,
                 (SELECT user_id FROM page ORDER BY user_id DESC LIMIT 1) AS last`;
}
