/**
 * The live-instance indexes rebuilt on a database with rows in it: SQLite's 022 (the one-live-pass rule in the
 * user's index, a journey's live instances by journey) and PostgreSQL's 021 (the index of entered passes holds
 * passes that are over). What a unit of work reads of a user, a journey's waiting counts and moving a journey's
 * instances come out as before, and a second live pass of a journey is still refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { EventBatchView, Store } from '../../src/store/store.ts';
import { onPostgresBefore, seededPass, SQLITE_INSERT_WHOLE_RECORD, sqliteBefore, WHOLE_RECORD_COLUMNS, wholeRecordValues } from './migration-fixture.ts';
import { withPostgres } from './postgres-fixture.ts';

const pass = (id: string, userId: string, journeyId: string, exitAt: number | null): Instance => seededPass(id, userId, exitAt, { journeyId });

const PASSES = [pass('cart:1', 'u1', 'cart', 300), pass('cart:2', 'u1', 'cart', null), pass('cart:3', 'u2', 'cart', null), pass('promo:1', 'u1', 'promo', 400)];

async function checkMigrated(store: Store): Promise<void> {
  let view: EventBatchView | null = null;
  await store.ingestEvents([{ messageId: 'after', userId: 'u1', name: 'Opened', timestamp: 1, properties: {} }], 10, (v) => {
    view = v;
    return { instances: [], messages: [], stats: [] };
  });
  assert.deepEqual(view!.live.get('u1')?.map((i) => i.id), ['cart:2']);
  assert.deepEqual([...(view!.entered.get('u1') ?? [])].sort(), ['cart', 'promo']);
  assert.deepEqual(Object.fromEntries(view!.lastExits.get('u1') ?? []), { cart: 300, promo: 400 });
  assert.deepEqual(await store.journeyWaiting('cart'), [{ version: 1, nodeId: 'wait', count: 2 }]);
  assert.equal(await store.moveInstances('cart', 2, ['wait'], 20), 2);
  assert.deepEqual((await store.userInstances('u2')).map((i) => [i.id, i.version]), [['cart:3', 2]]);
}

test('SQLite migration 022 on rows in place: the same reads, and one live pass a journey still', async () => {
  const file = sqliteBefore(22, (db) => {
    for (const i of PASSES) db.prepare(SQLITE_INSERT_WHOLE_RECORD).run(...wholeRecordValues(i));
  });
  const store = new SqliteStore(file);
  try {
    await checkMigrated(store);
    // The rule's index is the one of a user's passes since migration 025.
    const second = pass('cart:4', 'u1', 'cart', null);
    assert.throws(() => store.db.prepare(SQLITE_INSERT_WHOLE_RECORD).run(...wholeRecordValues(second)), /UNIQUE constraint failed: index 'instances_by_user_exit'/);
  } finally {
    await store.close();
  }
});

await withPostgres('PostgreSQL migration 021', () => {
  test('PostgreSQL migration 021 on rows in place: the same reads of entered journeys and their last exits', async () => {
    const placeholders = WHOLE_RECORD_COLUMNS.split(',').map((_, n) => `$${n + 1}`).join(', ');
    await onPostgresBefore(
      21,
      async (client) => {
        for (const i of PASSES) await client.query(`INSERT INTO instances (${WHOLE_RECORD_COLUMNS}) VALUES (${placeholders})`, wholeRecordValues(i));
      },
      (store) => checkMigrated(store),
    );
  });
});
