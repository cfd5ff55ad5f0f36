/** Each ingesting process's oldest queued call (Store.setIngestWaiting, Store.ingestWaitingElsewhere). */
import type pg from 'pg';

/** One statement: the process's row, or none when nothing is queued. */
export async function setIngestWaiting(pool: pg.Pool, processId: string, since: number | null, now: number): Promise<void> {
  if (since === null) {
    await pool.query({ name: 'wm-ingest-waiting-clear', text: 'DELETE FROM ingest_waiting WHERE process_id = $1', values: [processId] });
    return;
  }
  await pool.query({
    name: 'wm-ingest-waiting-set',
    text: `INSERT INTO ingest_waiting (process_id, waiting_since, said_at) VALUES ($1, $2, $3)
           ON CONFLICT (process_id) DO UPDATE SET waiting_since = excluded.waiting_since, said_at = excluded.said_at`,
    values: [processId, since, now],
  });
}

/** The earliest oldest-queued call of the other processes that said so at or after `freshSince`. */
export async function ingestWaitingElsewhere(pool: pg.Pool, processId: string, freshSince: number): Promise<number | null> {
  const { rows } = await pool.query<{ since: string | null }>({
    name: 'wm-ingest-waiting-elsewhere',
    text: 'SELECT min(waiting_since) AS since FROM ingest_waiting WHERE process_id <> $1 AND said_at >= $2',
    values: [processId, freshSince],
  });
  const since = rows[0]?.since ?? null;
  return since === null ? null : Number(since);
}
