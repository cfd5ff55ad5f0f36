/**
 * Scheduled entries: a run of a journey's schedule pages through the profiles in user id order, reads the
 * events of each page's users, and saves its cursor as it goes. A run is claimed with one upsert on
 * journey_runs, leased on the engine's clock: the row lock makes the insert, or the take-over of a run whose
 * lease has run out, happen once.
 */
import type pg from 'pg';
import { earliestByName, type EventRange } from '../../core/segment.ts';
import type { Profile, RunClaim, StoredEvent } from '../store.ts';
import { MIN_TIMESTAMP, type Row } from '../rows.ts';
import { EVENTS_IN_RANGES_OF_USERS } from './batch-lookups.ts';
import { toEvent, toProfile, unique } from './pg-rows.ts';

export async function scanProfiles(pool: pg.Pool, after: string | null, limit: number): Promise<Profile[]> {
  const { rows } =
    after === null
      ? await pool.query({ name: 'wm-scan-profiles-first', text: 'SELECT user_id, traits, updated_at FROM profiles ORDER BY user_id LIMIT $1', values: [limit] })
      : await pool.query({
          name: 'wm-scan-profiles',
          text: 'SELECT user_id, traits, updated_at FROM profiles WHERE user_id > $1::text COLLATE "C" ORDER BY user_id LIMIT $2',
          values: [after, limit],
        });
  return (rows as Row[]).map(toProfile);
}

export async function eventsOfUsers(pool: pg.Pool, userIds: readonly string[], ranges: readonly EventRange[]): Promise<StoredEvent[]> {
  if (userIds.length === 0 || ranges.length === 0) return [];
  const perName = earliestByName(ranges);
  const sinces = perName.map((r) => r.since ?? MIN_TIMESTAMP);
  const { rows } = await pool.query({
    name: 'wm-events-in-ranges-of-users',
    text: EVENTS_IN_RANGES_OF_USERS,
    values: [unique([...userIds]), perName.map((r) => r.name), sinces, Math.min(...sinces)],
  });
  return (rows as Row[]).map(toEvent);
}

/**
 * One statement, race-free: the insert, or the take-over of an unfinished run whose lease has run out,
 * happens under the row's lock, and a second claimer re-checks the lease on the row as the first left it.
 */
export async function claimRun(pool: pg.Pool, journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
  const { rows } = await pool.query({
    name: 'wm-claim-run',
    text: `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES ($1, $2, NULL, $3, NULL)
           ON CONFLICT (journey_id, run_at) DO UPDATE SET lease_until = excluded.lease_until
           WHERE journey_runs.finished_at IS NULL AND (journey_runs.lease_until IS NULL OR journey_runs.lease_until <= $4)
           RETURNING cursor`,
    values: [journeyId, runAt, now + leaseMs, now],
  });
  return rows[0] ? { cursor: (rows[0].cursor as string | null) ?? null } : null;
}

/** The cursor only moves forward ("C" order): a late save of an owner that lost its lease does not rewind the run. */
export async function saveRunCursor(pool: pg.Pool, journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
  await pool.query({
    name: 'wm-save-run-cursor',
    text: `UPDATE journey_runs SET cursor = CASE WHEN cursor IS NULL OR cursor < $3::text COLLATE "C" THEN $3 ELSE cursor END, lease_until = $4
           WHERE journey_id = $1 AND run_at = $2 AND finished_at IS NULL`,
    values: [journeyId, runAt, cursor, now + leaseMs],
  });
}

export async function finishRun(pool: pg.Pool, journeyId: string, runAt: number, now: number): Promise<void> {
  await pool.query({
    name: 'wm-finish-run',
    text: `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES ($1, $2, NULL, NULL, $3)
           ON CONFLICT (journey_id, run_at) DO UPDATE SET finished_at = coalesce(journey_runs.finished_at, excluded.finished_at), lease_until = NULL`,
    values: [journeyId, runAt, now],
  });
}
