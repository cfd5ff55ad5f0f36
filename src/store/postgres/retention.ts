/**
 * Event retention: whole days of events go with their partitions (event-partitions.ts), then their dedupe
 * keys in event_ids, in batches.
 */
import type pg from 'pg';
import type { PruneResult } from '../store.ts';
import { DAY_MS, dayOf, type EventPartitions } from './event-partitions.ts';

/** event_ids rows deleted per statement when pruning: each batch is a short transaction of its own. */
const PRUNE_BATCH = 5_000;

export async function pruneEvents(pool: pg.Pool, partitions: EventPartitions, before: number): Promise<PruneResult> {
  // Whole days only: the rest of before's day stays, and so do its events' ids.
  const cut = dayOf(before) * DAY_MS;
  const events = await partitions.dropBefore(cut);
  // The dedupe keys after the events (a failure in between leaves keys of dropped events, never events
  // without their keys), in batches: each a short statement of its own.
  for (;;) {
    const { rowCount } = await pool.query({
      name: 'wm-prune-event-ids',
      text: 'DELETE FROM event_ids WHERE message_id IN (SELECT message_id FROM event_ids WHERE received_at < $1 LIMIT $2)',
      values: [cut, PRUNE_BATCH],
    });
    if ((rowCount ?? 0) < PRUNE_BATCH) break;
  }
  return { events, before: cut };
}
