/** A journey's entries and conversions over time, counted per slot from its instances. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { SeriesQuery, SeriesSlot } from '../store.ts';

/**
 * Instance ids are "<journey id>:<entry event id>" and journey ids have no ':', so a journey's instances are
 * the primary key's range [$1, $2) = [id + ':', id + ';') (the "C" collation compares bytes), and that range
 * alone names the journey (a condition on journey_id would tempt the planner into instances_entered_by_user,
 * led by user_id, and so scanned whole): read through it, not the whole table. Those that entered and also left before the window are skipped on their columns; the
 * others' state gives when they converted and whether they were held out (an entered instance at no node is a
 * control one: the interpreter clears the node only when it holds a user out, and nothing sets it again).
 * $3 from, $4 to, $5 the slot length; slots count from $3.
 */
export const SERIES_OF_JOURNEY = `
  WITH mine AS MATERIALIZED (
    SELECT entered_at, floor((state ->> 'convertedAt')::numeric)::bigint AS converted_at, (state ->> 'nodeId') IS NULL AS control
    FROM instances
    WHERE id >= $1 AND id < $2 AND entered_at IS NOT NULL
      AND (entered_at >= $3 OR exited_at IS NULL OR exited_at >= $3)
  )
  SELECT slot, sum(entered) AS entered, sum(control) AS control, sum(goal) AS goal, sum(control_goal) AS control_goal
  FROM (
    SELECT (entered_at - $3::bigint) / $5::bigint AS slot, (NOT control)::int AS entered, control::int AS control, 0 AS goal, 0 AS control_goal
    FROM mine WHERE entered_at >= $3 AND entered_at < $4
    UNION ALL
    SELECT (converted_at - $3::bigint) / $5::bigint, 0, 0, (NOT control)::int, control::int
    FROM mine WHERE converted_at >= $3 AND converted_at < $4
  ) AS counted
  GROUP BY slot ORDER BY slot`;

export async function journeySeries(pool: pg.Pool, journeyId: string, q: SeriesQuery): Promise<SeriesSlot[]> {
  const { rows } = await pool.query({
    name: 'wm-journey-series',
    text: SERIES_OF_JOURNEY,
    values: [`${journeyId}:`, `${journeyId};`, q.from, q.to, q.slotMs],
  });
  return (rows as Row[]).map((r) => ({
    at: q.from + (r.slot as number) * q.slotMs,
    entered: r.entered as number,
    control: r.control as number,
    goal: r.goal as number,
    controlGoal: r.control_goal as number,
  }));
}
