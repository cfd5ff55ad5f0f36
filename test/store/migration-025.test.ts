/**
 * SQLite migration 025 on rows in place: a user's live passes and the ones that are over move into one index
 * (instances_by_user_exit). A unit of work reads the same live passes, the API lists the same passes (the ones
 * that are over by when they exited), a second live pass of a journey is still refused, and an exit written
 * after the migration takes its place in the list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { instanceState } from '../../src/store/sqlite/sqlite-rows.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { EventBatchView } from '../../src/store/store.ts';
import { seededPass, sqliteBefore } from './migration-fixture.ts';

const pass = (id: string, userId: string, journeyId: string, exitAt: number | null): Instance => seededPass(id, userId, exitAt, { journeyId });

/** An instance row as releases 23 and 24 wrote it: the entry event in its column, updated_at when written. */
const INSERT_V24 = `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, node_id, entry, state, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
function v24Values(i: Instance, writtenAt: number): unknown[] {
  return [i.id, i.journeyId, i.version, i.userId, i.status, i.wakeAt, i.enteredAt, i.exit?.at ?? null, i.nodeId, JSON.stringify(i.entryEvent), instanceState(i), writtenAt];
}

test('SQLite migration 025 on rows in place: one index of a user\'s passes, the same reads, one live pass a journey still', async () => {
  const file = sqliteBefore(25, (db) => {
    const insert = db.prepare(INSERT_V24);
    insert.run(...v24Values(pass('cart:1', 'u1', 'cart', 300), 900));
    insert.run(...v24Values(pass('cart:2', 'u1', 'cart', null), 800));
    insert.run(...v24Values(pass('promo:1', 'u1', 'promo', 400), 400));
    insert.run(...v24Values(pass('cart:3', 'u2', 'cart', null), 100));
  });
  const store = new SqliteStore(file);
  try {
    const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'instances'").all() as Array<{ name: string }>).map((r) => r.name);
    assert.ok(indexes.includes('instances_by_user_exit'), indexes.join(', '));
    for (const gone of ['instances_live_by_user', 'instances_exited_by_user']) assert.ok(!indexes.includes(gone), indexes.join(', '));

    let view: EventBatchView | null = null;
    await store.ingestEvents([{ messageId: 'after', userId: 'u1', name: 'Opened', timestamp: 1, properties: {} }], 1_000, (v) => {
      view = v;
      return { instances: [], messages: [], stats: [] };
    });
    assert.deepEqual(view!.live.get('u1')?.map((i) => i.id), ['cart:2']);
    assert.deepEqual(Object.fromEntries(view!.lastExits.get('u1') ?? []), { cart: 300, promo: 400 });

    // The live pass by its last write (800), the others by their exits (400, 300).
    assert.deepEqual((await store.userInstances('u1')).map((i) => i.id), ['cart:2', 'promo:1', 'cart:1']);
    const first = await store.userInstancePage('u1', { limit: 2 });
    assert.deepEqual(first.items.map((i) => i.id), ['cart:2', 'promo:1']);
    assert.deepEqual((await store.userInstancePage('u1', { limit: 2, cursor: first.nextCursor! })).items.map((i) => i.id), ['cart:1']);

    assert.throws(() => store.db.prepare(INSERT_V24).run(...v24Values(pass('cart:4', 'u1', 'cart', null), 1_000)), /UNIQUE constraint failed: index 'instances_by_user_exit'/);

    // The live pass exits at 950, written at 2,000: it moves to the exits, listed by 950.
    const live = (await store.userInstances('u1'))[0]!;
    await store.ingestEvents([{ messageId: 'exit', userId: 'u1', name: 'Opened', timestamp: 2, properties: {} }], 2_000, () => ({
      instances: [{ ...live, status: 'exited', nodeId: null, wakeAt: null, exit: { reason: 'completed', at: 950, nodeId: 'wait' } }],
      messages: [],
      stats: [],
    }));
    assert.deepEqual((await store.userInstances('u1')).map((i) => [i.id, i.status]), [['cart:2', 'exited'], ['promo:1', 'exited'], ['cart:1', 'exited']]);
    assert.deepEqual((await store.userInstances('u2')).map((i) => i.id), ['cart:3']);
    // A new live pass of cart is allowed now that the first is over.
    await store.ingestEvents([{ messageId: 'again', userId: 'u1', name: 'Opened', timestamp: 3, properties: {} }], 3_000, () => ({ instances: [pass('cart:5', 'u1', 'cart', null)], messages: [], stats: [] }));
    assert.deepEqual((await store.userInstances('u1')).map((i) => i.id), ['cart:5', 'cart:2', 'promo:1', 'cart:1']);
  } finally {
    await store.close();
  }
});
