/**
 * A SQLite store keeping its live instances in memory (SqliteOptions.instances 'memory', a simulation's): what
 * the contract cannot see from outside. Timers claimed by a unit that fails, or that leaves them as they were,
 * are claimed again; a timer an instance has moved on from never fires; the reads of past instances are
 * refused by name; and only a new file may keep its instances in memory. The rest is the Store contract
 * (test/store/sqlite.test.ts runs it on this store).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Changes } from '../../src/store/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';
import { instance } from './contract.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId = 'u1'): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

/** A live pass of user `userId` waiting until `wakeAt`. */
const sleeper = (id: string, userId: string, wakeAt: number): Instance => instance(id, { userId, wakeAt, nodeUntil: wakeAt });

const inMemory = () => new SqliteStore(join(tempDir(), 'live.db'), { durability: 'fast', instances: 'memory' });

/** Claims what is due at `now` (limit 10) and moves nothing: the ids claimed. */
async function claimedAt(store: SqliteStore, now: number): Promise<string[]> {
  const ids: string[] = [];
  await store.fireDueTimers(now, 10, (view) => {
    ids.push(...view.instances.map((i) => i.id));
    return { ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, status: 'exited' as const, wakeAt: null, exit: { reason: 'completed' as const, at: now, nodeId: 'wait' } })) };
  });
  return ids.sort();
}

test('timers claimed by a unit that fails are claimed again, and nothing of the unit is kept', async () => {
  const store = inMemory();
  await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: [sleeper('a', 'u1', 5_000), sleeper('b', 'u2', 6_000)] }));
  // The unit moves both on, then starts a second live pass of the journey for u1: refused, so it fails whole.
  await assert.rejects(
    store.fireDueTimers(7_000, 10, (view) => ({ ...NO_CHANGES, instances: [...view.instances.map((i) => ({ ...i, wakeAt: 9_000 })), sleeper('c', 'u1', 9_500)] })),
    /user u1 has a live pass of journey cart already \(a\)/,
  );
  assert.equal(await store.nextWakeAt(), 5_000, 'the timers are set as before the unit');
  assert.equal(await store.lastWakeAt(), 6_000);
  assert.deepEqual(await claimedAt(store, 7_000), ['a', 'b']);
  assert.equal(await store.nextWakeAt(), null, 'c was never written');
  await store.close();
});

test('a timer unit that leaves an instance as it was gives it back: claimed again at the next claim', async () => {
  const store = inMemory();
  await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: [sleeper('a', 'u1', 5_000), sleeper('b', 'u2', 5_000)] }));
  const first: string[] = [];
  await store.fireDueTimers(5_000, 10, (view) => {
    first.push(...view.instances.map((i) => i.id));
    return { ...NO_CHANGES, instances: view.instances.filter((i) => i.id === 'b').map((i) => ({ ...i, wakeAt: 8_000 })) };
  });
  assert.deepEqual(first.sort(), ['a', 'b']);
  assert.equal(await store.nextWakeAt(), 5_000);
  assert.equal(await store.lastWakeAt(), 8_000);
  assert.deepEqual(await claimedAt(store, 5_000), ['a']);
  assert.deepEqual(await claimedAt(store, 8_000), ['b']);
  await store.close();
});

test('an instance moved on by an event is claimed at its new time only, once', async () => {
  const store = inMemory();
  await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: [sleeper('a', 'u1', 5_000)] }));
  await store.ingestEvents([event('e2')], 2, (view) => ({ ...NO_CHANGES, instances: view.live.get('u1')!.map((i) => ({ ...i, wakeAt: 9_000, nodeId: 'later' })) }));
  assert.equal(await store.nextWakeAt(), 9_000);
  assert.deepEqual(await claimedAt(store, 8_999), []);
  assert.deepEqual(await claimedAt(store, 9_000), ['a']);
  assert.deepEqual(await claimedAt(store, 20_000), []);
  await store.close();
});

test('the reads and writes of past instances are refused by name', async () => {
  const store = inMemory();
  const refusals: Array<[string, () => Promise<unknown>]> = [
    ['userInstances', () => store.userInstances('u1')],
    ['userInstancePage', () => store.userInstancePage('u1', { limit: 10 })],
    ['userSeen', () => store.userSeen('u1')],
    ['journeySeries', () => store.journeySeries('cart', { from: 0, to: 1, slotMs: 1 })],
    ['stopInstances', () => store.stopInstances('cart', 1)],
    ['moveInstances', () => store.moveInstances('cart', 2, [], 1)],
    ['mergeIdentity', () => store.mergeIdentity({ from: 'a', into: 'b' }, 1)],
    ['queueDepth', () => store.queueDepth(1)],
  ];
  for (const [method, call] of refusals) await assert.rejects(call(), new RegExp(`^Error: ${method}: this store keeps its live instances in memory`));
  await store.close();
});

test('only a new file keeps its instances in memory', async () => {
  const file = join(tempDir(), 'kept.db');
  const kept = new SqliteStore(file);
  await kept.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: [sleeper('a', 'u1', 5_000)] }));
  await kept.close();
  assert.throws(() => new SqliteStore(file, { durability: 'fast', instances: 'memory' }), /only a new database can keep its instances in memory/);
});
