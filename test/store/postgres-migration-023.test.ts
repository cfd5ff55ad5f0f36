/**
 * PostgreSQL migration 023 on a schema with rows in it: an instance's entry event gets a column of its own.
 * Rows written before keep the event in their state until their next update moves it; every instance reads
 * back whole either way, and goes on from there: a timer, an event, an identity merge, a new version and a
 * journey's stop. An instance written since has its event in the column only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import type { Changes } from '../../src/store/store.ts';
import { insertWholeRecords, onPostgresBefore, seededPass } from './migration-fixture.ts';
import { type TestSchema, withPostgres } from './postgres-fixture.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const PROPERTIES = { productName: 'Trail Shoes “Ω” 🥾', price: 89.99, sizes: [42, 43], nested: { none: null } };
const pass = (id: string, userId: string, exitAt: number | null, extra: Partial<Instance> = {}): Instance =>
  seededPass(id, userId, exitAt, { entryEvent: { messageId: id, name: 'Added to Cart', timestamp: 1, properties: { ...PROPERTIES, id } }, nodeUntil: exitAt === null ? 5_000 : null, ...extra });

const LIVE = pass('cart:live', 'u1', null, { wakeNotBefore: 4_000, outcomes: [{ nodeId: 'push', outcome: 'sent', at: 2 }] });
const OVER = pass('cart:over', 'u1', 300, { convertedAt: 200 });
const ALIAS = pass('cart:alias', 'anon-1', null);
const WAITING = pass('cart:waiting', 'u3', null, { nodeId: 'push', wakeAt: 50_000 });
const NEW = pass('cart:new', 'u4', null, { nodeId: 'push', createdAt: 60, enteredAt: 60, wakeAt: 70_000 });

/** Where each instance's entry event is stored: its column, its state, both or neither. */
async function whereEntries(schema: TestSchema): Promise<Record<string, string>> {
  const rows = await schema.query<{ id: string; in_column: boolean; in_state: boolean }>(
    "SELECT id, entry IS NOT NULL AS in_column, state::jsonb ? 'entryEvent' AS in_state FROM instances ORDER BY id",
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.in_column ? (r.in_state ? 'both' : 'column') : r.in_state ? 'state' : 'neither']));
}

await withPostgres('PostgreSQL migration 023', () => {
  test('PostgreSQL migration 023 on rows in place: instances read back whole, an update moves the entry event to its column, a new one has it there only', async () => {
    await onPostgresBefore(
      23,
      async (client) => {
        await insertWholeRecords(client, [LIVE, OVER, ALIAS, WAITING]);
      },
      async (store, schema) => {
        assert.deepEqual(await whereEntries(schema), { 'cart:alias': 'state', 'cart:live': 'state', 'cart:over': 'state', 'cart:waiting': 'state' }, 'the migration rewrote no row');
        assert.deepEqual((await store.userInstances('u1')).sort((a, b) => a.id.localeCompare(b.id)), [LIVE, OVER]);
        assert.deepEqual((await store.userInstancePage('u1', { limit: 10 })).items.sort((a, b) => a.id.localeCompare(b.id)), [LIVE, OVER]);

        // A timer reads the live pass whole and moves it on: its event moves to the column.
        let claimed: Instance[] = [];
        await store.fireDueTimers(5_000, 10, (view) => {
          claimed = view.instances;
          return { ...NONE, instances: view.instances.filter((i) => i.id === LIVE.id).map((i) => ({ ...i, nodeId: 'sms', step: 2, wakeAt: 9_000 })) };
        });
        assert.deepEqual(claimed.find((i) => i.id === LIVE.id), LIVE);
        const moved = { ...LIVE, nodeId: 'sms', step: 2, wakeAt: 9_000 };
        assert.deepEqual((await store.userInstances('u1')).find((i) => i.id === LIVE.id), moved);

        // An event: the unit reads the moved pass whole, moves it again, and starts a new pass for another user.
        let live: Instance[] = [];
        await store.ingestEvents(
          [
            { messageId: 'e1', userId: 'u1', name: 'Viewed', timestamp: 50, properties: {} },
            { messageId: NEW.entryEvent.messageId, userId: 'u4', name: 'Added to Cart', timestamp: 60, properties: NEW.entryEvent.properties },
          ],
          60,
          (view) => {
            live = [...view.live.values()].flat();
            return { ...NONE, instances: [{ ...moved, step: 3 }, NEW] };
          },
        );
        assert.deepEqual(live, [moved]);
        assert.deepEqual(await store.userInstances('u1').then((all) => all.find((i) => i.id === LIVE.id)), { ...moved, step: 3 });
        assert.deepEqual(await store.userInstances('u4'), [NEW]);

        // The statements that change a state in SQL, on rows written before: a merge, a new version, a stop.
        await store.mergeIdentity({ from: 'anon-1', into: 'u2' }, 70);
        assert.deepEqual(await store.userInstances('u2'), [{ ...ALIAS, userId: 'u2' }]);
        assert.equal(await store.moveInstances('cart', 2, ['wait'], 80), 1, 'the alias pass, waiting at "wait"');
        assert.deepEqual(await store.userInstances('u2'), [{ ...ALIAS, userId: 'u2', version: 2 }]);
        assert.equal(await store.stopInstances('cart', 90), 4);
        const stopped = (i: Instance) => ({ ...i, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'stopped', at: 90, nodeId: i.nodeId } });
        assert.deepEqual(await store.userInstances('u3'), [stopped(WAITING)]);
        assert.deepEqual(await store.userInstances('u4'), [stopped(NEW)]);

        assert.deepEqual(
          await whereEntries(schema),
          { 'cart:alias': 'state', 'cart:live': 'column', 'cart:new': 'column', 'cart:over': 'state', 'cart:waiting': 'state' },
          'updated by the engine: the column only; changed in SQL alone, or not at all: the state still',
        );
      },
    );
  });
});
