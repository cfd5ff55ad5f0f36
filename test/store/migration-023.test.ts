/**
 * SQLite migration 023 on a database with rows in it: an instance's entry event moves to its own column and
 * its state keeps only what no column holds. Every instance reads back as it was written, and goes on from
 * there: a timer moves a live one, an identity merge and a new version move others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { seededPass, SQLITE_INSERT_WHOLE_RECORD, sqliteBefore, wholeRecordValues } from './migration-fixture.ts';

const PROPERTIES = { productName: 'Trail Shoes', price: 89.99, sizes: [42, 43] };
const pass = (id: string, userId: string, exitAt: number | null, extra: Partial<Instance> = {}): Instance =>
  seededPass(id, userId, exitAt, { entryEvent: { messageId: id, name: 'Added to Cart', timestamp: 1, properties: PROPERTIES }, nodeUntil: exitAt === null ? 5_000 : null, ...extra });

const LIVE = pass('cart:live', 'u1', null, { wakeNotBefore: 4_000, outcomes: [{ nodeId: 'push', outcome: 'sent', at: 2 }] });
const OVER = pass('cart:over', 'u1', 300, { convertedAt: 200 });
const ALIAS = pass('cart:alias', 'anon-1', null);

test('SQLite migration 023 on rows in place: every instance reads back as written, and moves on from there', async () => {
  const file = sqliteBefore(23, (db) => {
    for (const i of [LIVE, OVER, ALIAS]) db.prepare(SQLITE_INSERT_WHOLE_RECORD).run(...wholeRecordValues(i));
  });
  const store = new SqliteStore(file);
  try {
    const rows = store.db.prepare('SELECT id, entry, state FROM instances ORDER BY id').all() as Array<{ id: string; entry: string; state: string }>;
    for (const row of rows) {
      assert.equal(JSON.parse(row.state).entryEvent, undefined, `${row.id}: the event left the state`);
      assert.equal(JSON.parse(row.state).userId, undefined, `${row.id}: so did the columns' fields`);
      assert.equal(JSON.parse(row.entry).properties.price, 89.99);
    }
    assert.deepEqual(
      (await store.userInstances('u1')).sort((a, b) => a.id.localeCompare(b.id)),
      [LIVE, OVER],
    );

    // A timer moves the live one on; it keeps its entry event.
    let claimed: Instance[] = [];
    await store.fireDueTimers(5_000, 10, (view) => {
      claimed = view.instances;
      return { instances: view.instances.filter((i) => i.id === LIVE.id).map((i) => ({ ...i, nodeId: 'sms', step: 2, wakeAt: 9_000 })), messages: [], stats: [] };
    });
    assert.deepEqual(claimed.map((i) => i.id).sort(), [ALIAS.id, LIVE.id].sort());
    assert.deepEqual(claimed.find((i) => i.id === LIVE.id), LIVE);
    const moved = (await store.userInstances('u1')).find((i) => i.id === LIVE.id)!;
    assert.deepEqual(moved, { ...LIVE, nodeId: 'sms', step: 2, wakeAt: 9_000 });

    // The alias's pass becomes u2's, and a new version takes it: both read from the columns.
    await store.mergeIdentity({ from: 'anon-1', into: 'u2' }, 10);
    assert.equal(await store.moveInstances('cart', 2, ['wait'], 20), 1);
    assert.deepEqual(await store.userInstances('u2'), [{ ...ALIAS, userId: 'u2', version: 2 }]);
  } finally {
    await store.close();
  }
});
