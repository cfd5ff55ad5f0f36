/**
 * Migration 006 on a database made by the earlier migrations, with instances in it: each gets its node in the
 * new node_id column, from its state, so the count of a journey's users per node (journeyWaiting) reads the
 * column and still finds the instances written before it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { INSERT_INSTANCE, instanceValues, onPostgresBefore, sqliteBefore } from './migration-fixture.ts';
import { withPostgres } from './postgres-fixture.ts';

function at(id: string, nodeId: string | null, status: Instance['status']): Instance {
  return {
    id, journeyId: 'cart', version: 1, userId: `u-${id}`, status, nodeId, wakeAt: status === 'active' ? 5_000 : null, createdAt: 1, enteredAt: 1, step: 1,
    entryEvent: { messageId: `e-${id}`, name: 'Added to Cart', timestamp: 1, properties: {} }, nodeUntil: null, timeoutAt: null, convertedAt: null,
    exit: status === 'exited' ? { reason: 'completed', at: 2, nodeId } : null,
  };
}

/** Two users wait at the delay, one at the wait; one has left (not counted), one is pending (not counted). */
const INSTANCES = [at('a', 'delay', 'active'), at('b', 'delay', 'active'), at('c', 'wait', 'active'), at('d', 'done', 'exited'), at('e', null, 'pending')];

async function checkMigrated(store: Store): Promise<void> {
  const rows = (await store.journeyWaiting('cart')).map((r) => [r.version, r.nodeId, r.count]).sort();
  assert.deepEqual(rows, [
    [1, 'delay', 2],
    [1, 'wait', 1],
  ]);
}

await withPostgres('PostgreSQL migration 006', () => {
  test('PostgreSQL migration 006 gives existing instances their node column, and the count per node finds them', async () => {
    await onPostgresBefore(
      6,
      async (client) => {
        for (const i of INSTANCES) await client.query(INSERT_INSTANCE.postgres, instanceValues(i));
      },
      (store) => checkMigrated(store),
    );
  });
});

test('SQLite migration 006 gives existing instances their node column, and the count per node finds them', async () => {
  const file = sqliteBefore(6, (db) => {
    for (const i of INSTANCES) db.prepare(INSERT_INSTANCE.sqlite).run(...instanceValues(i));
  });
  const store = new SqliteStore(file);
  try {
    await checkMigrated(store);
  } finally {
    await store.close();
  }
});
