/**
 * What the store of a database split by user adds to the contract (store/shards/): the message log read only
 * below the lowest number a shard holds uncommitted, a merge across shards that takes every row of the old id
 * to its new shard, and one finished on open when a crash stopped it between its two files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { MessageNumbers, messageNumberMemory } from '../../src/store/shards/message-numbers.ts';
import { shardFiles } from '../../src/store/shards/shard-files.ts';
import { ShardedStore } from '../../src/store/shards/sharded-store.ts';
import type { Changes, NewMessage } from '../../src/store/store.ts';
import { copyUserRows, recordMove, withAttached } from '../../src/store/sqlite/user-move.ts';
import { tempDir } from '../helpers.ts';
import { instance } from './contract.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId: string): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });
const message = (id: string, userId: string): NewMessage => ({ id, journeyId: 'cart', version: 1, instanceId: `i-${userId}`, nodeId: 'push', userId, channel: 'push', status: 'sent', reason: null, content: { body: 'hi' }, createdAt: 2_000, sentAt: 2_000 });

function open(files = shardFiles(join(tempDir(), 'waymark.db'), 2)) {
  const store = ShardedStore.open(files);
  return { store, memory: store.numberMemory, files };
}

test('numbers: the horizon is the next number, or the lowest a unit under way holds', () => {
  const memory = messageNumberMemory(2, { message: 10, event: 1 });
  const [a, b, reader] = [new MessageNumbers(memory, 0), new MessageNumbers(memory, 1), new MessageNumbers(memory, null)];
  assert.equal(reader.horizon(), 10);
  assert.deepEqual([a.next(), a.next(), b.next()], [10, 11, 12]);
  assert.equal(reader.horizon(), 10, 'both hold numbers');
  a.settled();
  assert.equal(reader.horizon(), 12, 'b holds 12');
  b.settled();
  assert.equal(reader.horizon(), 13);
  assert.deepEqual([a.nextEvent(), b.nextEvent()], [1, 2]);
});

test('the message log pages only below a number a shard holds uncommitted, then past it once it commits', async () => {
  const { store, memory } = open();
  // u2 is in shard 0, u1 in shard 1 (FNV-1a of the id, modulo 2).
  await store.ingestEvents([event('e1', 'u2')], 1, () => ({ ...NONE, messages: [message('m1', 'u2')] }));
  // Shard 1's engine has taken a number for a unit it has not committed.
  const shard1 = new MessageNumbers(memory, 1);
  const held = shard1.next();
  await store.ingestEvents([event('e2', 'u2')], 2, () => ({ ...NONE, messages: [message('m2', 'u2')] }));
  const ids = async () => (await store.listMessages({ after: 0, limit: 10 })).map((m) => m.id);
  assert.deepEqual(await ids(), ['m1'], 'm2, numbered after the held number, waits');
  const log = await store.messageLog({ order: 'oldest', limit: 10, scanLimit: 100, from: 0 });
  assert.deepEqual([log.messages.map((m) => m.id), log.more], [['m1'], true]);
  assert.ok(log.scannedTo !== null && log.scannedTo < held, 'the cursor stays below the held number');
  shard1.settled(); // committed, or rolled back: either way the log may pass it
  assert.deepEqual(await ids(), ['m1', 'm2']);
  await store.close();
});

test('a merge across shards stopped between its two files is finished on open: the old rows go, once', async () => {
  const { store, files } = open();
  // anon-1 is in shard 1 with a pass and an event; bo in shard 0.
  await store.ingestEvents([event('e-anon', 'anon-1')], 1, (view) => ({ ...NONE, instances: view.events.map((e) => instance(`cart:${e.userId}`, { userId: e.userId })) }));
  await store.upsertProfiles([{ userId: 'anon-1', traits: { city: 'Oslo' } }], 1);
  const [main, shard1] = store.shards;
  // What a crash after the new shard committed and before the old one did leaves: the rows in both, the move recorded.
  withAttached(main!.db, shard1!.db.name, () =>
    main!.db.transaction(() => {
      copyUserRows(main!.db, 'anon-1');
      recordMove(main!.db, 'anon-1', 1, 5);
      main!.mergeIdentityNow({ from: 'anon-1', into: 'bo' }, 5);
    })(),
  );
  assert.equal((await store.userInstances('bo')).length + (await store.userInstances('anon-1')).length, 2, 'the pass in both files');
  await store.close();

  const again = open(files).store;
  assert.deepEqual((await again.userInstances('bo')).map((i) => i.id), ['cart:anon-1']);
  assert.deepEqual(await again.userInstances('anon-1'), []);
  assert.deepEqual((await again.userEvents('bo', 10)).map((e) => e.messageId), ['e-anon']);
  assert.deepEqual((await again.getProfile('bo'))?.traits, { city: 'Oslo' });
  assert.deepEqual(again.shards[0]!.db.prepare('SELECT count(*) AS n FROM shard_moves').get(), { n: 0 }, 'the record is gone');
  await again.close();
});

test('a merge across shards takes every row of the old id to the new shard: passes, events, sends, links, inbox, traits, merged ids', async () => {
  const { store } = open();
  // anon-1 and a1 are in shard 1, bo in shard 0.
  await store.upsertProfiles([{ userId: 'anon-1', traits: { pushToken: 'tok-a', plan: 'free' } }, { userId: 'bo', traits: { name: 'Bo', plan: 'pro' } }], 500);
  const waiting: JourneyEvent = { ...event('f-anon', 'anon-1'), name: 'Clicked' };
  await store.ingestEvents([event('e-anon', 'anon-1'), event('e-bo', 'bo')], 2_000, (view) =>
    view.events.some((e) => e.userId === 'anon-1')
      ? { instances: [instance('cart:anon-1', { userId: 'anon-1' })], messages: [message('cart:anon-1:push', 'anon-1')], stats: [], followUps: [waiting] }
      : NONE,
  );
  const [main, shard1] = store.shards;
  await shard1!.saveShortLinks([{ code: 'abc', messageId: 'cart:anon-1:push', url: 'https://shop.example/cart' }], 2_000);
  await store.mergeIdentity({ from: 'a1', into: 'anon-1' }, 3_000); // in one shard: a1 now names anon-1

  assert.equal((await store.mergeIdentity({ from: 'anon-1', into: 'bo' }, 10_000)).outcome, 'merged');

  assert.deepEqual((await store.userInstances('bo')).map((i) => [i.id, i.userId, i.wakeAt]), [['cart:anon-1', 'bo', 5_000]]);
  assert.deepEqual((await store.userEvents('bo', 10)).map((e) => e.messageId).sort(), ['e-anon', 'e-bo']);
  assert.deepEqual((await store.listMessages({ userId: 'bo', limit: 10 })).map((m) => m.id), ['cart:anon-1:push']);
  assert.deepEqual((await store.getProfile('bo'))?.traits, { name: 'Bo', plan: 'pro', pushToken: 'tok-a' });
  assert.equal((await store.shortLink('abc'))?.url, 'https://shop.example/cart');
  assert.deepEqual([...(await store.resolveIdentities(['a1', 'anon-1']))], [['a1', 'bo'], ['anon-1', 'bo']]);
  const count = (db: typeof main, sql: string) => (db!.db.prepare(sql).get() as { n: number }).n;
  for (const table of ['instances', 'events', 'messages', 'inbox', 'profiles']) {
    assert.equal(count(shard1, `SELECT count(*) AS n FROM ${table}`), 0, `no ${table} row left in the old shard`);
  }
  assert.equal(count(shard1, 'SELECT count(*) AS n FROM short_links'), 0);
  assert.equal(count(main, "SELECT count(*) AS n FROM identities WHERE alias_id = 'a1' AND user_id = 'bo'"), 1);
  // The pass's timer is the new shard's: its engine fires it.
  let fired: string[] = [];
  await main!.fireDueTimers(6_000, 10, (view) => ((fired = view.instances.map((i) => `${i.id}:${view.profiles.get(i.userId)?.traits.pushToken}`)), NONE));
  assert.deepEqual(fired, ['cart:anon-1:tok-a']);
  // So is the waiting event: drained there, as bo's.
  let drained: string[] = [];
  assert.equal(await main!.drainInbox(6_000, 10, (view) => ((drained = view.events.map((e) => `${e.messageId}:${e.userId}`)), NONE)), 1);
  assert.deepEqual(drained, ['f-anon:bo']);
  await store.close();
});
