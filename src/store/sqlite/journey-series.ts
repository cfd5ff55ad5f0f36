/** A journey's entries and conversions over time, counted per slot from its instances. */
import type { SeriesQuery, SeriesSlot } from '../store.ts';
import type { Sql } from './connection.ts';

/**
 * Instance ids are "<journey id>:<entry event id>" and journey ids have no ':', so a journey's instances are
 * the primary key's range [id + ':', id + ';'), and that range alone names the journey (a condition on
 * journey_id would tempt the planner into an index led by user_id): read through it, not the whole table. Those that entered and
 * also left before the window are skipped on their columns; the others' state gives when they converted, and
 * node_id whether they were held out (an entered instance at no node is a control one: the interpreter clears the node
 * only when it holds a user out, and nothing sets it again). Slots count from @from; better-sqlite3 binds numbers
 * as REAL, hence the casts of the quotients.
 */
export const SERIES_OF_JOURNEY = `
  WITH mine AS MATERIALIZED (
    SELECT entered_at, json_extract(state, '$.convertedAt') AS converted_at, node_id IS NULL AS control
    FROM instances
    WHERE id >= @lo AND id < @hi AND entered_at IS NOT NULL
      AND (entered_at >= @from OR exited_at IS NULL OR exited_at >= @from)
  )
  SELECT slot, sum(entered) AS entered, sum(control) AS control, sum(goal) AS goal, sum(control_goal) AS control_goal
  FROM (
    SELECT CAST((entered_at - @from) / @slot AS INTEGER) AS slot, 1 - control AS entered, control, 0 AS goal, 0 AS control_goal
    FROM mine WHERE entered_at >= @from AND entered_at < @to
    UNION ALL
    SELECT CAST((converted_at - @from) / @slot AS INTEGER), 0, 0, 1 - control, control
    FROM mine WHERE converted_at >= @from AND converted_at < @to
  )
  GROUP BY slot ORDER BY slot`;

export function journeySeries(sql: Sql, journeyId: string, q: SeriesQuery): SeriesSlot[] {
  const rows = sql.all(SERIES_OF_JOURNEY, { lo: `${journeyId}:`, hi: `${journeyId};`, from: q.from, to: q.to, slot: q.slotMs });
  return rows.map((r) => ({
    at: q.from + (r.slot as number) * q.slotMs,
    entered: r.entered as number,
    control: r.control as number,
    goal: r.goal as number,
    controlGoal: r.control_goal as number,
  }));
}
