/** Retention: events received before a cut are deleted, oldest first, in bounded steps. */
import type { PruneResult } from '../store.ts';
import type { Sql } from './connection.ts';

/** Events deleted per transaction when pruning, so ingest never waits long behind retention. */
const PRUNE_BATCH = 5_000;

/** Deletes in batches, oldest first; the dedupe keys (message_id is unique in events) go with the rows. */
export async function pruneEvents(sql: Sql, before: number): Promise<PruneResult> {
  let events = 0;
  for (;;) {
    const { changes } = sql.run('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)', before, PRUNE_BATCH);
    events += changes;
    if (changes < PRUNE_BATCH) return { events, before };
    // The store is synchronous: between batches, let the server read requests.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
