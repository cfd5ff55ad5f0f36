/** Scheduled entries: the scan of the profiles, their users' events, and the leased runs (journey_runs). */
import { earliestByName, type EventRange } from '../../core/segment.ts';
import type { Profile, RunClaim, StoredEvent } from '../store.ts';
import { MIN_TIMESTAMP } from '../rows.ts';
import { unique } from '../views.ts';
import type { Sql } from './connection.ts';
import { toEvent, toProfile } from './sqlite-rows.ts';

export function scanProfiles(sql: Sql, after: string | null, limit: number): Profile[] {
  const rows = after === null ? sql.all('SELECT * FROM profiles ORDER BY user_id LIMIT ?', limit) : sql.all('SELECT * FROM profiles WHERE user_id > ? ORDER BY user_id LIMIT ?', after, limit);
  return rows.map(toProfile);
}

/**
 * One statement: the users and the ranges come as JSON arrays, and each (user, range) pair is one range of
 * events_by_user (user_id, ts, name) whose entries' names are tested in the index, so only the rows of wanted
 * events are read (CROSS JOIN keeps that order). Sorted by user in SQL (byte order, as PostgreSQL's "C").
 */
export function eventsOfUsers(sql: Sql, userIds: readonly string[], ranges: readonly EventRange[]): StoredEvent[] {
  if (userIds.length === 0 || ranges.length === 0) return [];
  const rows = sql.all(
    `SELECT e.* FROM json_each(?) AS u CROSS JOIN json_each(?) AS r
       CROSS JOIN events e ON e.user_id = u.value AND e.name = r.value ->> 0 AND e.ts >= r.value ->> 1
     ORDER BY e.user_id, e.ts, e.seq`,
    JSON.stringify(unique([...userIds])),
    JSON.stringify(earliestByName(ranges).map((r) => [r.name, r.since ?? MIN_TIMESTAMP])),
  );
  return rows.map(toEvent);
}

/** Inserts the run, or takes it over when it is unfinished and its lease has run out; null otherwise. */
export function claimRun(sql: Sql, journeyId: string, runAt: number, now: number, leaseMs: number): RunClaim | null {
  const row = sql.get(
    `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES (?, ?, NULL, ?, NULL)
     ON CONFLICT (journey_id, run_at) DO UPDATE SET lease_until = excluded.lease_until
     WHERE journey_runs.finished_at IS NULL AND (journey_runs.lease_until IS NULL OR journey_runs.lease_until <= ?)
     RETURNING cursor`,
    journeyId,
    runAt,
    now + leaseMs,
    now,
  );
  return row ? { cursor: (row.cursor as string | null) ?? null } : null;
}

/** The cursor only moves forward (a late save of an owner that lost its lease does not rewind the run). */
export function saveRunCursor(sql: Sql, journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): void {
  sql.run(
    `UPDATE journey_runs SET cursor = CASE WHEN cursor IS NULL OR cursor < @cursor THEN @cursor ELSE cursor END, lease_until = @leaseUntil
     WHERE journey_id = @journeyId AND run_at = @runAt AND finished_at IS NULL`,
    { journeyId, runAt, cursor, leaseUntil: now + leaseMs },
  );
}

export function finishRun(sql: Sql, journeyId: string, runAt: number, now: number): void {
  sql.run(
    `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES (?, ?, NULL, NULL, ?)
     ON CONFLICT (journey_id, run_at) DO UPDATE SET finished_at = coalesce(journey_runs.finished_at, excluded.finished_at), lease_until = NULL`,
    journeyId,
    runAt,
    now,
  );
}
